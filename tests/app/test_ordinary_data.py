"""Ordinary data never breaks a page: undated files, one annotator, one label, labels merged
away, items shared across datasets, real exports without times, or nothing at all.

Each case is imported for a guideline the way a user would (``guidelines import``), then
every agreement page, export and CLI report of that guideline is rendered: all answer,
and the report says in words what is unusual about the data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guidelines_app.db import session_scope
from guidelines_app.services import accounts, taxonomies
from guidelines_app.store import Author
from tests.factories import signed_in_client

SLUG = "product-review-sentiment"
LABELS = ("positive", "negative", "neutral")
INTEROP = Path(__file__).resolve().parents[2].parent / "shared" / "interop"
LEAD = Author("Lena Lead", "lena@example.org")


def plain_csv(items: int = 40, annotators: int = 3, labels: tuple[str, ...] = LABELS) -> bytes:
    """``item,annotator,label`` and nothing else: no times, no release."""
    rng = random.Random(items * 31 + annotators)
    lines = ["item,annotator,label"]
    for n in range(items):
        truth = labels[n % len(labels)]
        for a in range(annotators):
            label = truth if rng.random() < 0.75 else rng.choice(labels)
            lines.append(f"review-{n},annotator-{a},{label}")
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Flask, Callable[..., None], Path], None]
    notice: str  # a phrase the report must show


def _release(app: Flask) -> None:
    store = app.extensions["guidelines.store"]
    store.create_release(
        f"guidelines/{SLUG}.md", rev=store.head(), message="First release.", tagger=LEAD
    )


def _merge_neutral_away(app: Flask) -> None:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        taxonomies.apply_operation(
            session=session,
            store=app.extensions["guidelines.store"],
            slug=SLUG,
            operation="merge",
            params={
                "sources": ["negative", "neutral"],
                "into_id": "not-positive",
                "into_name": "Not positive",
            },
            base=None,
            author=LEAD,
            message="Merge negative and neutral",
        )


def _undated(app, run, tmp):
    run(plain_csv(), "plain.csv")


def _undated_with_release(app, run, tmp):
    _release(app)
    run(plain_csv(), "plain.csv", "--release", "v1")


def _undated_then_released(app, run, tmp):
    run(plain_csv(), "plain.csv")
    _release(app)


def _undated_under_a_release(app, run, tmp):
    _release(app)
    run(plain_csv(), "plain.csv")  # stamped with the release in force


def _one_annotator(app, run, tmp):
    run(plain_csv(annotators=1), "solo.csv")


def _one_label(app, run, tmp):
    run(plain_csv(labels=("positive",)), "positive.csv")


def _merged_away(app, run, tmp):
    run(plain_csv(), "plain.csv")
    _merge_neutral_away(app)


def _shared_items(app, run, tmp):
    run(plain_csv(), "plain.csv", dataset="reviews-a")
    run(plain_csv(annotators=2), "plain-again.csv", dataset="reviews-b")


def _nothing(app, run, tmp):
    pass


def _doccano_export(app, run, tmp):
    data = (INTEROP / "doccano" / "export-text_classification.jsonl").read_bytes()
    run(data, "alice.jsonl")
    run(data, "bob.jsonl", dataset="reviews-b")


CASES = (
    Case("undated", _undated, "The guideline has no release yet"),
    Case("undated-stamped-v1", _undated_with_release, "No annotation has a time"),
    Case("undated-then-released", _undated_then_released, "neither a release nor timestamps"),
    Case("undated-under-a-release", _undated_under_a_release, "No annotation has a time"),
    Case("one-annotator", _one_annotator, "One annotator only"),
    Case("one-label", _one_label, "Every annotation has the same label"),
    Case("labels-merged-away", _merged_away, "No annotation has a time"),
    Case("items-shared-across-datasets", _shared_items, "No annotation has a time"),
    Case("no-annotations", _nothing, "No annotation batch has been imported"),
    Case("doccano-exports-no-overlap", _doccano_export, "No item was annotated by two"),
)


@pytest.fixture(params=CASES, ids=lambda case: case.name)
def case(request: pytest.FixtureRequest, app: Flask, runner, tmp_path: Path) -> Case:
    def run(data: bytes, name: str, *extra: str, dataset: str = "reviews") -> None:
        path = tmp_path / name
        path.write_bytes(data)
        args = ["import", str(path), "--dataset", dataset, "--guideline", SLUG, *extra]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output

    request.param.build(app, run, tmp_path)
    return request.param


@pytest.fixture
def lead(app: Flask) -> FlaskClient:
    return signed_in_client(app, "lead", "lena")


@pytest.fixture
def api_headers(app: Flask, lead: FlaskClient) -> dict[str, str]:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        user = accounts.get_user(session, "lena")
        _token, secret = accounts.create_api_token(session=session, user_id=user.id, name="t")
    return {"Authorization": f"Bearer {secret}"}


def _ok(client: FlaskClient, url: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])
    return response.get_data(as_text=True)


def test_every_agreement_page_export_and_report_renders(case, app, lead, api_headers, runner):
    page = _ok(lead, f"/guidelines/{SLUG}/agreement")
    assert case.notice in page
    report = json.loads(_ok(lead, f"/guidelines/{SLUG}/agreement/report.json"))
    assert any(case.notice in n for n in report["notices"])
    assert case.notice in _ok(lead, f"/guidelines/{SLUG}/agreement/report.md")
    _ok(lead, "/agreement")
    batches = json.loads(_ok(lead, "/api/v1/annotation-batches", api_headers))
    for batch in batches["batches"]:
        _ok(lead, f"/agreement/batches/{batch['id']}")
        _ok(lead, f"/api/v1/annotation-batches/{batch['id']}", api_headers)
    printed = runner.invoke(args=["report", SLUG])
    assert printed.exit_code == 0, printed.output
    assert case.notice in printed.output
    as_json = runner.invoke(args=["report", SLUG, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["notices"] == report["notices"]
