"""Pages that fill a cache answer while another connection writes to the database.

A GET reads in its own transaction and keeps what it computed (report caches, batch
figures, last-seen times) aside, in a short transaction of its own. On SQLite a reader
that wrote in its own transaction would fail with "database is locked" once another
connection had committed past its snapshot; these tests hold such a writer (a plain
``sqlite3`` connection on the same file, as another worker or a shell would) while the
pages are computed with a cold cache. SQLite only: the writer is SQLite's.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event

from guidelines_app import create_app, demo
from guidelines_app.db import session_scope
from guidelines_app.models import Role
from tests.app.api_world import TokenClient
from tests.conftest import app_config
from tests.factories import GUIDELINE, signed_in_client

#: Short, so a writer held through a whole request is given up on quickly.
BUSY_TIMEOUT_MS = 200


@dataclass(frozen=True)
class DemoFiles:
    database: Path
    content: Path
    batch_id: int


@pytest.fixture(scope="module")
def demo_files(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path, seeded_repository: Path
) -> DemoFiles:
    """The demo, loaded once: a database file and a content repository to copy per test."""
    folder = tmp_path_factory.mktemp("demo")
    database, content = folder / "demo.sqlite3", folder / "content.git"
    shutil.copyfile(migrated_sqlite, database)
    shutil.copytree(seeded_repository, content)
    app = create_app(app_config(folder, f"sqlite:///{database}", content, REPORT_RESAMPLES=20))
    engine = app.extensions["guidelines.engine"]
    with app.app_context(), session_scope(engine) as session:
        demo.load_demo(
            session=session,
            store=app.extensions["guidelines.store"],
            credentials_file=folder / "demo.json",
            profile="fast",
        )
    engine.dispose()
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (batch_id,) = connection.execute("SELECT min(id) FROM annotation_batches").fetchone()
    return DemoFiles(database, content, batch_id)


def cold_demo_app(tmp_path: Path, demo_files: DemoFiles, **config: object) -> Flask:
    """A copy of the demo whose caches are cold: no report kept, no batch figures."""
    database, content = tmp_path / "guidelines.sqlite3", tmp_path / "content.git"
    with sqlite3.connect(demo_files.database) as source, sqlite3.connect(database) as target:
        source.backup(target)
        target.execute("DELETE FROM report_cache")
        target.execute("DELETE FROM batch_figures")
    shutil.copytree(demo_files.content, content)
    url = f"sqlite:///{database}"
    return create_app(app_config(tmp_path, url, content, REPORT_RESAMPLES=20, **config))


@pytest.fixture
def demo_app(tmp_path: Path, demo_files: DemoFiles) -> Iterator[Flask]:
    """The cold demo, waiting at most BUSY_TIMEOUT_MS for another connection's lock."""
    app = cold_demo_app(tmp_path, demo_files, SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    yield app
    app.extensions["guidelines.engine"].dispose()


@pytest.fixture
def patient_demo_app(tmp_path: Path, demo_files: DemoFiles) -> Iterator[Flask]:
    """The cold demo with the app's own busy timeout, long enough to outwait a writer."""
    app = cold_demo_app(tmp_path, demo_files)
    yield app
    app.extensions["guidelines.engine"].dispose()


class OtherWriter:
    """Another connection on the same file, inside a write transaction that wrote a row."""

    def __init__(self, app: Flask) -> None:
        path = app.extensions["guidelines.engine"].url.database
        self.connection = sqlite3.connect(
            path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute(
            "INSERT INTO login_counters (scope, key, window_start, count) "
            "VALUES ('address', 'elsewhere', '2026-01-01 00:00:00', 1)"
        )

    def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.close()

    def rollback(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def commit_once_the_request_reads(app: Flask, writer: OtherWriter) -> threading.Thread:
    """Commit the writer's transaction as soon as the next request has begun reading, so
    that request's snapshot is older than the writer's commit."""
    reading = threading.Event()
    engine = app.extensions["guidelines.engine"]

    def on_statement(*_args: object) -> None:
        reading.set()

    event.listen(engine, "after_cursor_execute", on_statement)

    def commit() -> None:
        reading.wait()
        writer.commit()

    thread = threading.Thread(target=commit, name="other-writer")
    thread.start()
    return thread


def kept(app: Flask, table: str, where: str = "1 = 1") -> int:
    path = app.extensions["guidelines.engine"].url.database
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def make_sign_in_stale(app: Flask) -> None:
    """Make the next request update the sign-in's last-seen time (a write of every read)."""
    path = app.extensions["guidelines.engine"].url.database
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE user_sessions SET last_seen_at = '2020-01-01 00:00:00'")


def pages(batch_id: int) -> dict[str, tuple[str, str]]:
    """What each cold page computes and where it keeps it."""
    return {
        "release report": (f"/guidelines/{GUIDELINE}/agreement", "report_cache"),
        "report.json": (f"/guidelines/{GUIDELINE}/agreement/report.json", "report_cache"),
        "batch page": (f"/agreement/batches/{batch_id}", "batch_figures"),
    }


PAGES = ["release report", "report.json", "batch page"]


@pytest.mark.parametrize("page", PAGES)
def test_a_cold_page_answers_and_keeps_its_cache_when_a_writer_commits_meanwhile(
    patient_demo_app, demo_files, page
):
    app = patient_demo_app
    url, table = pages(demo_files.batch_id)[page]
    lead = signed_in_client(app, Role.LEAD, "lena")
    writer = OtherWriter(app)
    thread = commit_once_the_request_reads(app, writer)
    try:
        response = lead.get(url)
    finally:
        thread.join()
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert kept(app, table) > 0
    # the other writer's row is there too
    assert kept(app, "login_counters", "key = 'elsewhere'") == 1


@pytest.mark.parametrize("page", PAGES)
def test_a_cold_page_answers_while_a_writer_holds_the_lock_and_keeps_its_cache_later(
    demo_app, demo_files, page, caplog
):
    url, table = pages(demo_files.batch_id)[page]
    lead = signed_in_client(demo_app, Role.LEAD, "lena")
    make_sign_in_stale(demo_app)
    writer = OtherWriter(demo_app)
    try:
        with caplog.at_level(logging.WARNING, logger="guidelines_app.db"):
            response = lead.get(url)
    finally:
        writer.rollback()
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert any("database is busy" in r.getMessage() for r in caplog.records)
    assert kept(demo_app, table) == 0
    again = lead.get(url)
    assert again.status_code == 200
    assert kept(demo_app, table) > 0


def test_the_api_answers_a_token_s_first_read_while_a_writer_holds_the_lock(
    demo_app, demo_files, caplog
):
    tool = TokenClient(demo_app, "robot", Role.VIEWER)
    url = f"/api/v1/annotation-batches/{demo_files.batch_id}"
    writer = OtherWriter(demo_app)
    try:
        with caplog.at_level(logging.WARNING, logger="guidelines_app.db"):
            response = tool.get(url)
    finally:
        writer.rollback()
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert kept(demo_app, "batch_figures") == 0
    assert tool.get(url).get_json() == response.get_json()
    assert kept(demo_app, "batch_figures") > 0
    path = demo_app.extensions["guidelines.engine"].url.database
    with sqlite3.connect(path) as connection:
        (last_used,) = connection.execute("SELECT last_used_at FROM api_tokens").fetchone()
    assert last_used is not None
