"""Fixtures: `app`, `client`, `runner` on a fresh database and content repository per test."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from guidelines_app import create_app
from guidelines_app.db import make_engine
from guidelines_app.models import Role
from guidelines_app.services.ops import schema, setup
from guidelines_app.store import ContentStore
from tests.databases import BACKENDS, postgres_schema_url, truncate_all
from tests.factories import signed_in_client


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_postgres() -> str:
    url = postgres_schema_url("app_tests")
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def seeded_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("content") / "content.git"
    ContentStore.create(
        path,
        files=setup.starter_files(),
        author=setup.SETUP_AUTHOR,
        message="Starter content",
    )
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template = request.getfixturevalue("migrated_sqlite")
        target = tmp_path / "guidelines.sqlite3"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("migrated_postgres")
    truncate_all(url)
    return url


def app_config(tmp_path: Path, database_url: str, content_repo: Path, **extra: object) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "CONTENT_REPO": str(content_repo),
        "PASSWORD_HASH_PROFILE": "fast",
        "WTF_CSRF_ENABLED": False,
        "REPORT_RESAMPLES": 300,
        # Reports are computed in the request and no job thread runs, unless a test asks
        # (tests/app/test_report_jobs.py runs the job path with jobs.run_pending).
        "REPORTS_INLINE": True,
        "JOB_WORKERS": 0,
        **extra,
    }


@pytest.fixture
def content_repo(tmp_path: Path, seeded_repository: Path) -> Path:
    target = tmp_path / "content.git"
    shutil.copytree(seeded_repository, target)
    return target


@pytest.fixture
def app(tmp_path: Path, database_url: str, content_repo: Path) -> Iterator[Flask]:
    application = create_app(app_config(tmp_path, database_url, content_repo))
    yield application
    application.extensions["guidelines.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def as_admin(app: Flask) -> FlaskClient:
    return signed_in_client(app, Role.ADMIN, "root")


@pytest.fixture
def as_lead(app: Flask) -> FlaskClient:
    return signed_in_client(app, Role.LEAD, "lena")


@pytest.fixture
def as_annotator(app: Flask) -> FlaskClient:
    return signed_in_client(app, Role.ANNOTATOR, "anna")


@pytest.fixture
def as_viewer(app: Flask) -> FlaskClient:
    return signed_in_client(app, Role.VIEWER, "vic")


@pytest.fixture
def git_processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every git command started from now on: counted, then started for real (a count,
    not a mock: the command runs as always)."""
    started: list[list[str]] = []
    real = subprocess.Popen.__init__

    def counting(self, args, *rest, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(args, (list, tuple)) and args and str(args[0]).endswith("git"):
            started.append([str(a) for a in args])
        real(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", counting)
    return started
