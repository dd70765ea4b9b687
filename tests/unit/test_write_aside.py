"""``db.write_aside`` keeps what a read computed without touching the reader's session.

On both databases: the caller's session is never flushed or committed and nothing written
aside enters it; a row another worker stored meanwhile is tolerated. On SQLite: a
database held by another writer is tolerated (a warning, the caller carries on), and a
caller that holds the write lock itself has the write join its transaction.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, select

from guidelines_app.db import Engine, is_sqlite, make_engine, open_session, write_aside
from guidelines_app.models import User


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, busy_timeout_ms=100)
    yield engine
    engine.dispose()


def usernames(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(User.username)).all())


def add_user(username: str):
    def write(aside: Session) -> None:
        aside.add(User(username=username, password_hash="x"))

    return write


def test_the_callers_session_is_neither_flushed_nor_committed(engine):
    with open_session(engine, write=False) as caller:
        assert caller.exec(select(User)).all() == []
        pending = User(username="pending", password_hash="x")
        caller.add(pending)
        assert write_aside(caller, add_user("aside")) is True
        assert pending in caller.new  # still pending: not flushed by write_aside
        assert caller.in_transaction()  # the caller's transaction goes on
        assert all(user.username != "aside" for user in caller.identity_map.values())
        assert usernames(engine) == ["aside"]
        caller.rollback()
    assert usernames(engine) == ["aside"]


def test_an_engine_can_be_given_instead_of_a_session(engine):
    assert write_aside(engine, add_user("from-engine")) is True
    assert usernames(engine) == ["from-engine"]


def test_a_row_another_worker_stored_meanwhile_is_tolerated(engine):
    write_aside(engine, add_user("twice"))
    with open_session(engine, write=False) as caller:
        caller.exec(select(User)).all()
        assert write_aside(caller, add_user("twice")) is False
        assert caller.exec(select(User.username)).all() == ["twice"]  # still usable
    assert usernames(engine) == ["twice"]


def test_other_database_errors_are_not_swallowed(engine):
    # SQLite reports a missing table as an OperationalError (not a busy one), PostgreSQL not
    with pytest.raises((OperationalError, ProgrammingError)):
        write_aside(engine, lambda aside: aside.execute(text("SELECT * FROM no_such_table")))


@pytest.fixture
def sqlite_engine(engine: Engine) -> Engine:
    if not is_sqlite(engine):
        pytest.skip("SQLite's write lock")
    return engine


def test_a_database_another_writer_holds_is_tolerated_with_a_warning(sqlite_engine, caplog):
    other = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with open_session(sqlite_engine, write=False) as caller:
            caller.exec(select(User)).all()
            with caplog.at_level(logging.WARNING, logger="guidelines_app.db"):
                assert write_aside(caller, add_user("late")) is False
            assert "database is busy" in caplog.text
            assert caller.exec(select(User)).all() == []
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert write_aside(sqlite_engine, add_user("late")) is True
    assert usernames(sqlite_engine) == ["late"]


def test_a_reader_whose_snapshot_is_older_than_another_writers_commit_still_keeps_it(
    sqlite_engine,
):
    with open_session(sqlite_engine, write=False) as caller:
        assert caller.exec(select(User)).all() == []  # the reader's snapshot begins
        write_aside(sqlite_engine, add_user("meanwhile"))  # another worker commits
        assert write_aside(caller, add_user("mine")) is True
        assert caller.exec(select(User)).all() == []  # its snapshot is its own
    assert usernames(sqlite_engine) == ["meanwhile", "mine"]


def test_a_caller_holding_the_write_lock_has_the_write_join_its_transaction(sqlite_engine):
    with open_session(sqlite_engine, write=True) as caller:
        caller.add(User(username="callers", password_hash="x"))
        caller.flush()
        assert write_aside(caller, add_user("joined")) is True
        assert write_aside(caller, add_user("callers")) is False  # a savepoint, undone alone
        caller.commit()
    assert usernames(sqlite_engine) == ["callers", "joined"]
    with open_session(sqlite_engine, write=True) as caller:
        caller.exec(select(User)).all()
        write_aside(caller, add_user("dropped"))
        caller.rollback()
    assert usernames(sqlite_engine) == ["callers", "joined"]
