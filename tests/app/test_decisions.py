"""The decision log: record, edit with history, supersede, retire, search, amendments."""

from __future__ import annotations

import re

import pytest

from guidelines_app.db import session_scope
from guidelines_app.domain.errors import InvalidInput
from guidelines_app.services import decisions
from guidelines_app.services.decisions import amendments
from guidelines_app.services.guidelines import guideline as guidelines
from guidelines_app.store import Author
from tests.factories import GUIDELINE, make_decision

AUTHOR = Author("Lena Lead", "lena@example.org")


def create(client, **overrides):
    data = {
        "title": "Sarcastic five-star reviews",
        "ruling": "Negative when the sarcasm is unmistakable.",
        "rationale": "Read the **whole** review.",
        "guideline": GUIDELINE,
        "section": "sarcasm",
        "ruling_labels": ["negative"],
        "labels": ["positive"],
        "tags": "sarcasm, stars",
    }
    data.update(overrides)
    return client.post("/decisions", data=data)


def decision_id(response) -> int:
    return int(re.search(r"/decisions/(\d+)", response.headers["Location"]).group(1))


def test_lead_records_a_decision_and_everyone_can_read_it(as_lead, as_viewer):
    response = create(as_lead)
    assert response.status_code == 302
    body = as_viewer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sarcastic five-star reviews" in body
    assert "<strong>whole</strong>" in body
    assert "#sarcasm" in body


def test_annotator_cannot_record_a_decision(as_annotator):
    assert create(as_annotator).status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("title", "", "title"),
        ("ruling", " ", "ruling"),
        ("guideline", "no-such-guideline", "no-such-guideline"),
        ("section", "no-such-section", "no-such-section"),
        ("ruling_labels", ["made-up"], "made-up"),
        ("labels", ["also-made-up"], "also-made-up"),
        ("tags", "not a tag!", "tags"),
        ("item_ids", "12abc", "12abc"),
        ("item_ids", "999", "999"),
    ],
)
def test_bad_decision_input_is_422_naming_the_problem(as_lead, field, value, named):
    response = create(as_lead, **{field: value})
    assert response.status_code == 422
    assert named in response.get_data(as_text=True)


def test_ruling_over_the_limit_is_413(as_lead):
    assert create(as_lead, ruling="x" * 20_001).status_code == 413


def test_xss_in_every_field_is_escaped(as_lead):
    evil = "<script>alert(1)</script>"
    did = decision_id(
        create(as_lead, title=evil, ruling=evil, rationale=evil + " [x](javascript:alert(1))")
    )
    body = as_lead.get(f"/decisions/{did}").get_data(as_text=True)
    assert "<script>alert(1)" not in body
    assert 'href="javascript:' not in body
    listing = as_lead.get("/decisions?q=alert").get_data(as_text=True)
    assert "<script>alert(1)" not in listing


def test_editing_keeps_a_revision_history_with_a_diff(as_lead):
    did = decision_id(create(as_lead))
    response = as_lead.post(
        f"/decisions/{did}",
        data={
            "version": 1,
            "title": "Sarcastic five-star reviews",
            "ruling": "Negative when the sarcasm is obvious.",
            "guideline": GUIDELINE,
            "section": "sarcasm",
            "ruling_labels": ["negative"],
            "note": "clearer wording",
        },
    )
    assert response.status_code == 302
    body = as_lead.get(f"/decisions/{did}").get_data(as_text=True)
    assert "Revision 2" in body and "clearer wording" in body
    assert "<del>unmistakable.</del>" in body or "<del>unmistakable</del>" in body
    assert "<ins>obvious.</ins>" in body or "<ins>obvious</ins>" in body


def test_stale_edit_is_409(as_lead):
    did = decision_id(create(as_lead))
    form = {"version": 1, "title": "T", "ruling": "R", "guideline": GUIDELINE}
    assert as_lead.post(f"/decisions/{did}", data=form).status_code == 302
    assert as_lead.post(f"/decisions/{did}", data=form).status_code == 409


def test_supersede_links_both_ways_and_retire_needs_a_reason(as_lead):
    old = decision_id(create(as_lead))
    new = decision_id(create(as_lead, title="Sarcasm, revisited"))
    assert as_lead.post(f"/decisions/{old}/supersede", data={"by": old}).status_code == 422
    assert as_lead.post(f"/decisions/{old}/supersede", data={"by": "x"}).status_code == 422
    assert as_lead.post(f"/decisions/{old}/supersede", data={"by": 999}).status_code == 422
    assert as_lead.post(f"/decisions/{old}/supersede", data={"by": new}).status_code == 302
    assert f'Superseded by <a href="/decisions/{new}"' in as_lead.get(f"/decisions/{old}").get_data(
        as_text=True
    )
    assert f"/decisions/{old}" in as_lead.get(f"/decisions/{new}").get_data(as_text=True)
    assert as_lead.post(f"/decisions/{new}/retire", data={"reason": ""}).status_code == 422
    assert as_lead.post(f"/decisions/{new}/retire", data={"reason": "moot"}).status_code == 302
    assert as_lead.post(f"/decisions/{new}/retire", data={"reason": "again"}).status_code == 409


