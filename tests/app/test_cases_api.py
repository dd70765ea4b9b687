"""The JSON API for datasets, items, escalations and decisions, bad input included."""

from __future__ import annotations

import pytest

from guidelines_app.models import Role
from tests.app.api_world import TokenClient, decision_body, escalation_body


@pytest.fixture
def lead(app):
    return TokenClient(app, "apilead", Role.LEAD)


@pytest.fixture
def annotator(app):
    return TokenClient(app, "apiann", Role.ANNOTATOR)


@pytest.fixture
def viewer(app):
    return TokenClient(app, "apiview", Role.VIEWER)


@pytest.fixture
def dataset(lead):
    response = lead.post("/api/v1/datasets", json={"slug": "reviews", "name": "Reviews"})
    assert response.status_code == 201, response.json
    return "reviews"


def test_full_workflow_through_the_api(lead, annotator, dataset):
    created = annotator.post("/api/v1/escalations", json=escalation_body())
    assert created.status_code == 201, created.json
    eid = created.json["id"]
    assert created.json["labels"] == ["negative", "positive"]
    assert created.json["status"] == "open"
    taken = lead.post(
        f"/api/v1/escalations/{eid}/transition", json={"to": "in_review", "version": 1}
    )
    assert taken.status_code == 200 and taken.json["status"] == "in_review"
    decision = lead.post("/api/v1/decisions", json=decision_body())
    assert decision.status_code == 201, decision.json
    resolved = lead.post(
        f"/api/v1/escalations/{eid}/transition",
        json={"to": "resolved", "version": 2, "decision_id": decision.json["id"]},
    )
    assert resolved.status_code == 200
    one = annotator.get(f"/api/v1/decisions/{decision.json['id']}").json
    assert one["item_ids"] == [created.json["item_id"]]
    assert one["ruling_labels"] == ["negative"]
    found = annotator.get("/api/v1/decisions", query_string={"q": "star rating"}).json
    assert [d["id"] for d in found["decisions"]] == [decision.json["id"]]
    assert "<mark>" in found["decisions"][0]["snippet_html"]


def test_stale_or_impossible_transition_is_409_with_the_current_state(lead, annotator, dataset):
    eid = annotator.post("/api/v1/escalations", json=escalation_body()).json["id"]
    url = f"/api/v1/escalations/{eid}/transition"
    assert lead.post(url, json={"to": "in_review", "version": 1}).status_code == 200
    stale = lead.post(url, json={"to": "in_review", "version": 1})
    assert stale.status_code == 409
    assert stale.json["error"]["current_status"] == "in_review"
    assert stale.json["error"]["current_version"] == 2
    impossible = lead.post(url, json={"to": "in_review", "version": 2})
    assert impossible.status_code == 409
    assert impossible.json["error"]["current_status"] == "in_review"


def test_unknown_dataset_and_label_are_422_naming_them(annotator, dataset):
    response = annotator.post(
        "/api/v1/escalations", json=escalation_body(dataset="ghost", labels=["nope"])
    )
    assert response.status_code == 422
    assert any("ghost" in p for p in response.json["error"]["problems"])
    response = annotator.post("/api/v1/escalations", json=escalation_body(labels=["nope"]))
    assert response.status_code == 422
    assert any("nope" in p for p in response.json["error"]["problems"])


def test_too_large_question_or_payload_is_413(annotator, dataset):
    assert (
        annotator.post(
            "/api/v1/escalations", json=escalation_body(question="q" * 20_001)
        ).status_code
        == 413
    )
    big = escalation_body(text=None, payload={"blob": "x" * 1_000_001})
    assert annotator.post("/api/v1/escalations", json=big).status_code == 413
    item = {"dataset": "reviews", "external_id": "big", "payload": ["y" * 1_000_001]}
    assert annotator.post("/api/v1/items", json=item).status_code == 413


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"dataset": 5}, {"labels": "positive"}, {"meta": []}],
)
def test_malformed_json_bodies_are_422(annotator, dataset, body):
    response = annotator.post("/api/v1/escalations", json=body)
    assert response.status_code == 422
    assert response.is_json


