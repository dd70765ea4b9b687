"""Engine, a session per request, ``write_aside`` for what reads keep, and dialect helpers.

SQLite runs in WAL mode with a busy timeout and foreign keys on. Transactions that
write begin ``IMMEDIATE``, so two writers queue on the database lock instead of one
failing with "database is locked" when it upgrades a read lock. Transactions that only
read begin ``DEFERRED`` and never write: what a read computes and wants kept (a cache,
a last-seen time) goes through ``write_aside``, in a short transaction of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, DateTime, Engine, Table, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

__all__ = [
    "DriverError",
    "Engine",
    "Session",
    "UTCDateTime",
    "engine_of",
    "is_sqlite",
    "is_unavailable",
    "make_engine",
    "open_session",
    "reader",
    "saved_id",
    "session_scope",
    "table_of",
    "utcnow",
    "write_aside",
    "writer",
]

log = logging.getLogger(__name__)

#: Any error the database driver raised (the web layer tells an outage from a bug with
#: :func:`is_unavailable`).
DriverError = DBAPIError


def is_unavailable(error: BaseException) -> bool:
    """Whether the database cannot answer now (unreachable, restarting, locked past the busy
    timeout, a file that is not a database), as opposed to a bug in a statement."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    # SQLite says a damaged file "is not a database" with a bare DatabaseError.
    return isinstance(error, DBAPIError) and type(error.orig).__name__ == "DatabaseError"


def is_damaged(error: BaseException) -> bool:
    """Whether the database file itself is damaged (SQLite: "not a database", "malformed"),
    which waiting will not cure: the administrator restores it from a backup."""
    if not isinstance(error, DBAPIError) or type(error.orig).__name__ != "DatabaseError":
        return False
    text = str(error.orig).lower()
    return "not a database" in text or "malformed" in text


#: What a page says about a damaged database file: no file names, no driver text.
DAMAGED = (
    "The database file is damaged, so nothing can be shown or saved until an administrator "
    "restores it from a backup (`guidelines check` on the server says more)."
)

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: SQLite's primary result codes for a database another connection holds.
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
#: PostgreSQL's: lock not available, serialization failure, deadlock detected.
_POSTGRES_BUSY = frozenset({"55P03", "40001", "40P01"})


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


def make_engine(
    url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """An engine with the pragmas and transaction discipline this app relies on.

    ``busy_timeout_ms``: how long a SQLite connection waits for another one's write lock
    before it fails with "database is locked" (PostgreSQL ignores it).
    """
    if not is_sqlite(url):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, pool_pre_ping=True, future=True, **kwargs)

    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        future=True,
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
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


def reader(engine: Engine) -> Engine:
    """The same engine, but its transactions begin ``DEFERRED`` (SQLite), even when the
    engine given is a ``writer``: a reader never takes the write lock."""
    if is_sqlite(engine):
        return engine.execution_options(sqlite_begin="DEFERRED")
    return engine


def open_session(engine: Engine, *, write: bool) -> Session:
    """A new session; one that will write takes SQLite's write lock when it begins."""
    return Session(writer(engine) if write else reader(engine), expire_on_commit=False)


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


def write_aside(bind: Session | Engine, write: Callable[[Session], object]) -> bool:
    """Keep what a read computed (a cache row, a last-seen time) without writing in the
    reader's transaction; True when it was kept.

    ``write(aside)`` is called with a new short session on the same database whose
    transaction takes SQLite's write lock at BEGIN; it adds or executes what should be
    kept, and ``write_aside`` commits. ``bind`` is the caller's session (or an engine):
    that session is never flushed, committed or rolled back, and nothing written aside
    enters its identity map, so callers return the value they computed, not the row.

    Keeping it is best effort, because the caller already has its answer: when another
    worker stored the same row meanwhile (IntegrityError) the row is theirs, and when
    the database stays busy past the busy timeout (another connection holds the write
    lock) a warning is logged; either way the aside transaction is rolled back and
    False returned, and what was not kept is computed again next time.

    A caller whose own transaction already holds SQLite's write lock (a POST, a command:
    sessions opened with ``write=True``) would only wait for itself in a second
    transaction; there the write joins the caller's transaction in a savepoint of a
    separate session, and is kept when (and if) the caller commits.
    """
    if isinstance(bind, Session) and _holds_sqlite_write_lock(bind):
        aside = Session(
            bind=bind.connection(),
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
    else:
        aside = open_session(engine_of(bind), write=True)
    with aside:
        try:
            write(aside)
            aside.commit()
        except IntegrityError:
            aside.rollback()
            return False
        except OperationalError as error:
            if not _is_busy(error):
                raise
            aside.rollback()
            log.warning("not kept, the database is busy (computed again next time): %s", error)
            return False
    return True


def _is_busy(error: OperationalError) -> bool:
    """Whether the error means another connection holds a lock we waited for in vain."""
    original = error.orig
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    if getattr(original, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database table is locked" in message


def engine_of(bind: Session | Engine) -> Engine:
    """The engine behind a session (or the engine itself): work that must not join the
    session's transaction opens its own on it."""
    if isinstance(bind, Engine):
        return bind
    found = bind.get_bind()
    return found.engine if isinstance(found, Connection) else found


def _holds_sqlite_write_lock(session: Session) -> bool:
    """Whether the session is in a transaction begun IMMEDIATE on SQLite (a writer's)."""
    if not session.in_transaction():
        return False
    bind = session.get_bind()
    return is_sqlite(bind.engine) and (
        bind.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
    )
