"""Models and migrations agree, and every migration has a working downgrade."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from guidelines_app.db import make_engine
from guidelines_app.services import schema
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


def _differences(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
