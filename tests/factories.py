"""Small factories for test data."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from guidelines_app.db import session_scope
from guidelines_app.models import Role, User
from guidelines_app.services import accounts, decisions

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
