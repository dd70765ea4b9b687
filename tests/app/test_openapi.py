"""The OpenAPI document: a valid 3.1 document, every route in it, every real answer true to it."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from guidelines_app.models import Role
from guidelines_app.web import security
from tests.app.api_world import call_every_endpoint, make_world

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _openapi_path(rule: str) -> str:
    return rule.replace("<", "{").replace(">", "}")


def _api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]


def test_the_document_is_a_valid_openapi_3_1_document(document):
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_api_route_and_method_in_the_url_map_is_in_the_document(app, document):
    missing = [
        f"{method} {rule.rule}"
        for rule in _api_rules(app)
        for method in sorted(rule.methods & METHODS)
        if method.lower() not in document["paths"].get(_openapi_path(rule.rule), {})
    ]
    assert missing == []
    assert len(document["paths"]) == len({rule.rule for rule in _api_rules(app)})


def test_the_document_states_the_least_role_of_every_operation(app, document):
    for rule in _api_rules(app):
        role = security.least_role(app, rule.endpoint)
        for method in rule.methods & METHODS:
            declared = document["paths"][_openapi_path(rule.rule)][method.lower()]
            if role == security.PUBLIC:
                assert declared["security"] == [], rule.rule
                assert "401" not in declared["responses"]
            else:
                assert declared["x-least-role"] == Role(role).value, rule.rule
                assert "401" in declared["responses"]
                assert ("403" in declared["responses"]) == (role != Role.VIEWER), rule.rule


def test_every_json_request_body_is_a_component_schema(document):
    for path, operations in document["paths"].items():
        for method, declared in operations.items():
            body = declared.get("requestBody")
            if method == "post":
                assert body is not None, path
                (content,) = body["content"].values()
                assert "$ref" in content["schema"] or "allOf" in content["schema"], path
                assert "422" in declared["responses"], path


def _declared_schema(document, call):
    operation = document["paths"][_openapi_path(call.rule)][call.method.lower()]
    response = operation["responses"].get(str(call.status))
    assert response is not None, f"{call.method} {call.rule} answered {call.status}, undeclared"
    if call.status == 204:  # no content: none declared, none sent
        assert "content" not in response, f"{call.method} {call.rule}"
        assert call.body is None and call.content_type == "", f"{call.method} {call.rule}"
        return None
    content = response["content"]
    media = next((m for m in content if m.split(";")[0] == call.content_type), None)
    assert media is not None, f"{call.method} {call.rule}: {call.content_type} not in {content}"
    return content[media]["schema"]


def test_every_real_answer_matches_its_declared_schema_errors_included(app, document):
    calls = call_every_endpoint(make_world(app))
    statuses = {call.status for call in calls}
    assert {200, 201, 204, 401, 403, 404, 409, 422} <= statuses
    for call in calls:
        schema = _declared_schema(document, call)
        if call.status == 204:
            continue
        if call.body is None:  # an export: a file, not JSON
            assert schema == {"type": "string"}
            continue
        validator = Draft202012Validator({**schema, "components": document["components"]})
        problems = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(call.body)
        ]
        assert problems == [], f"{call.method} {call.rule} {call.status}"


def test_a_schema_check_would_catch_a_field_the_api_does_not_send(app, document):
    schema = document["components"]["schemas"]["DatasetPublic"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    assert not validator.is_valid({"slug": "reviews"})  # name is missing
    assert validator.is_valid({"slug": "reviews", "name": "Reviews"})


def test_the_document_is_built_once_per_app(app, client):
    first = client.get("/api/v1/openapi.json").json
    assert client.get("/api/v1/openapi.json").json == first
    assert app.extensions["guidelines.openapi"]["paths"] == first["paths"]
