"""Numbers and strings at the edges: every route and body answers 4xx with a message, never 5xx.

The routes are read from the URL map and the JSON bodies from the API's operations, so a new
route is walked without being listed here. Run on SQLite and PostgreSQL (which refuses a NUL
in text and integers beyond its columns).
"""

from __future__ import annotations

import io
import json
import re

import pytest

from guidelines_app.web.api.operations import operation_of
from tests.app.api_world import TokenClient
from tests.app.test_api import VALID
from tests.factories import make_user

EDGE_IDS = [str(2**31), str(2**63), "-1", "abc", str(2**31 - 1), "0"]
ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
NUL = "a\x00b"
SURROGATE = "a\ud800b"


@pytest.fixture
def admin_token(app):
    return TokenClient(app, "tokenroot", "admin")


def _id_arguments(rule) -> list[str]:
    """The arguments of a rule that are ids: the ``id`` converter, or ``*_id`` in the API."""
    return [
        name
        for converter, name in ARGUMENT.findall(rule.rule)
        if converter == "id" or (rule.rule.startswith("/api/") and name.endswith("_id"))
    ]


def _fill(rule, **values: str) -> str:
    return ARGUMENT.sub(lambda m: values.get(m.group(2), "x"), rule.rule)


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _assert_error_body(response, rule: str) -> None:
    assert 400 <= response.status_code < 500, (rule, response.status_code)
    error = response.json["error"]
    assert error["status"] == response.status_code and error["message"], rule


def test_every_id_in_a_url_at_the_edges_answers_4xx(app, as_admin, admin_token):
    walked = set()
    for rule in app.url_map.iter_rules():
        names = _id_arguments(rule)
        if not names:
            continue
        for value in EDGE_IDS:
            url = _fill(rule, **dict.fromkeys(names, value))
            for method in _methods(rule):
                if rule.rule.startswith("/api/"):
                    response = admin_token.client.open(
                        url, method=method, headers=admin_token.headers, json=VALID.get(rule.rule)
                    )
                    _assert_error_body(response, f"{method} {url}")
                else:
                    response = as_admin.open(url, method=method)
                    assert 400 <= response.status_code < 500, (method, url, response.status_code)
                if value in ("abc", "-1", str(2**31), str(2**63)):
                    assert response.status_code in (404, 405), (method, url)
                walked.add(rule.rule)
    assert len(walked) >= 19  # 12 page rules (14 routes) and 7 API routes have ids


def _json_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        operation = operation_of(app.view_functions.get(rule.endpoint))
        if operation is not None and operation.body is not None:
            yield rule


def _url(rule) -> str:
    return _fill(rule, slug="news-entities", **dict.fromkeys(_id_arguments(rule), "1"))


def _with_every_string(body, text: str):
    if isinstance(body, str):
        return text
    if isinstance(body, list):
        return [_with_every_string(item, text) for item in body]
    if isinstance(body, dict):
        return {key: _with_every_string(value, text) for key, value in body.items()}
    return body


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_every_json_body_refuses_text_no_database_keeps_naming_the_field(app, admin_token, text):
    rules = list(_json_rules(app))
    assert len(rules) == 8
    for rule in rules:
        body = _with_every_string(VALID[rule.rule], text)
        body["meta"] = {"note": text}  # nested, and a field no schema reads
        response = admin_token.post(_url(rule), json=body)
        _assert_error_body(response, rule.rule)
        assert response.status_code == 422, rule.rule
        problems = response.json["error"]["problems"]
        for name, value in body.items():
            if isinstance(value, str):
                assert any(p.startswith(f"{name}:") for p in problems), (rule.rule, problems)
        assert any(p.startswith("meta.note:") for p in problems), (rule.rule, problems)


