"""Every route declares the least role it needs, and the declaration is enforced."""

from __future__ import annotations

import re

import pytest

from guidelines_app import create_app
from guidelines_app.db import session_scope
from guidelines_app.models import Role
from guidelines_app.services.accounts import users as accounts
from guidelines_app.web import security
from tests.conftest import app_config
from tests.factories import signed_in_client


def _sample_url(rule) -> str:
    url = rule.rule
    for argument in rule.arguments:
        numeric = re.search(rf"<(?:int|id):{argument}>", rule.rule)  # `id`: ids in range
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", "1" if numeric else "x", url)
    return url


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_endpoint_declares_its_least_role(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if security.least_role(app, rule.endpoint) is None
    ]
    assert undeclared == []


def test_anonymous_users_are_sent_to_login_or_get_401_from_the_api(app, client):
    checked = 0
    for rule, method in _routes(app):
        if security.least_role(app, rule.endpoint) == security.PUBLIC:
            continue
        response = client.open(_sample_url(rule), method=method)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule
            assert response.is_json and response.json["error"]["status"] == 401
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        else:
            assert response.status_code == 302, (method, rule.rule)
            assert response.headers["Location"].startswith("/login"), rule.rule
        checked += 1
    assert checked >= 8


def _bearer(app, username: str) -> dict[str, str]:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        user = accounts.get_user(session, username)
        _token, secret = accounts.create_api_token(session=session, user_id=user.id, name="test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANNOTATOR, Role.LEAD])
def test_users_below_the_declared_role_get_403(app, role):
    client = signed_in_client(app, role)
    api_headers = _bearer(app, f"{role.value}-user")
    refused = 0
    for rule, method in _routes(app):
        declared = security.least_role(app, rule.endpoint)
        if declared == security.PUBLIC or declared is None or role.includes(declared):
            continue
        headers = api_headers if rule.rule.startswith("/api/") else {}
        response = client.open(_sample_url(rule), method=method, headers=headers)
        assert response.status_code == 403, (role, method, rule.rule)
        refused += 1
    assert refused >= 1


def test_an_endpoint_that_declares_nothing_is_refused_even_to_leads(
    tmp_path, database_url, content_repo
):
    app = create_app(app_config(tmp_path, database_url, content_repo))

    @app.get("/undeclared")
    def undeclared():
        return "should never be seen"

    lead = signed_in_client(app, Role.LEAD)
    assert lead.get("/undeclared").status_code == 403
    admin = signed_in_client(app, Role.ADMIN)
    assert admin.get("/undeclared").status_code == 200
    app.extensions["guidelines.engine"].dispose()


def test_static_files_are_public(client):
    with client.get("/static/app.css") as response:
        assert response.status_code == 200
