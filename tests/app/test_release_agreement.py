"""Agreement release by release, on small generated batches with a known effect."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape

from guidelines_app.db import session_scope
from guidelines_app.domain.agreement import metrics
from guidelines_app.services.annotations import importing as annotations
from guidelines_app.store import Author
from tests.factories import make_decision

SLUG = "product-review-sentiment"
PATH = f"guidelines/{SLUG}.md"
LEAD = Author("Lena Lead", "lena@example.org")
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
LABELS = ["positive", "negative", "neutral"]


def _csv(items: range, accuracy: float, start: datetime, seed: int, annotators: int = 4) -> bytes:
    """Each annotator picks the item's true label with probability ``accuracy``."""
    rng = random.Random(seed)
    lines = ["item,annotator,label,created_at"]
    for n in items:
        truth = LABELS[n % 3]
        for a in range(annotators):
            label = (
                truth if rng.random() < accuracy else rng.choice([x for x in LABELS if x != truth])
            )
            when = start + timedelta(hours=n % 300, minutes=a)
            lines.append(f"review-{n},annotator-{a},{label},{when.isoformat()}")
    return ("\n".join(lines) + "\n").encode()


def _import(app, data: bytes, name: str, **extra):
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        return annotations.import_annotations(
            session=session,
            store=app.extensions["guidelines.store"],
            data=data,
            file_name=name,
            dataset="reviews",
            guideline=SLUG,
            **extra,
        )


@pytest.fixture
def history(app):
    """v1 at T0; v2 three weeks later after an edit; batches under each with a real effect."""
    store = app.extensions["guidelines.store"]
    store.create_release(PATH, rev=store.head(), message="First release.", tagger=LEAD, when=T0)
    text = store.read(PATH).text.replace("exactly one", "exactly one (read the sarcasm rules)")
    store.write(
        {PATH: text.encode()},
        base=None,
        author=LEAD,
        message="Sarcasm",
        when=T0 + timedelta(weeks=3),
    )
    store.create_release(
        PATH, rev=store.head(), message="Sarcasm rules.", tagger=LEAD, when=T0 + timedelta(weeks=3)
    )
    _import(app, _csv(range(0, 240), 0.70, T0 + timedelta(days=1), seed=1), "v1.csv")
    _import(app, _csv(range(240, 480), 0.93, T0 + timedelta(weeks=3, days=1), seed=2), "v2.csv")
    return store


def test_each_release_gets_its_own_figures_with_intervals_and_counts(as_viewer, history):
    response = as_viewer.get(f"/guidelines/{SLUG}/agreement")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Release by release" in html and "<svg" in html
    report = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    releases = {r["label"]: r for r in report["releases"]}
    assert set(releases) == {"v1", "v2"}
    for release in releases.values():
        assert release["totals"] == {
            "items": 240,
            "annotations": 960,
            "annotators": 4,
            "batches": 1,
            "datasets": 1,
        }
        alpha = release["coefficients"]["krippendorff_alpha_nominal"]
        assert alpha["ci_low"] < alpha["value"] < alpha["ci_high"]
    assert releases["v2"]["coefficients"]["krippendorff_alpha_nominal"]["value"] > 0.75
    assert releases["v1"]["coefficients"]["krippendorff_alpha_nominal"]["value"] < 0.6


