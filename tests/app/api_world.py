"""A small world for the JSON API: tokens for each role, one of every object, every endpoint called.

``call_every_endpoint`` answers each route of /api/v1 with a real response (and the error
answers tools meet most: 401, 403, 404, 409, 422), so the contract test can record the
field names and the OpenAPI test can check every body against its declared schema.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from guidelines_app import demo
from guidelines_app.db import session_scope
from guidelines_app.demo import content as demo_content
from guidelines_app.models import Role
from guidelines_app.services.accounts import users as accounts
from tests.factories import make_user

GUIDELINE = "product-review-sentiment"
TAXONOMY = "news-entities"


class TokenClient:
    """A test client that authenticates every request with its own bearer token."""

    def __init__(self, app: Flask, username: str, role: Role | str) -> None:
        user = make_user(app, username, role)
        with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
            _token, secret = accounts.create_api_token(
                session=session, user_id=user.id, name="tests"
            )
        self.client: FlaskClient = app.test_client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.post(url, headers=self.headers, json=json, **kw)

    def delete(self, url: str, **kw: Any) -> TestResponse:
        return self.client.delete(url, headers=self.headers, **kw)


def replay_demo_revisions(app: Flask) -> None:
    """The demo's guideline and taxonomy histories: releases v1..v3, a split, a merge."""
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        context = demo.DemoContext(
            session=session,
            store=app.extensions["guidelines.store"],
            accounts={},
            log=lambda _message: None,
        )
        demo_content.replay_revisions(context)


def sentiment_csv(n_items: int = 12) -> bytes:
    lines = ["item,annotator,label,created_at"]
    for i in range(n_items):
        for annotator in ("ann", "bob", "cat"):
            label = "positive" if (i + ord(annotator[0])) % 3 else "negative"
            lines.append(f"review-{i},{annotator},{label},")
    return ("\n".join(lines) + "\n").encode()


def upload(client: TokenClient, data: bytes, *, wait: bool = False, **form: str) -> TestResponse:
    fields: dict[str, Any] = {"dataset": "reviews", "guideline": GUIDELINE, **form}
    fields["file"] = (io.BytesIO(data), "batch.csv")
    url = "/api/v1/annotation-batches" + ("?wait=true" if wait else "")
    return client.post(url, json=None, data=fields, content_type="multipart/form-data")


def join_import_threads(timeout: float = 60.0) -> None:
    """Wait for this process's background imports to end (no sleeps, no polling loops)."""
    for thread in threading.enumerate():
        if thread.name.startswith("annotation-import-"):
            thread.join(timeout)


def finished_import(client: TokenClient, accepted: TestResponse) -> TestResponse:
    """The status endpoint of an import answered 202, once its job has ended."""
    assert accepted.status_code == 202, accepted.get_data(as_text=True)
    join_import_threads()
    return client.get(accepted.headers["Location"])


@dataclass
class Call:
    """One request made and its answer; ``rule`` is the Flask URL rule it reached."""

    method: str
    rule: str
    status: int
    body: Any
    content_type: str


@dataclass
class World:
    app: Flask
    lead: TokenClient
    annotator: TokenClient
    viewer: TokenClient
    calls: list[Call] = field(default_factory=list)

    def record(self, method: str, rule: str, response: TestResponse) -> TestResponse:
        body = response.get_json(silent=True) if response.is_json else None
        self.calls.append(Call(method, rule, response.status_code, body, response.mimetype or ""))
        return response


def make_world(app: Flask) -> World:
    replay_demo_revisions(app)
    return World(
        app=app,
        lead=TokenClient(app, "apilead", Role.LEAD),
        annotator=TokenClient(app, "apiann", Role.ANNOTATOR),
        viewer=TokenClient(app, "apiview", Role.VIEWER),
    )


def escalation_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "dataset": "reviews",
        "external_id": "r-1",
        "text": "Five stars. It exploded.",
        "guideline": GUIDELINE,
        "labels": ["positive", "negative"],
        "section_id": "mixed-opinions",
        "question": "Stars say positive, text says negative?",
    }
    body.update(overrides)
    return body


def decision_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Stars against text",
        "ruling": "The text wins over the star rating.",
        "rationale": "We label the text.",
        "guideline": GUIDELINE,
        "section_id": "mixed-opinions",
        "ruling_labels": ["negative"],
        "labels": ["positive"],
        "tags": ["stars"],
    }
    body.update(overrides)
    return body


