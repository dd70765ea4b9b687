"""The JSON API's contract: its routes, field names and statuses, its bearer-token rules."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlmodel import select

from guidelines_app.db import session_scope
from guidelines_app.models import BatchFigures, Role
from guidelines_app.services import annotations
from guidelines_app.web import context, security
from guidelines_app.web.errors import status_of
from tests.app.api_world import (
    TokenClient,
    call_every_endpoint,
    field_names,
    finished_import,
    make_world,
    sentiment_csv,
    upload,
)

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


def _figures_kept(app, batch_id: int) -> list[str]:
    """The dimensions whose figures are stored for a batch, read without computing any."""
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        rows = session.exec(select(BatchFigures).where(BatchFigures.batch_id == batch_id))
        return sorted(row.dimension for row in rows)


def test_a_batch_uploaded_through_the_api_has_its_figures_computed_at_once(app):
    lead = TokenClient(app, "lena", Role.LEAD)
    job = finished_import(lead, upload(lead, sentiment_csv())).json
    assert job["status"] == "done", job
    assert _figures_kept(app, job["batch_id"]) == [""]


def test_the_cli_and_the_upload_job_import_through_the_same_use_case(app, runner, tmp_path):
    path = tmp_path / "cli.csv"
    path.write_bytes(sentiment_csv())
    result = runner.invoke(args=["import", str(path), "--dataset", "reviews"])
    assert result.exit_code == 0, result.output
    assert "computing agreement..." in result.output
    assert _figures_kept(app, 1) == [""]

    job_file = tmp_path / "job.upload"
    job_file.write_bytes(sentiment_csv(n_items=5))
    options = annotations.ImportOptions(dataset="reviews", file_name="job.csv")
    with app.app_context():
        with session_scope(context.engine()) as session:
            job_id = annotations.create_job(session=session, options=options).id
        annotations.run_job(
            engine=context.engine(),
            store=context.store(),
            job_id=job_id,
            path=job_file,
            options=options,
            status_of=status_of,
        )
        with session_scope(context.engine(), write=False) as session:
            job = annotations.get_job(session, job_id)
    assert (job.status, job.batch_id) == ("done", 2)
    assert _figures_kept(app, 2) == [""]


# --- bad input, for every endpoint: read from the URL map and the OpenAPI document ---------

SAMPLE = {
    "escalation_id": "1",
    "decision_id": "1",
    "batch_id": "1",
    "job_id": "1",
    "slug": "news-entities",
}
#: A body each POST accepts as far as its schema goes, so a 404 is not hidden by a 422.
VALID = {
    "/api/v1/datasets": {"slug": "reviews", "name": "Reviews"},
    "/api/v1/items": {"dataset": "reviews", "external_id": "r-1"},
    "/api/v1/escalations": {
        "dataset": "reviews",
        "external_id": "r-1",
        "guideline": "product-review-sentiment",
        "question": "which?",
    },
    "/api/v1/escalations/<escalation_id>/transition": {"to": "in_review", "version": 1},
    "/api/v1/escalations/<escalation_id>/comments": {"body": "more"},
    "/api/v1/decisions": {"title": "T", "ruling": "R", "guideline": "product-review-sentiment"},
    "/api/v1/decisions/<decision_id>/supersede": {"by": 1},
    "/api/v1/decisions/<decision_id>/retire": {"reason": "obsolete"},
}


def _routes(app, *, method: str | None = None):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/"):
            continue
        for verb in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method is None or verb == method:
                yield rule, verb


def _url(rule, **values) -> str:
    return rule.build({**SAMPLE, **values}, append_unknown=False)[1]


def _json_bodies(app, document):
    """(rule, the body's component schema) for every POST that takes JSON."""
    for rule, _verb in _routes(app, method="POST"):
        path = rule.rule.replace("<", "{").replace(">", "}")
        content = document["paths"][path]["post"]["requestBody"]["content"]
        if "application/json" in content:
            name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            yield rule, document["components"]["schemas"][name]


@pytest.fixture
def admin(app):
    return TokenClient(app, "root", Role.ADMIN)


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def test_every_route_without_a_token_answers_401_with_a_message(app, client):
    seen = 0
    for rule, verb in _routes(app):
        if security.least_role(app, rule.endpoint) == security.PUBLIC:
            continue
        response = client.open(_url(rule), method=verb, json=VALID.get(rule.rule, {}))
        assert response.status_code == 401, rule.rule
        assert response.json["error"]["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        seen += 1
    assert seen >= 20


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANNOTATOR])
def test_every_route_above_a_role_refuses_it_with_403(app, role):
    caller = TokenClient(app, f"a-{role.value}", role)
    refused = 0
    for rule, verb in _routes(app):
        needed = security.least_role(app, rule.endpoint)
        if needed == security.PUBLIC or Role(needed).rank <= role.rank:
            continue
        response = caller.client.open(
            _url(rule), method=verb, headers=caller.headers, json=VALID.get(rule.rule, {})
        )
        assert response.status_code == 403, rule.rule
        assert f"needs the {Role(needed).value} role" in response.json["error"]["message"]
        refused += 1
    assert refused >= 3


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"dataset": "reviews",}', "application/json"),
        ("[]", "application/json"),
        ('"text"', "application/json"),
        ("null", "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
        ("dataset=reviews", "application/x-www-form-urlencoded"),
    ],
)
def test_every_json_body_refuses_what_is_not_a_json_object_with_422(
    app, admin, document, data, content_type
):
    for rule, _schema in _json_bodies(app, document):
        response = admin.client.post(
            _url(rule), data=data, content_type=content_type, headers=admin.headers
        )
        assert response.status_code == 422, rule.rule
        assert response.json["error"]["problems"], rule.rule