#: Each integer field of the JSON bodies, beyond what an id can be.
HUGE = {
    "/api/v1/escalations/<escalation_id>/transition": ["version"],
    "/api/v1/decisions": ["item_ids"],
    "/api/v1/decisions/<decision_id>/supersede": ["by", "version"],
    "/api/v1/decisions/<decision_id>/retire": ["version"],
}


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_every_id_in_a_json_body_at_or_above_2_31_is_422_for_the_field(app, admin_token, number):
    for rule_text, fields in HUGE.items():
        rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
        body = dict(VALID[rule_text])
        for name in fields:
            body[name] = [number] if name.endswith("_ids") else number
        response = admin_token.post(_url(rule), json=body)
        _assert_error_body(response, rule_text)
        assert response.status_code == 422, rule_text
        problems = response.json["error"]["problems"]
        for name in fields:
            assert any(p.startswith(name) and "less than or equal" in p for p in problems), problems
    # the largest id is a number like any other: no such decision
    ok = admin_token.post("/api/v1/decisions/1/supersede", json={"by": 2**31 - 1})
    assert ok.status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 100_000 + "1" + "}" * 100_000,
        None,  # the valid body with a NaN in it: built per route
        "Infinity",
    ],
    ids=["deep-array", "deep-object", "nan", "infinity"],
)
def test_every_json_body_refuses_deep_nesting_and_non_numbers(app, admin_token, raw):
    for rule in _json_rules(app):
        data = raw
        if raw is None:
            data = json.dumps(VALID[rule.rule])[:-1] + ', "weight": NaN}'
        response = admin_token.client.post(
            _url(rule), data=data, headers=admin_token.headers, content_type="application/json"
        )
        _assert_error_body(response, rule.rule)
        if raw is None:
            assert response.json["error"]["problems"] == ["weight: must be a number, not nan"]


def _plain_rules(app, method: str):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if method in rule.methods and not rule.arguments and rule.endpoint != "static":
            yield rule


def test_a_nul_in_any_query_string_is_422_with_a_message(app, as_admin, admin_token):
    count = 0
    for rule in _plain_rules(app, "GET"):
        if rule.rule.startswith("/api/"):
            response = admin_token.get(rule.rule, query_string={"q": NUL})
            _assert_error_body(response, rule.rule)
        else:
            response = as_admin.get(rule.rule, query_string={"q": NUL})
            assert "must not contain a NUL character" in response.get_data(as_text=True)
        assert response.status_code == 422, rule.rule
        count += 1
    assert count >= 10


def test_a_nul_in_any_form_field_is_422_with_a_message(app, as_admin):
    count = 0
    for rule in _plain_rules(app, "POST"):
        if rule.rule.startswith("/api/") or rule.rule == "/logout":
            continue
        for content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            response = as_admin.post(rule.rule, data={"name": NUL}, content_type=content_type)
            assert response.status_code == 422, rule.rule
            assert "name: must not contain a NUL character" in response.get_data(as_text=True)
        count += 1
    assert count >= 5


@pytest.mark.parametrize(
    "url",
    [
        "/admin/audit?page={n}",
        "/decisions?page={n}",
        "/escalations?page={n}",
        "/guidelines/product-review-sentiment/history?page={n}",
        "/taxonomies/news-entities?page={n}",
        "/api/v1/escalations?page={n}",
        "/api/v1/decisions?page={n}",
    ],
)
@pytest.mark.parametrize("n", [2**31, 2**63])
def test_ids_and_pages_in_query_strings_at_or_above_2_31_are_422_for_the_field(
    as_admin, admin_token, url, n
):
    target = url.format(n=n)
    field = url.rsplit("?", 1)[1].split("=")[0]
    if target.startswith("/api/"):
        response = admin_token.get(target)
        _assert_error_body(response, target)
        problems = response.json["error"]["problems"]
    else:
        response = as_admin.get(target)
        problems = [response.get_data(as_text=True)]
    assert response.status_code == 422, target
    assert any(f"{field}: must be at most 2147483647" in p for p in problems), problems


def test_an_assignee_beyond_any_id_is_refused_as_the_queue_refuses_bad_filters(as_admin):
    response = as_admin.get(f"/escalations?assignee={2**31}")
    assert response.status_code == 302  # the queue answers bad filters with a message
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "assignee: must be at most 2147483647" in page


def test_a_nul_in_a_path_is_404(as_admin):
    assert as_admin.get("/guidelines/a%00b").status_code == 404
    assert as_admin.get("/taxonomies/a%00b/labels/x").status_code == 404


@pytest.mark.parametrize("username", ["u" * 200, "ada\x00", "\x00"])
def test_a_username_no_account_can_have_at_login_is_422(app, client, username):
    make_user(app, "ada", "lead")
    response = client.post("/login", data={"username": username, "password": "long enough pw"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Check your username" in text or "must not contain a NUL character" in text


def test_a_colour_that_is_nan_in_an_imported_file_is_422(as_lead):
    response = as_lead.post(
        "/taxonomies/import",
        data={
            "slug": "nan-colours",
            "format": "cvat",
            "file": (io.BytesIO(b'[{"name": "a", "color": NaN}]'), "labels.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.status_code
    assert "NaN is not a JSON number" in response.get_data(as_text=True)