def test_non_json_body_is_422(annotator, dataset):
    response = annotator.client.post(
        "/api/v1/escalations", headers=annotator.headers, data="dataset=reviews"
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"to": "in_review"},
        {"to": "in_review", "version": "1"},
        {"to": "in_review", "version": True},
        {"to": "flying", "version": 1},
        {"to": "in_review", "version": -1},
    ],
)
def test_bad_transition_bodies_are_refused_without_500(lead, annotator, dataset, body):
    eid = annotator.post("/api/v1/escalations", json=escalation_body()).json["id"]
    response = lead.post(f"/api/v1/escalations/{eid}/transition", json=body)
    assert response.status_code in (409, 422)


def test_roles_are_enforced(viewer, annotator, dataset):
    assert viewer.post("/api/v1/escalations", json=escalation_body()).status_code == 403
    assert annotator.post("/api/v1/decisions", json=decision_body()).status_code == 403
    assert annotator.post("/api/v1/datasets", json={"slug": "x", "name": "X"}).status_code == 403
    assert viewer.get("/api/v1/decisions").status_code == 200


def test_unknown_ids_are_404(viewer):
    for url in ("/api/v1/decisions/999", "/api/v1/decisions/abc", "/api/v1/escalations/7"):
        assert viewer.get(url).status_code == 404


def test_items_are_created_once_and_read_back(annotator, viewer, dataset):
    body = {"dataset": "reviews", "external_id": "a/b", "text": "hello", "meta": {"lang": "en"}}
    assert annotator.post("/api/v1/items", json=body).status_code == 201
    assert annotator.post("/api/v1/items", json={**body, "text": "changed"}).status_code == 200
    item = viewer.get("/api/v1/items", query_string={"dataset": "reviews", "external_id": "a/b"})
    assert item.json["text"] == "hello" and item.json["meta"] == {"lang": "en"}


@pytest.mark.parametrize("query", ["' OR 1=1 --", "NEAR(a b)", "-x", 'a" OR "b', "zz*"])
def test_search_treats_syntax_as_text(viewer, lead, query):
    lead.post("/api/v1/decisions", json=decision_body())
    response = viewer.get("/api/v1/decisions", query_string={"q": query})
    assert response.status_code == 200
    assert response.json["decisions"] == []


def test_supersede_and_retire(lead):
    old = lead.post("/api/v1/decisions", json=decision_body()).json["id"]
    new = lead.post("/api/v1/decisions", json=decision_body(title="Better")).json["id"]
    response = lead.post(f"/api/v1/decisions/{old}/supersede", json={"by": new})
    assert response.status_code == 200 and response.json["status"] == "superseded"
    again = lead.post(f"/api/v1/decisions/{old}/supersede", json={"by": new})
    assert again.status_code == 409
    assert lead.post(f"/api/v1/decisions/{new}/retire", json={"reason": ""}).status_code == 422
    retired = lead.post(f"/api/v1/decisions/{new}/retire", json={"reason": "obsolete"})
    assert retired.json["status"] == "retired"


def test_comments_through_the_api(annotator, viewer, dataset):
    eid = annotator.post("/api/v1/escalations", json=escalation_body()).json["id"]
    assert (
        annotator.post(f"/api/v1/escalations/{eid}/comments", json={"body": "more"}).status_code
        == 201
    )
    assert (
        annotator.post(f"/api/v1/escalations/{eid}/comments", json={"body": 3}).status_code == 422
    )
    timeline = viewer.get(f"/api/v1/escalations/{eid}").json["timeline"]
    assert [entry["kind"] for entry in timeline] == ["event", "comment"]


@pytest.mark.parametrize("query", ['"', "*", "--", "()"])
def test_a_query_of_symbols_only_lists_the_log_instead_of_failing(viewer, lead, query):
    lead.post("/api/v1/decisions", json=decision_body())
    response = viewer.get("/api/v1/decisions", query_string={"q": query})
    assert response.status_code == 200
    assert len(response.json["decisions"]) == 1
