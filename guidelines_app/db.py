"""Engine, a session per request, and dialect helpers.

SQLite runs in WAL mode with a busy timeout and foreign keys on. Transactions that
write begin ``IMMEDIATE``, so two writers queue on the database lock instead of one
failing with "database is locked" when it upgrades a read lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import DateTime, Engine, Table, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

__all__ = [
    "Engine",
    "Session",
    "UTCDateTime",
    "is_sqlite",
    "make_engine",
    "open_session",
    "saved_id",
    "session_scope",
    "table_of",
    "utcnow",
    "writer",
]

SQLITE_BUSY_TIMEOUT_MS = 30_000


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements that need the table itself.

    SQLModel sets ``__table__`` on every ``table=True`` class but its stubs do not
    declare it; this is the one place that reaches for it.
    """
    table = model.__table__  # type: ignore[attr-defined]  # undeclared in SQLModel's stubs
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


class _Identified(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Identified) -> int:
    """The primary key of a row that is already in the database.

    Table models declare ``id: int | None`` because the id only exists once the row is
    inserted; code holding a loaded or flushed row narrows it here, and a row that was
    never flushed is a bug reported as one, not a None passed further on.
    """
    if row.id is None:
        raise RuntimeError(f"this {type(row).__name__} has no id yet: it was never flushed")
    return row.id


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_sqlite(url_or_engine: str | Engine) -> bool:
    if isinstance(url_or_engine, Engine):
        return url_or_engine.dialect.name == "sqlite"
    return str(url_or_engine).startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas and transaction discipline this app relies on."""
    if not is_sqlite(url):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, pool_pre_ping=True, future=True, **kwargs)

    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        future=True,
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if ":memory:" not in url and "mode=memory" not in url:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the write lock at BEGIN (SQLite)."""
    if is_sqlite(engine):
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def open_session(engine: Engine, *, write: bool) -> Session:
    """A new session; one that will write takes SQLite's write lock when it begins."""
    return Session(writer(engine) if write else engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session for one unit of work outside a request (CLI, background work)."""
    session = open_session(engine, write=write)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
