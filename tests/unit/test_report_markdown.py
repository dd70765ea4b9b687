"""The Markdown release report reads as English whatever the counts."""

from __future__ import annotations

from guidelines_app.services.reports.markdown import report_markdown


def _report(hotspots: list[dict]) -> dict:
    return {
        "guideline": {"title": "Sentiment"},
        "generated_at": "2026-12-03T10:00:00+00:00",
        "releases": [],
        "notices": [],
        "hotspots": hotspots,
    }


def _spot(decisions: int, escalations: int) -> dict:
    return {
        "label_a": "negative",
        "label_b": "positive",
        "share": 0.4,
        "decisions": [{"id": n} for n in range(decisions)],
        "open_escalations": [{"id": n} for n in range(escalations)],
    }


def test_hotspot_counts_are_singular_or_plural():
    text = report_markdown(_report([_spot(1, 1), _spot(0, 2)]), [])
    assert "40% of disagreement, 1 decision, 1 open escalation\n" in text
    assert "40% of disagreement, 0 decisions, 2 open escalations\n" in text
