"""The JSON API's contract: its routes, field names and statuses, its bearer-token rules."""

from __future__ import annotations

import json
from pathlib import Path

from guidelines_app.web import security
from tests.app.api_world import call_every_endpoint, field_names, make_world

#: The field names and statuses every endpoint answered with when this file was recorded.
#: Outside tools read these: a change here is a change of the public API, made on purpose.
RECORDED = Path(__file__).with_name("api_fields.json")


def test_every_endpoint_answers_with_the_fields_and_statuses_it_always_had(app):
    calls = call_every_endpoint(make_world(app))
    answered = [
        {
            "method": c.method,
            "rule": c.rule,
            "status": c.status,
            "fields": [] if c.rule.endswith("openapi.json") else sorted(field_names(c.body)),
        }
        for c in calls
    ]
    assert answered == json.loads(RECORDED.read_text(encoding="utf-8"))


def test_openapi_document_is_public_and_lists_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.")
    api_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    documented = set(document["paths"])
    flask_style = {path.replace("{", "<").replace("}", ">") for path in documented}
    assert api_rules <= flask_style | documented


def test_api_refuses_cookie_sessions(as_viewer):
    response = as_viewer.get("/api/v1/me")
    assert response.status_code == 401


def test_api_rejects_malformed_authorization_headers(client):
    for header in ("Bearer", "Basic abc", "Bearer    ", "bearer nope"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["error"]["message"]


def test_api_unknown_route_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json


def test_openapi_route_is_declared_public(app):
    assert security.least_role(app, "api.openapi") == security.PUBLIC