def test_search_page_ranks_highlights_and_permalinks(as_lead, as_viewer):
    create(as_lead)
    create(
        as_lead,
        title="Emoji only",
        ruling="A single thumbs up is positive.",
        rationale="",
        section="emoji",
        tags="emoji",
    )
    page = as_viewer.get("/decisions?q=sarcasm")
    body = page.get_data(as_text=True)
    assert "<mark>" in body and "Emoji only" not in body
    fragment = as_viewer.get("/decisions?q=thumbs", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert '<div id="results">' in text and "<html" not in text
    assert "Emoji only" in text or "Emoji" in text


def test_phrase_and_prefix_queries(as_lead, as_viewer):
    create(as_lead)
    assert "/decisions/1" in as_viewer.get('/decisions?q="sarcasm is unmistakable"').get_data(
        as_text=True
    )
    assert "/decisions/1" not in as_viewer.get('/decisions?q="unmistakable sarcasm"').get_data(
        as_text=True
    )
    assert "/decisions/1" in as_viewer.get("/decisions?q=unmista*").get_data(as_text=True)


def test_filters_by_label_section_status_and_date(as_lead, as_viewer):
    create(as_lead)
    assert "/decisions/1" in as_viewer.get("/decisions?label=negative").get_data(as_text=True)
    assert "/decisions/1" not in as_viewer.get("/decisions?label=neutral").get_data(as_text=True)
    assert "/decisions/1" not in as_viewer.get("/decisions?section=emoji").get_data(as_text=True)
    assert "/decisions/1" not in as_viewer.get("/decisions?status=retired").get_data(as_text=True)
    assert "/decisions/1" not in as_viewer.get("/decisions?until=2000-01-01").get_data(as_text=True)
    assert as_viewer.get("/decisions?since=not-a-date&page=abc").status_code == 200


def test_annotators_default_to_active_decisions(as_lead, as_annotator):
    old = decision_id(create(as_lead))
    new = decision_id(create(as_lead, title="Newer"))
    as_lead.post(f"/decisions/{old}/supersede", data={"by": new})
    body = as_annotator.get("/decisions?q=sarcasm").get_data(as_text=True)
    assert f"/decisions/{new}" in body and f'href="/decisions/{old}"' not in body
    everything = as_annotator.get("/decisions?q=sarcasm&status=all").get_data(as_text=True)
    assert f"/decisions/{old}" in everything


def test_integration_points_for_guideline_pages(app, as_lead):
    did = decision_id(create(as_lead))
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        notes = decisions.for_guideline_sections(session=session, guideline=GUIDELINE)
        assert [d.id for d in notes["sarcasm"]] == [did]
        refs = decisions.referencing_sections(
            session=session, guideline=GUIDELINE, section_ids={"sarcasm", "emoji"}
        )
        assert list(refs) == ["sarcasm"]
        assert decisions.exists(session=session, ids=[did, 4242]) == [4242]


def test_the_margin_lists_the_newest_decisions_of_a_section_and_counts_the_rest(app, as_lead):
    made = [decision_id(create(as_lead, title=f"Sarcasm case {n}")) for n in range(7)]
    decision_id(create(as_lead, title="About emoji", section="emoji"))
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        notes = decisions.for_guideline_sections(session=session, guideline=GUIDELINE)
    assert len(notes["sarcasm"]) == 7 and notes["sarcasm"].more == 2
    assert [d.id for d in notes["sarcasm"]] == made[2:]  # the five newest, oldest first
    assert len(notes["emoji"]) == 1 and notes["emoji"].more == 0
    page = as_lead.get(f"/guidelines/{GUIDELINE}").get_data(as_text=True)
    assert f"/decisions/{made[-1]}" in page and f'href="/decisions/{made[0]}"' not in page
    assert f"/decisions?guideline={GUIDELINE}&amp;section=sarcasm" in page and "and 2 more" in page
    listed = as_lead.get(f"/decisions?guideline={GUIDELINE}&section=sarcasm").get_data(as_text=True)
    assert all(f"/decisions/{did}" in listed for did in made)


def test_citing_a_decision_and_releasing_marks_it_folded_in(app, as_lead):
    decision = make_decision(app)
    store = app.extensions["guidelines.store"]
    path = f"guidelines/{GUIDELINE}.md"
    assert "Fold it into" in as_lead.get(f"/decisions/{decision.id}").get_data(as_text=True)
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        pending = amendments.not_yet_released(session=session, store=store)
        assert [p.decision.id for p in pending] == [decision.id]
        current = store.read(path)
        guidelines.save_guideline(
            session=session,
            store=store,
            slug=GUIDELINE,
            text=current.text + "\nA defect outweighs praise (decision).\n",
            base=current.commit_id,
            author=AUTHOR,
            message="Fold in the defect ruling",
            decisions=[decision.id],
        )
    body = as_lead.get(f"/decisions/{decision.id}").get_data(as_text=True)
    assert "Entered guideline" in body and "not yet released" in body
    assert "Fold it into" not in body and f"Amend {GUIDELINE} again" in body
    assert "cited in" in as_lead.get("/decisions/pending").get_data(as_text=True)
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        release = guidelines.release_guideline(
            session=session, store=store, slug=GUIDELINE, notes="v1", author=AUTHOR
        )
    body = as_lead.get(f"/decisions/{decision.id}").get_data(as_text=True)
    assert f"released in <strong>v{release.version}</strong>" in body
    assert f"/decisions/{decision.id}" not in as_lead.get("/decisions/pending").get_data(
        as_text=True
    )


def test_citing_a_missing_decision_is_refused_by_the_guideline_save(app):
    store = app.extensions["guidelines.store"]
    current = store.read(f"guidelines/{GUIDELINE}.md")
    engine = app.extensions["guidelines.engine"]
    with (
        app.app_context(),
        session_scope(engine) as session,
        pytest.raises(InvalidInput, match="#4242"),
    ):
        guidelines.save_guideline(
            session=session,
            store=store,
            slug=GUIDELINE,
            text=current.text + "\nmore\n",
            base=current.commit_id,
            author=AUTHOR,
            message="cite a ghost",
            decisions=[4242],
        )


def test_pending_list_is_for_leads(as_annotator):
    assert as_annotator.get("/decisions/pending").status_code == 403


def test_unknown_decision_is_404(as_viewer):
    assert as_viewer.get("/decisions/4242").status_code == 404


def test_check_reports_decisions_pointing_at_a_removed_section(app, as_lead):
    from guidelines_app.services.ops import health

    decision_id(create(as_lead))
    store = app.extensions["guidelines.store"]
    engine = app.extensions["guidelines.engine"]
    findings, _ = health.check(engine=engine, store=store)
    assert not [f for f in findings if f.area == "decisions"]
    current = store.read(f"guidelines/{GUIDELINE}.md")
    with app.app_context(), session_scope(engine) as session:
        guidelines.save_guideline(
            session=session,
            store=store,
            slug=GUIDELINE,
            text=current.text.replace("{#sarcasm}", "{#irony}"),
            base=current.commit_id,
            author=AUTHOR,
            message="Rename the sarcasm anchor",
            confirm_removed_sections=True,
        )
    findings, _ = health.check(engine=engine, store=store)
    assert any("#sarcasm" in f.message for f in findings if f.area == "decisions")


def test_removing_a_section_decisions_point_at_warns_the_editor(app, as_lead):
    decision_id(create(as_lead))
    store = app.extensions["guidelines.store"]
    current = store.read(f"guidelines/{GUIDELINE}.md")
    engine = app.extensions["guidelines.engine"]
    with (
        app.app_context(),
        session_scope(engine) as session,
        pytest.raises(guidelines.SectionsStillReferenced),
    ):
        guidelines.save_guideline(
            session=session,
            store=store,
            slug=GUIDELINE,
            text=current.text.replace("{#sarcasm}", "{#irony}"),
            base=current.commit_id,
            author=AUTHOR,
            message="Rename the sarcasm anchor",
        )


def test_a_bad_edit_shows_the_form_again_with_what_was_typed(as_lead):
    did = decision_id(create(as_lead))
    response = as_lead.post(
        f"/decisions/{did}",
        data={"version": 1, "title": "Kept title", "ruling": "", "guideline": GUIDELINE},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Kept title" in body and "ruling" in body
    bad_items = as_lead.post(
        f"/decisions/{did}",
        data={"version": 1, "title": "T", "ruling": "R", "guideline": GUIDELINE, "item_ids": "x"},
    )
    assert bad_items.status_code == 422
