"""Small factories for test data."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from guidelines_app import create_app, demo
from guidelines_app.db import make_engine, session_scope
from guidelines_app.models import Role, User
from guidelines_app.services import accounts, decisions
from guidelines_app.services.ops import schema

DEFAULT_PASSWORD = "correct horse battery"
GUIDELINE = "product-review-sentiment"


def make_user(
    app: Flask,
    username: str = "annie",
    role: Role | str = Role.ANNOTATOR,
    password: str = DEFAULT_PASSWORD,
    display_name: str = "",
) -> User:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        return accounts.create_user(
            session=session,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            profile="fast",
        )


def login(client: FlaskClient, username: str, password: str = DEFAULT_PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def signed_in_client(app: Flask, role: Role | str, username: str | None = None) -> FlaskClient:
    name = username or f"{Role(role).value}-user"
    make_user(app, name, role)
    client = app.test_client()
    response = login(client, name)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def make_decision(
    app: Flask,
    title: str = "Praise then a defect",
    ruling: str = "Negative: the defect wins.",
    **kw,
):
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        data = decisions.DecisionInput(
            title=title,
            ruling=ruling,
            rationale=kw.pop("rationale", "A defect outweighs **early** praise."),
            guideline=kw.pop("guideline", GUIDELINE),
            section_id=kw.pop("section_id", "mixed-opinions"),
            ruling_labels=kw.pop("ruling_labels", ["negative"]),
            labels=kw.pop("labels", ["positive"]),
            tags=kw.pop("tags", ["defect"]),
        )
        return decisions.create_decision(
            session=session, store=app.extensions["guidelines.store"], data=data, author_id=None
        )


def demo_app(backend: str, tmp_path: Path, seeded_repository: Path, name: str) -> Flask:
    """An app on a fresh database of ``backend`` (schema ``name`` on PostgreSQL) and a copy
    of the seeded content repository, with the demo loaded (fast password hashes)."""
    from tests.conftest import app_config
    from tests.databases import postgres_schema_url, truncate_all

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    else:
        url = postgres_schema_url(name)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    if backend != "sqlite":
        truncate_all(url)
    repo = tmp_path / "content.git"
    shutil.copytree(seeded_repository, repo)
    app = create_app(app_config(tmp_path, url, repo, REPORT_RESAMPLES=20))
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        demo.load_demo(
            session=session,
            store=app.extensions["guidelines.store"],
            credentials_file=tmp_path / "demo.json",
            profile="fast",
        )
    return app