def test_every_json_body_names_each_missing_field(app, admin, document):
    for rule, schema in _json_bodies(app, document):
        response = admin.post(_url(rule), json={})
        assert response.status_code == 422, rule.rule
        problems = response.json["error"]["problems"]
        assert sorted(problems) == sorted(
            f"{name}: this field is required" for name in schema.get("required", [])
        ), rule.rule


def _wrong_values(schema, components) -> list:
    """Values of the wrong JSON type for a property schema; none for "any JSON value"."""
    options = schema.get("anyOf", [schema])
    types = set()
    for option in options:
        if "$ref" in option:
            option = components[option["$ref"].rsplit("/", 1)[1]]
        if "type" in option:
            types.add(option["type"])
    types.discard("null")
    if not types:
        return []
    wrong = {
        "string": [12345, ["x"], {"x": 1}, True],
        "integer": ["1", 1.5, True, [1]],
        "array": ["x", {"x": 1}, 3],
        "object": [[], "x", 3],
    }
    return [value for kind in types for value in wrong[kind]]


def test_every_json_body_field_of_the_wrong_type_is_422_naming_it(app, admin, document):
    components = document["components"]["schemas"]
    checked = 0
    for rule, schema in _json_bodies(app, document):
        for name, field in schema["properties"].items():
            for value in _wrong_values(field, components):
                body = {**VALID[rule.rule], name: value}
                response = admin.post(_url(rule), json=body)
                assert response.status_code == 422, (rule.rule, name, value)
                problems = response.json["error"]["problems"]
                assert problems and all(p.startswith(name) for p in problems), problems
                checked += 1
    assert checked > 100


def test_a_list_of_the_wrong_items_names_the_item(admin):
    body = {**VALID["/api/v1/decisions"], "item_ids": [1, "2", True]}
    response = admin.post("/api/v1/decisions", json=body)
    assert response.status_code == 422
    assert [p.split(":")[0] for p in response.json["error"]["problems"]] == [
        "item_ids[1]",
        "item_ids[2]",
    ]


def test_negative_versions_and_ids_are_422(admin):
    url = "/api/v1/escalations/1/transition"
    response = admin.post(url, json={"to": "in_review", "version": -1})
    assert response.status_code == 422
    assert response.json["error"]["problems"][0].startswith("version:")
    response = admin.post("/api/v1/decisions/1/supersede", json={"by": -3})
    assert response.status_code == 422


@pytest.mark.parametrize("raw", ["999999", "abc", "1e3", "0x1"])
def test_every_route_with_an_unknown_id_answers_404(app, admin, raw):
    answered = 0
    for rule, verb in _routes(app):
        if not rule.arguments or rule.arguments == {"slug"}:
            continue
        (name,) = rule.arguments
        response = admin.client.open(
            _url(rule, **{name: raw}),
            method=verb,
            headers=admin.headers,
            json=VALID.get(rule.rule),
        )
        assert response.status_code == 404, rule.rule
        assert response.json["error"]["message"], rule.rule
        answered += 1
    assert answered == 9  # escalations 3, decisions 3, batches 2 (show, remove), imports 1


def test_every_taxonomy_route_with_an_unknown_slug_answers_404(app, admin):
    for rule, verb in _routes(app):
        if "slug" in rule.arguments:
            url = _url(rule, slug="no-such-taxonomy") + "?to=csv"
            response = admin.client.open(url, method=verb, headers=admin.headers)
            assert response.status_code == 404, rule.rule
            assert "no-such-taxonomy" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"file": None}, ["file"]),
        ({"dataset": ""}, ["dataset"]),
        ({"map_labels": "maybe"}, ["map_labels"]),
        ({"file": None, "dataset": "", "map_labels": "maybe"}, ["file", "dataset", "map_labels"]),
        ({"release": "three"}, ["release"]),
    ],
)
def test_a_bad_upload_form_is_422_naming_every_field(app, fields, named):
    lead = TokenClient(app, "lena", Role.LEAD)
    form = {"dataset": "reviews", "file": (io.BytesIO(sentiment_csv()), "b.csv"), **fields}
    form = {key: value for key, value in form.items() if value is not None}
    response = lead.post(
        "/api/v1/annotation-batches", json=None, data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert [p.split(":")[0] for p in response.json["error"]["problems"]] == named


def test_an_upload_sent_as_json_is_422(app):
    lead = TokenClient(app, "lena", Role.LEAD)
    response = lead.post("/api/v1/annotation-batches", json={"dataset": "reviews"})
    assert response.status_code == 422
    assert response.json["error"]["problems"] == [
        "file: a multipart field 'file' is required",
        "dataset: this field is required",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/escalations?sort=sideways",
        "/api/v1/escalations?status=flying",
        "/api/v1/taxonomies/news-entities/export?to=excel",
        "/api/v1/taxonomies/news-entities/export",
    ],
)
def test_bad_query_parameters_are_422_with_a_message(admin, url):
    response = admin.get(url)
    assert response.status_code == 422
    assert response.json["error"]["message"]