def test_the_release_table_markdown_and_cli_show_every_headline_figure_fleiss_included(
    as_viewer, runner, history
):
    """The catalogue's headline figures, Fleiss' kappa among them, in each place that
    shows the release table (the page once asked for a key the engine never emits)."""
    report = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    fleiss = report["releases"][0]["coefficients"]["fleiss_kappa"]
    assert fleiss["value"] is not None
    html = as_viewer.get(f"/guidelines/{SLUG}/agreement").get_data(as_text=True)
    table = html[html.index("Release by release") : html.index("</table>")]
    for m in metrics.headline():
        assert str(escape(m.title)) in table
    assert f"{fleiss['value']:.3f}" in table
    markdown = as_viewer.get(f"/guidelines/{SLUG}/agreement/report.md").get_data(as_text=True)
    printed = runner.invoke(args=["report", SLUG])
    assert printed.exit_code == 0, printed.output
    for text in (markdown, printed.output):
        header = next(line for line in text.splitlines() if line.startswith("| Release |"))
        assert "| Fleiss' kappa [95% CI] |" in header
        assert all(f"| {m.title} [95% CI] |" in header for m in metrics.headline())
        v1 = next(line for line in text.splitlines() if line.startswith("| v1 |"))
        assert f"{fleiss['value']:.3f} [{fleiss['ci_low']:.3f}, {fleiss['ci_high']:.3f}]" in v1


def test_a_real_improvement_is_reported_with_an_interval_that_excludes_zero(as_viewer, history):
    data = json.loads(
        as_viewer.get(f"/guidelines/{SLUG}/agreement/compare?from=v1&to=v2&format=json").get_data()
    )
    alpha = data["comparison"]["metrics"]["krippendorff_alpha_nominal"]
    assert alpha["difference"] > 0.2
    assert alpha["ci_low"] > 0 and alpha["p_value"] < 0.01
    assert alpha["verdict"] == "improved"
    assert data["sections_changed"]["summary"].startswith("1 section changed")
    html = as_viewer.get(f"/guidelines/{SLUG}/agreement/compare?from=v1&to=v2").get_data(
        as_text=True
    )
    assert "improved" in html and "unpaired" in html


def test_no_change_is_called_no_measurable_change(app, as_viewer):
    store = app.extensions["guidelines.store"]
    store.create_release(PATH, rev=store.head(), message="One.", tagger=LEAD, when=T0)
    store.write({PATH: (store.read(PATH).text + "\nTypo.\n").encode()}, base=None, author=LEAD,
                message="Typo", when=T0 + timedelta(weeks=3))  # fmt: skip
    store.create_release(
        PATH, rev=store.head(), message="Two.", tagger=LEAD, when=T0 + timedelta(weeks=3)
    )
    _import(app, _csv(range(0, 240), 0.8, T0 + timedelta(days=1), seed=3), "a.csv")
    _import(app, _csv(range(240, 480), 0.8, T0 + timedelta(weeks=3, days=1), seed=4), "b.csv")
    data = json.loads(
        as_viewer.get(f"/guidelines/{SLUG}/agreement/compare?from=v1&to=v2&format=json").get_data()
    )
    alpha = data["comparison"]["metrics"]["krippendorff_alpha_nominal"]
    assert alpha["ci_low"] <= 0 <= alpha["ci_high"]
    assert alpha["verdict"] == "no measurable change"


def test_a_comparison_of_a_release_with_itself_is_422(as_viewer, history):
    response = as_viewer.get(f"/guidelines/{SLUG}/agreement/compare?from=v1&to=v1")
    assert response.status_code == 422
    assert "not itself" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["from=v1&to=v9", "from=banana&to=v2", "from=&to=v2"])
def test_unknown_or_malformed_releases_are_clear_4xx(as_viewer, history, query):
    response = as_viewer.get(f"/guidelines/{SLUG}/agreement/compare?{query}")
    assert response.status_code in (404, 422)
    assert "NaN" not in response.get_data(as_text=True)


def test_a_guideline_without_annotations_says_so(as_viewer):
    response = as_viewer.get(f"/guidelines/{SLUG}/agreement")
    assert response.status_code == 200
    assert "No annotation batch has been imported" in response.get_data(as_text=True)


def test_annotations_before_the_first_release_are_the_unreleased_draft(app, as_viewer):
    store = app.extensions["guidelines.store"]
    _import(app, _csv(range(0, 60), 0.8, T0 - timedelta(days=30), seed=5), "early.csv")
    store.create_release(PATH, rev=store.head(), message="One.", tagger=LEAD, when=T0)
    report = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    assert [r["label"] for r in report["releases"]] == ["unreleased draft"]
    assert any("predate the first release" in n for n in report["notices"])
    html = as_viewer.get(f"/guidelines/{SLUG}/agreement").get_data(as_text=True)
    assert "NaN" not in html and "unreleased draft" in html


