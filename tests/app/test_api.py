from __future__ import annotations

from guidelines_app.web import security


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