def call_every_endpoint(world: World) -> list[Call]:
    """Each /api/v1 route with a success, and the common errors, in a sensible order."""
    lead, annotator, viewer, r = world.lead, world.annotator, world.viewer, world.record
    anonymous = world.app.test_client()
    v1 = "/api/v1"

    r("GET", f"{v1}/openapi.json", anonymous.get(f"{v1}/openapi.json"))
    r("GET", f"{v1}/me", viewer.get(f"{v1}/me"))
    r("GET", f"{v1}/me", anonymous.get(f"{v1}/me"))

    r("POST", f"{v1}/datasets", lead.post(f"{v1}/datasets", json={"slug": "reviews", "name": "R"}))
    r("POST", f"{v1}/datasets", annotator.post(f"{v1}/datasets", json={"slug": "x", "name": "X"}))
    r("POST", f"{v1}/datasets", lead.post(f"{v1}/datasets", json={"slug": "reviews", "name": "R"}))
    r("GET", f"{v1}/datasets", viewer.get(f"{v1}/datasets"))

    item = {"dataset": "reviews", "external_id": "a-1", "text": "hello", "meta": {"lang": "en"}}
    r("POST", f"{v1}/items", annotator.post(f"{v1}/items", json=item))
    r("POST", f"{v1}/items", annotator.post(f"{v1}/items", json=item))
    r("POST", f"{v1}/items", annotator.post(f"{v1}/items", json={"dataset": 5}))
    query = {"dataset": "reviews", "external_id": "a-1"}
    r("GET", f"{v1}/items", viewer.get(f"{v1}/items", query_string=query))
    r("GET", f"{v1}/items", viewer.get(f"{v1}/items", query_string={"dataset": "reviews"}))

    escalations = f"{v1}/escalations"
    created = r("POST", escalations, annotator.post(escalations, json=escalation_body()))
    eid = created.json["id"]
    r("POST", escalations, viewer.post(escalations, json=escalation_body()))
    r("POST", escalations, annotator.post(escalations, json=escalation_body(labels=["nope"])))
    r("GET", f"{v1}/escalations", viewer.get(f"{v1}/escalations"))
    r("GET", f"{v1}/escalations/<escalation_id>", viewer.get(f"{v1}/escalations/{eid}"))
    r("GET", f"{v1}/escalations/<escalation_id>", viewer.get(f"{v1}/escalations/999"))
    transition = f"{v1}/escalations/{eid}/transition"
    rule = f"{v1}/escalations/<escalation_id>/transition"
    r("POST", rule, lead.post(transition, json={"to": "in_review", "version": 1}))
    r("POST", rule, lead.post(transition, json={"to": "in_review", "version": 1}))
    r("POST", rule, lead.post(transition, json={"to": "in_review"}))
    r("POST", rule, annotator.post(transition, json={"to": "in_review", "version": 2}))
    comments = f"{v1}/escalations/<escalation_id>/comments"
    r("POST", comments, annotator.post(f"{v1}/escalations/{eid}/comments", json={"body": "more"}))
    r("POST", comments, annotator.post(f"{v1}/escalations/999/comments", json={"body": "more"}))
    r("GET", f"{v1}/escalations/<escalation_id>", viewer.get(f"{v1}/escalations/{eid}"))

    first = r("POST", f"{v1}/decisions", lead.post(f"{v1}/decisions", json=decision_body()))
    second = lead.post(f"{v1}/decisions", json=decision_body(title="Better"))
    third = lead.post(f"{v1}/decisions", json=decision_body(title="Short lived"))
    r("POST", f"{v1}/decisions", annotator.post(f"{v1}/decisions", json=decision_body()))
    r("POST", f"{v1}/decisions", lead.post(f"{v1}/decisions", json=decision_body(labels="x")))
    one, two, three = first.json["id"], second.json["id"], third.json["id"]
    r("GET", f"{v1}/decisions", viewer.get(f"{v1}/decisions"))
    r("GET", f"{v1}/decisions", viewer.get(f"{v1}/decisions", query_string={"q": "star rating"}))
    r("GET", f"{v1}/decisions/<decision_id>", viewer.get(f"{v1}/decisions/{one}"))
    r("GET", f"{v1}/decisions/<decision_id>", viewer.get(f"{v1}/decisions/abc"))
    supersede = f"{v1}/decisions/<decision_id>/supersede"
    r("POST", supersede, lead.post(f"{v1}/decisions/{one}/supersede", json={"by": two}))
    r("POST", supersede, lead.post(f"{v1}/decisions/{one}/supersede", json={"by": two}))
    retire = f"{v1}/decisions/<decision_id>/retire"
    r("POST", retire, lead.post(f"{v1}/decisions/{three}/retire", json={"reason": "obsolete"}))
    r("POST", retire, lead.post(f"{v1}/decisions/{two}/retire", json={"reason": ""}))

    batches = f"{v1}/annotation-batches"
    made = r("POST", batches, upload(lead, sentiment_csv(), wait=True))
    r("POST", batches, upload(lead, sentiment_csv(), wait=True))
    r("POST", batches, upload(viewer, sentiment_csv()))
    r("POST", batches, upload(lead, b"item,item,label\n1,2,3\n", wait=True))
    accepted = r("POST", batches, upload(lead, sentiment_csv(n_items=5)))
    job = f"{v1}/annotation-imports/<job_id>"
    r("GET", job, finished_import(lead, accepted))
    r("GET", job, lead.get(f"{v1}/annotation-imports/999"))
    r("GET", batches, viewer.get(batches))
    batch = f"{v1}/annotation-batches/<batch_id>"
    r("GET", batch, lead.get(f"{batches}/{made.json['id']}"))
    r("GET", batch, viewer.get(f"{batches}/{made.json['id']}"))
    r("GET", batch, viewer.get(f"{batches}/{made.json['id']}?dimension=nope"))
    r("GET", batch, viewer.get(f"{batches}/999"))
    r("DELETE", batch, viewer.delete(f"{batches}/{made.json['id']}"))
    r("DELETE", batch, lead.delete(f"{batches}/999"))
    r("DELETE", batch, lead.delete(f"{batches}/{made.json['id']}"))
    r("GET", batch, viewer.get(f"{batches}/{made.json['id']}"))

    tax = f"{v1}/taxonomies/{TAXONOMY}"
    r("GET", f"{v1}/taxonomies", viewer.get(f"{v1}/taxonomies"))
    r("GET", f"{v1}/taxonomies", anonymous.get(f"{v1}/taxonomies"))
    r("GET", f"{v1}/taxonomies/<slug>", viewer.get(tax))
    r("GET", f"{v1}/taxonomies/<slug>", viewer.get(f"{tax}?release=v9"))
    r("GET", f"{v1}/taxonomies/<slug>/diff", viewer.get(f"{tax}/diff?from=v1&to=v2"))
    r("GET", f"{v1}/taxonomies/<slug>/diff", viewer.get(f"{tax}/diff?from=v9"))
    r("GET", f"{v1}/taxonomies/<slug>/migration", viewer.get(f"{tax}/migration?from=v1&to=v2"))
    r("GET", f"{v1}/taxonomies/<slug>/export", viewer.get(f"{tax}/export?to=labelstudio&rev=v2"))
    r("GET", f"{v1}/taxonomies/<slug>/export", viewer.get(f"{tax}/export?to=excel"))
    return world.calls


#: Objects whose keys are data (label ids, dataset slugs), not field names: their keys are
#: not recorded. ``figures`` is documented in docs/agreement.md: its top level is recorded.
DATA_KEYED = {"map", "annotation_counts", "annotation_counts{}"}
TOP_LEVEL_ONLY = {"figures"}


def field_names(body: Any, prefix: str = "") -> set[str]:
    """Every field path of a JSON body: ``escalations[].item.text``, ``map{}.status``."""
    found: set[str] = set()
    if isinstance(body, dict):
        if prefix in TOP_LEVEL_ONLY:
            return {f"{prefix}.{key}" for key in body}
        keyed = prefix in DATA_KEYED
        for key, value in body.items():
            path = f"{prefix}{{}}" if keyed else (f"{prefix}.{key}" if prefix else key)
            if not keyed:
                found.add(path)
            found |= field_names(value, path)
    elif isinstance(body, list):
        for value in body:
            found |= field_names(value, f"{prefix}[]")
    return found
