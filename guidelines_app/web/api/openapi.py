"""The OpenAPI 3.1 document of /api/v1, generated from the URL map and each view's operation.

Paths and methods come from Flask's URL map, the least role from ``security``, request
and response schemas from the pydantic models in ``models/schemas`` (their JSON Schema is
OpenAPI 3.1's dialect), so the document cannot list a route the app lacks or a field the
API does not send. A route without a declared operation is left out, and a test fails.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import Rule

from guidelines_app.models import Role
from guidelines_app.models.schemas import ErrorPublic
from guidelines_app.web import security
from guidelines_app.web.api.operations import JSON, Answer, Operation, Param, operation_of

PREFIX = "/api/v1/"
REF = "#/components/schemas/{model}"
INFO = {
    "title": "Guidelines API",
    "version": "1",
    "description": (
        "Guidelines, taxonomies, escalations, decisions and agreement for tools. "
        "Authenticate with `Authorization: Bearer <token>`; create tokens on your account "
        "page or with `guidelines user token`. Every error answers "
        '`{"error": {"status", "message", "problems"?}}`.'
    ),
}


def document(app: Flask) -> dict[str, Any]:
    """The document, built once per app (the URL map does not change once requests run)."""
    cached = app.extensions.get("guidelines.openapi")
    if cached is None:
        cached = app.extensions["guidelines.openapi"] = build(app)
    return cached


def _rules(app: Flask) -> list[tuple[Rule, Operation]]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        declared = operation_of(app.view_functions.get(rule.endpoint))
        if rule.rule.startswith(PREFIX) and declared is not None:
            found.append((rule, declared))
    return found


def _models(operations: list[Operation]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {
        (ErrorPublic, "serialization"): None
    }
    for op in operations:
        for schema in (op.body, op.form):
            if schema is not None:
                wanted[(schema, "validation")] = None
        for answer in op.answers.values():
            if answer.schema is not None:
                wanted[(answer.schema, "serialization")] = None
    return list(wanted)


def build(app: Flask) -> dict[str, Any]:
    routes = _rules(app)
    refs, definitions = models_json_schema(_models([op for _rule, op in routes]), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for rule, op in routes:
        role = security.least_role(app, rule.endpoint)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(_path(rule), {})[method.lower()] = _operation(rule, op, role, refs)
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": definitions.get("$defs", {}),
        },
    }


def _path(rule: Rule) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", f"{{{name}}}")
    return path


def _operation(rule: Rule, op: Operation, role: Any, refs: dict[Any, Any]) -> dict[str, Any]:
    answers = dict(op.answers)
    if role != security.PUBLIC:
        answers.setdefault(401, Answer("No valid bearer token"))
    if isinstance(role, Role) and role != Role.VIEWER:
        answers.setdefault(403, Answer(f"Needs the {role.value} role"))
    if op.body is not None or op.form is not None:
        answers.setdefault(422, Answer("The body does not match its schema (see problems)"))
    found: dict[str, Any] = {
        "summary": op.summary,
        "operationId": rule.endpoint,
        "responses": {str(s): _response(a, s, refs) for s, a in sorted(answers.items())},
    }
    if role == security.PUBLIC:
        found["security"] = []
    elif isinstance(role, Role):
        found["x-least-role"] = role.value
    parameters = _parameters(rule, op.params)
    if parameters:
        found["parameters"] = parameters
    if op.body is not None:
        found["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": refs[(op.body, "validation")]}},
        }
    if op.form is not None:
        files = {name: {"type": "string", "format": "binary"} for name in op.files}
        upload = {"type": "object", "required": list(op.files), "properties": files}
        schema = {"allOf": [refs[(op.form, "validation")], upload]}
        found["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema}},
        }
    return found


def _response(answer: Answer, status: int, refs: dict[Any, Any]) -> dict[str, Any]:
    if not answer.media_types:  # 204: no body at all
        return {"description": answer.description}
    if answer.schema is not None:
        schema = refs[(answer.schema, "serialization")]
    elif status >= 400:
        schema = refs[(ErrorPublic, "serialization")]
    elif answer.media_types == (JSON,):
        schema = {"type": "object"}
    else:
        schema = {"type": "string"}
    content = {media: {"schema": schema} for media in answer.media_types}
    return {"description": answer.description, "content": content}


def _parameters(rule: Rule, params: tuple[Param, ...]) -> list[dict[str, Any]]:
    declared = {p.name: p for p in params}
    path = [declared.pop(name, Param(name, "path")) for name in sorted(rule.arguments)]
    found = []
    for param in [*path, *declared.values()]:
        schema: dict[str, Any] = {"type": param.type}
        if param.enum:
            schema["enum"] = list(param.enum)
        entry: dict[str, Any] = {
            "name": param.name,
            "in": param.where,
            "required": param.where == "path" or param.required,
            "schema": schema,
        }
        if param.description:
            entry["description"] = param.description
        found.append(entry)
    return found
