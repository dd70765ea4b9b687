"""The database schema through Alembic: state, upgrade, downgrade, autogenerate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from guidelines_app import resources, search
from guidelines_app.domain.errors import Conflict


class SchemaError(Conflict):
    """The database is in a state the app must not touch (unknown revision, foreign tables)."""


@dataclass(frozen=True)
class SchemaState:
    """Where the database is. Migrations of parallel features may form several heads
    (merged later by a merge revision), so revisions are sets, shown joined by '+'."""

    currents: tuple[str, ...]
    heads: tuple[str, ...]
    known: bool
    other_tables: tuple[str, ...]

    @property
    def current(self) -> str | None:
        return "+".join(self.currents) or None

    @property
    def head(self) -> str:
        return "+".join(self.heads)

    @property
    def is_empty(self) -> bool:
        return not self.currents and not self.other_tables

    @property
    def at_head(self) -> bool:
        return set(self.currents) == set(self.heads)


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic's filter for autogenerate and the models/migrations comparison: the search
    indexes migration 0006 creates (SQLite's FTS5 table and its shadow tables, the index
    of word pairs on PostgreSQL) are described by no model, so they are left out by name."""
    return name is None or not search.is_search_index(name, type_)


def alembic_config(engine: Engine, *, migrations_dir: Path | None = None) -> Config:
    """Alembic's configuration, built here rather than read from an alembic.ini: the script
    folder is the one shipped with the package (``resources.migrations_dir()``)."""
    config = Config()
    folder = migrations_dir or resources.migrations_dir()
    config.set_main_option("script_location", str(folder))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escaping
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


def _script(config: Config) -> ScriptDirectory:
    return ScriptDirectory.from_config(config)


def state(engine: Engine) -> SchemaState:
    config = alembic_config(engine)
    script = _script(config)
    heads = tuple(sorted(script.get_heads()))
    with engine.connect() as connection:
        currents = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
        tables = set(inspect(connection).get_table_names())
    tables.discard("alembic_version")
    known = all(_revision_exists(script, revision) for revision in currents)
    other = tuple(sorted(tables)) if not currents else ()
    return SchemaState(currents=currents, heads=heads, known=known, other_tables=other)


def _revision_exists(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown or partial ids
        return False


def upgrade(engine: Engine, revision: str = "heads") -> SchemaState:
    """Bring the database to ``revision``; refuses a database this app does not recognise."""
    before = state(engine)
    if not before.known:
        raise SchemaError(
            f"the database is at migration {before.current!r}, which this version of the app "
            "does not know (is it newer than the code?); nothing was changed"
        )
    if not before.currents and before.other_tables:
        raise SchemaError(
            "the database already holds tables not created by this app's migrations ("
            + ", ".join(before.other_tables[:5])
            + "); use an empty database; nothing was changed"
        )
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return state(engine)


def downgrade(engine: Engine, revision: str) -> SchemaState:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return state(engine)


def autogenerate(engine: Engine, message: str) -> None:
    """Write a new migration file from the difference between models and the database."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
