"""Models and migrations agree, and every migration has a working downgrade."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from guidelines_app.db import make_engine
from guidelines_app.services.ops import schema
from tests.databases import BACKENDS, postgres_schema_url


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    else:
        url = postgres_schema_url("migration_tests")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _differences(engine, **options):
    options = {"compare_type": True, "include_name": schema.include_name, **options}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, SQLModel.metadata)


def test_upgrade_to_head_matches_the_models(empty_engine):
    state = schema.upgrade(empty_engine)
    assert state.at_head
    assert _differences(empty_engine) == []


def test_every_migration_downgrades_and_upgrades_again(empty_engine):
    schema.upgrade(empty_engine)
    schema.downgrade(empty_engine, "base")
    tables = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    schema.upgrade(empty_engine)
    assert _differences(empty_engine) == []


def test_each_step_downgrades_one_revision_at_a_time(empty_engine):
    schema.upgrade(empty_engine)
    while schema.state(empty_engine).current is not None:
        schema.downgrade(empty_engine, "-1")
    assert schema.state(empty_engine).current is None


def test_upgrade_refuses_a_database_holding_foreign_tables(empty_engine):
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE somebody_elses (id INTEGER PRIMARY KEY)")
    with pytest.raises(schema.SchemaError, match="somebody_elses"):
        schema.upgrade(empty_engine)


FTS_TABLES = {
    "decision_search_fts",
    "decision_search_fts_data",
    "decision_search_fts_idx",
    "decision_search_fts_docsize",
    "decision_search_fts_config",
}


def _add_decision(engine, title: str, body: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO decisions (id, title, ruling, rationale, guideline, status, version, "
                "created_at, updated_at) VALUES (1, :t, 'r', '', 'g', 'active', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"t": title},
        )
        connection.execute(
            text("INSERT INTO decision_search (decision_id, title, body) VALUES (1, :t, :b)"),
            {"t": title, "b": body},
        )
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("UPDATE decision_search SET document = to_tsvector('english', :t)"),
                {"t": title},
            )


def test_sqlite_search_index_is_fts5_and_only_the_comparison_filter_hides_it(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fts.sqlite3'}")
    schema.upgrade(engine)
    with engine.connect() as connection:
        sql = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'decision_search_fts'")
        ).scalar_one()
    assert "USING fts5" in sql
    assert set(inspect(engine).get_table_names()) >= FTS_TABLES
    unfiltered = _differences(engine, include_name=lambda *args: True)
    assert {diff[1].name for diff in unfiltered if diff[0] == "remove_table"} == FTS_TABLES
    assert _differences(engine) == []
    engine.dispose()


def test_downgrading_0006_rebuilds_the_word_index_and_upgrading_indexes_again(empty_engine):
    schema.upgrade(empty_engine)
    _add_decision(empty_engine, "Cities standing for governments", "Brussels said so: loc.gpe")
    schema.downgrade(empty_engine, "0005")
    with empty_engine.connect() as connection:
        length = connection.execute(text("SELECT length FROM decision_search")).scalar_one()
        terms = set(connection.execute(text("SELECT term FROM decision_search_terms")).scalars())
    assert length == 3 * 3 + 4  # title words (not "for") weigh three; "so" is a stop word
    if empty_engine.dialect.name == "sqlite":
        assert {"city", "government", "brussel", "said"} <= terms
        assert "decision_search_fts" not in inspect(empty_engine).get_table_names()
    else:
        with empty_engine.connect() as connection:
            function = connection.execute(
                text("SELECT to_regprocedure('decision_search_pairs(tsvector)')")
            ).scalar()
        assert function is None
    schema.upgrade(empty_engine)
    if empty_engine.dialect.name == "postgresql":
        with empty_engine.connect() as connection:
            pairs = connection.execute(
                text(
                    "SELECT decision_id FROM decision_search "
                    "WHERE decision_search_pairs(document) @@ '''citi stand'''::tsquery "
                    "AND document @@ 'gpe'::tsquery"
                )
            ).all()
        assert pairs == [(1,)]  # a pair of adjacent words; "loc.gpe" read as two words
    else:
        with empty_engine.connect() as connection:
            found = connection.execute(
                text("SELECT rowid FROM decision_search_fts WHERE decision_search_fts MATCH :q"),
                {"q": "government"},
            ).all()
        assert found == [(1,)]
    assert _differences(empty_engine) == []
