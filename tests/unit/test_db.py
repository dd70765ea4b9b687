"""SQLite runs with WAL, a busy timeout and foreign keys, and writers queue instead of failing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from guidelines_app.db import make_engine, writer
from guidelines_app.models import User
from guidelines_app.services.ops import schema


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    schema.upgrade(engine)
    yield engine
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(engine):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_foreign_keys_are_enforced(engine):
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                "VALUES (999, 'x', 'h', '2026-01-01')"
            )
        )
        session.commit()


def test_concurrent_read_then_write_transactions_queue_instead_of_failing(engine):
    """Each thread reads, pauses, then writes: DEFERRED transactions would fail to upgrade
    their lock ("database is locked"); IMMEDIATE ones wait their turn."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def work(n: int) -> None:
        try:
            with Session(writer(engine)) as session:
                barrier.wait()
                session.execute(text("SELECT count(*) FROM users")).scalar()
                session.add(User(username=f"user{n}", password_hash="x"))
                session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM users")).scalar() == 6


def test_datetimes_come_back_timezone_aware_in_utc(engine):
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    with Session(engine) as session:
        session.add(User(username="tz", password_hash="x", created_at=moment))
        session.commit()
    with Session(engine) as session:
        user = session.get(User, 1)
        assert user.created_at == moment
        assert user.created_at.tzinfo is not None
        assert user.created_at.utcoffset() == UTC.utcoffset(None)


def test_naive_datetimes_are_refused(engine):
    with Session(engine) as session:
        session.add(User(username="naive", password_hash="x", created_at=datetime(2026, 1, 1)))  # noqa: DTZ001
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()
