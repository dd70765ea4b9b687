"""The JSON of the release report is a contract: its field names are pinned, at every level.

Tools read ``/guidelines/<slug>/agreement/report.json``, ``?format=json`` comparisons
and ``guidelines report --json``. The demo's three guidelines between them produce every
part of the report (folded decisions, a taxonomy merge and a split compared through the
migration map, drift with movers, hotspots with decisions and open escalations), so the
union of their field names is compared with the list in ``release_report_fields.txt``.
A field added on purpose is added there too; one renamed or lost fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from guidelines_app import create_app, demo
from guidelines_app.db import session_scope
from guidelines_app.models import Role
from guidelines_app.services.reports import Comparison, ReleaseReport
from tests.conftest import app_config
from tests.factories import signed_in_client

FIELDS = Path(__file__).with_name("release_report_fields.txt")
GUIDELINES = ("product-review-sentiment", "chatbot-preference", "news-entities")
#: Objects keyed by data (labels), not by field names: their keys are shown as ``*``.
KEYED_BY_DATA = {
    "label_timelines",
    "comparisons[].label_space.report.moved",
    "comparisons[].label_space.report.needs_relabel",
    "comparisons[].label_space.report.unmapped",
}


def field_paths(value: object, path: str = "") -> Iterator[str]:
    """``a.b[].c`` for every leaf; ``a{}`` for an empty object, ``a[]`` for an empty list."""
    if isinstance(value, dict):
        if not value:
            yield f"{path}{{}}"
        for key, item in value.items():
            name = "*" if path in KEYED_BY_DATA else key
            yield from field_paths(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        if not value:
            yield f"{path}[]"
        for item in value:
            yield from field_paths(item, f"{path}[]")
    else:
        yield path


@pytest.fixture
def demo_app(tmp_path: Path, database_url: str, content_repo: Path) -> Iterator[Flask]:
    config = app_config(tmp_path, database_url, content_repo, REPORT_RESAMPLES=20)
    application = create_app(config)
    with application.app_context(), session_scope(application.extensions["guidelines.engine"]) as s:
        demo.load_demo(
            session=s,
            store=application.extensions["guidelines.store"],
            credentials_file=tmp_path / "demo.json",
            profile="fast",
        )
    yield application
    application.extensions["guidelines.engine"].dispose()


def test_report_json_keeps_every_field_name_at_every_level(demo_app):
    lead = signed_in_client(demo_app, Role.LEAD, "lena")
    found: set[str] = set()
    for slug in GUIDELINES:
        response = lead.get(f"/guidelines/{slug}/agreement/report.json")
        assert response.status_code == 200
        found.update(field_paths(json.loads(response.get_data())))
    pinned = set(FIELDS.read_text(encoding="utf-8").split())
    assert sorted(found - pinned) == [], "fields not in release_report_fields.txt"
    assert sorted(pinned - found) == [], "fields of release_report_fields.txt gone"


def test_report_command_and_comparison_json_have_the_same_fields_as_report_json(demo_app):
    lead = signed_in_client(demo_app, Role.LEAD, "lena")
    slug = "product-review-sentiment"
    exported = json.loads(lead.get(f"/guidelines/{slug}/agreement/report.json").get_data())
    printed = demo_app.test_cli_runner().invoke(args=["report", slug, "--json"])
    assert printed.exit_code == 0, printed.output
    cli = json.loads(printed.output)
    assert list(cli) == list(exported)
    assert set(field_paths(cli)) == set(field_paths(exported))
    compared = lead.get(f"/guidelines/{slug}/agreement/compare?from=v1&to=v2&format=json")
    assert compared.status_code == 200
    in_report = set(field_paths(exported["comparisons"], "comparisons"))
    assert set(field_paths([json.loads(compared.get_data())], "comparisons")) <= in_report


def test_the_typed_report_and_comparisons_read_back_their_own_json(demo_app):
    """The cache keeps ``to_dict()`` and the services return ``from_dict`` of it: nothing
    may be lost or changed on the way, whichever parts a guideline's data produces."""
    lead = signed_in_client(demo_app, Role.LEAD, "lena")
    for slug in GUIDELINES:
        exported = json.loads(lead.get(f"/guidelines/{slug}/agreement/report.json").get_data())
        assert ReleaseReport.from_dict(exported).to_dict() == exported
        for comparison in exported["comparisons"]:
            assert Comparison.from_dict(comparison).to_dict() == comparison