def test_a_single_annotator_per_item_is_undefined_with_a_reason_not_nan(app, as_viewer):
    store = app.extensions["guidelines.store"]
    store.create_release(PATH, rev=store.head(), message="One.", tagger=LEAD, when=T0)
    _import(app, _csv(range(0, 30), 0.8, T0 + timedelta(days=1), seed=6, annotators=1), "solo.csv")
    html = as_viewer.get(f"/guidelines/{SLUG}/agreement").get_data(as_text=True)
    assert "undefined" in html and "NaN" not in html
    body = as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data(as_text=True)
    assert "NaN" not in body
    alpha = json.loads(body)["releases"][0]["coefficients"]["krippendorff_alpha_nominal"]
    assert alpha["value"] is None and alpha["undefined_reason"]


def test_the_report_exports_as_markdown_and_json(as_viewer, history):
    markdown = as_viewer.get(f"/guidelines/{SLUG}/agreement/report.md")
    assert markdown.status_code == 200 and markdown.mimetype == "text/markdown"
    text = markdown.get_data(as_text=True)
    assert "# Agreement by release: Sentiment of product reviews" in text
    assert "## v1 → v2" in text and "improved" in text
    exported = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    assert (
        exported["comparisons"][0]["comparison"]["metrics"]["krippendorff_alpha_nominal"]["ci_low"]
        > 0
    )


def test_annotator_figures_are_for_leads_only(as_viewer, as_lead, history):
    assert "Annotators in v2" not in as_viewer.get(f"/guidelines/{SLUG}/agreement").get_data(
        as_text=True
    )
    assert "Annotators in v2" in as_lead.get(f"/guidelines/{SLUG}/agreement").get_data(as_text=True)
    exported = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    assert exported["annotators"] == []


def test_the_report_is_cached_until_a_batch_or_release_changes(app, as_viewer, history):
    first = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    again = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    assert first["generated_at"] == again["generated_at"]
    _import(app, _csv(range(480, 540), 0.9, T0 + timedelta(weeks=4), seed=9), "more.csv")
    fresh = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    assert fresh["generated_at"] != first["generated_at"]
    assert {r["label"]: r for r in fresh["releases"]}["v2"]["totals"]["items"] == 300


def test_report_command_prints_markdown_and_json(runner, history):
    result = runner.invoke(args=["report", SLUG])
    assert result.exit_code == 0, result.output
    assert "## v1 → v2" in result.output
    as_json = runner.invoke(args=["report", SLUG, "--from", "v1", "--to", "v2", "--json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.output)["comparisons"][0]["to"]["label"] == "v2"
    assert runner.invoke(args=["report", SLUG, "--from", "v1"]).exit_code == 2
    assert runner.invoke(args=["report", "no-such-guideline"]).exit_code == 2
    assert runner.invoke(args=["report", SLUG, "--from", "v2", "--to", "v2"]).exit_code == 2


def test_unknown_guideline_is_404(as_viewer):
    assert as_viewer.get("/guidelines/nope/agreement").status_code == 404
    assert as_viewer.get("/guidelines/nope/agreement/report.md").status_code == 404


def _batch_id(app, name: str) -> int:
    from sqlmodel import select

    from guidelines_app.models import AnnotationBatch

    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        return session.exec(
            select(AnnotationBatch.id).where(AnnotationBatch.file_name == name)
        ).one()


def test_a_lead_overrides_the_release_of_a_batch_and_the_report_follows(app, as_lead, history):
    batch = _batch_id(app, "v1.csv")
    response = as_lead.post(f"/agreement/batches/{batch}/release", data={"release": "v2"})
    assert response.status_code == 302
    page = as_lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "now counts under v2 (given)" in page
    report = json.loads(as_lead.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    assert [r["label"] for r in report["releases"]] == ["v2"]
    back = as_lead.post(f"/agreement/batches/{batch}/release", data={"release": "infer"})
    assert back.status_code == 302
    report = json.loads(as_lead.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    assert [r["label"] for r in report["releases"]] == ["v1", "v2"]


@pytest.mark.parametrize(("value", "status"), [("v9", 422), ("yesterday", 422), ("", 422)])
def test_overriding_with_a_bad_release_is_refused(app, as_lead, history, value, status):
    batch = _batch_id(app, "v1.csv")
    response = as_lead.post(f"/agreement/batches/{batch}/release", data={"release": value})
    assert response.status_code == status


def test_overriding_an_unknown_batch_is_404_and_annotators_may_not(
    app, as_lead, as_annotator, history
):
    assert as_lead.post("/agreement/batches/999/release", data={"release": "v1"}).status_code == 404
    batch = _batch_id(app, "v1.csv")
    assert (
        as_annotator.post(f"/agreement/batches/{batch}/release", data={"release": "v1"}).status_code
        == 403
    )


def test_release_markers_carry_the_first_informative_line_of_the_notes(app, as_viewer, history):
    text = history.read(PATH).text + "\nOne more rule.\n"
    history.write({PATH: text.encode()}, base=None, author=LEAD, message="More")
    history.create_release(
        PATH, rev=history.head(), message="v3\n\n- Emoji alone are neutral.\n", tagger=LEAD
    )
    report = json.loads(as_viewer.get(f"/guidelines/{SLUG}/agreement/report.json").get_data())
    notes = [m["note"] for m in report["release_markers"]]
    assert notes == ["First release.", "Sarcasm rules.", "Emoji alone are neutral."]


def test_decisions_cited_as_hash_number_are_folded_into_the_release(app, as_viewer, runner):
    """``Decision: #12`` (as people write it in commits pushed from their editor) and
    ``Decision: 12`` are one citation: the amendment and the release report agree."""
    from guidelines_app.services import decisions

    store = app.extensions["guidelines.store"]
    store.create_release(PATH, rev=store.head(), message="One.", tagger=LEAD, when=T0)
    by_hash = make_decision(app, title="Sarcasm needs evidence", labels=["positive"])
    plain = make_decision(app, title="Emoji alone", labels=["neutral"], ruling_labels=["neutral"])
    text = store.read(PATH).text
    for n, cited in enumerate([f"#{by_hash.id}", str(plain.id)]):
        text += f"\nRule {n}.\n"
        store.write({PATH: text.encode()}, base=None, author=LEAD, message=f"Rule {n}",
                    trailers=[("Decision", cited)], when=T0 + timedelta(days=n + 1))  # fmt: skip
    store.create_release(
        PATH, rev=store.head(), message="Two.", tagger=LEAD, when=T0 + timedelta(weeks=3)
    )
    _import(app, _csv(range(0, 120), 0.7, T0 + timedelta(hours=1), seed=11), "a.csv")
    _import(app, _csv(range(120, 240), 0.9, T0 + timedelta(weeks=3, days=1), seed=12), "b.csv")
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        decision = decisions.get_decision(session=session, decision_id=by_hash.id)
        (amendment,) = decisions.amendments_for(store=store, decision=decision)
    assert amendment.release is not None and amendment.release.version == 2
    data = json.loads(
        as_viewer.get(f"/guidelines/{SLUG}/agreement/compare?from=v1&to=v2&format=json").get_data()
    )
    assert [d["id"] for d in data["decisions"]] == [by_hash.id, plain.id]
    positive = next(e for e in data["comparison"]["per_label"] if e["label"] == "positive")
    assert by_hash.id in positive["decisions"]
    markdown = runner.invoke(args=["report", SLUG])
    assert f"- #{by_hash.id} Sarcasm needs evidence" in markdown.output
