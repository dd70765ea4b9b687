"""Escalations through the web UI: escalate, suggestions, workflow, queues, bad input."""

from __future__ import annotations

import re

import pytest

from guidelines_app.db import session_scope
from guidelines_app.services import escalations
from tests.app.test_items import make_dataset
from tests.factories import make_decision

GUIDELINE = "product-review-sentiment"


def escalate(client, **overrides):
    data = {
        "dataset": "reviews",
        "external_id": "r-42",
        "item_text": "Love it. Broke after two days.",
        "guideline": GUIDELINE,
        "labels": ["positive", "negative"],
        "section": "mixed-opinions",
        "question": "Praise then a defect: is the overall verdict negative?",
    }
    data.update(overrides)
    return client.post("/escalations", data=data)


def escalation_id(response) -> int:
    return int(re.search(r"/escalations/(\d+)", response.headers["Location"]).group(1))


def version_of(app, eid: int) -> int:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        return escalations.get_escalation(session=session, escalation_id=eid).version


@pytest.fixture
def dataset(app):
    return make_dataset(app)


def test_annotator_escalates_an_item_and_sees_it_in_my_escalations(app, as_annotator, dataset):
    response = escalate(as_annotator)
    assert response.status_code == 302
    eid = escalation_id(response)
    page = as_annotator.get(f"/escalations/{eid}").get_data(as_text=True)
    assert "Praise then a defect" in page
    assert "reviews/r-42" in page
    assert "Love it. Broke after two days." in page
    mine = as_annotator.get("/escalations").get_data(as_text=True)
    assert f"#{eid}" in mine


def test_escalation_records_the_guideline_revision_in_force(app, as_annotator, dataset):
    eid = escalation_id(escalate(as_annotator))
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        escalation = escalations.get_escalation(session=session, escalation_id=eid)
        assert escalation.release_commit and len(escalation.release_commit) == 40
        assert escalation.guideline == GUIDELINE


def test_new_escalation_form_lists_the_taxonomy_labels(as_annotator, dataset):
    body = as_annotator.get(f"/escalations/new?guideline={GUIDELINE}").get_data(as_text=True)
    assert 'value="positive"' in body
    assert 'value="mixed-opinions"' in body


def test_unknown_dataset_is_422_naming_it(as_annotator, dataset):
    response = escalate(as_annotator, dataset="nosuch")
    assert response.status_code == 422
    assert "nosuch" in response.get_data(as_text=True)


def test_unknown_label_is_422_naming_it(as_annotator, dataset):
    response = escalate(as_annotator, labels=["positive", "sarcastic-ish"])
    assert response.status_code == 422
    assert "sarcastic-ish" in response.get_data(as_text=True)


def test_unknown_guideline_and_section_are_422(as_annotator, dataset):
    assert escalate(as_annotator, guideline="nope").status_code == 422
    response = escalate(as_annotator, section="no-such-section")
    assert response.status_code == 422
    assert "no-such-section" in response.get_data(as_text=True)


def test_empty_question_is_422_and_the_form_keeps_the_input(as_annotator, dataset):
    response = escalate(as_annotator, question="   ", external_id="keep-me")
    assert response.status_code == 422
    assert "keep-me" in response.get_data(as_text=True)


def test_question_over_20000_characters_is_413(as_annotator, dataset):
    assert escalate(as_annotator, question="x" * 20_001).status_code == 413


def test_item_content_over_one_megabyte_is_413(as_annotator, dataset):
    assert escalate(as_annotator, item_text="x" * 1_000_001).status_code == 413


def test_viewer_cannot_escalate(as_viewer, dataset):
    assert escalate(as_viewer).status_code == 403


def test_xss_in_question_and_comment_is_escaped(as_annotator, dataset):
    eid = escalation_id(escalate(as_annotator, question="<img src=x onerror=alert(1)>?"))
    as_annotator.post(f"/escalations/{eid}/comments", data={"body": "<script>bad()</script>"})
    body = as_annotator.get(f"/escalations/{eid}").get_data(as_text=True)
    assert "<img src=x" not in body and "<script>bad()" not in body
    assert "&lt;script&gt;bad()" in body


def test_matching_decisions_appear_while_typing(app, as_annotator, dataset):
    make_decision(app)
    response = as_annotator.get(
        "/escalations/suggestions",
        query_string={"question": "a defect after praise", "guideline": GUIDELINE},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/decisions/1" in body
    assert "<mark>defect</mark>" in body
    assert "This answers my question" in body
    assert "<html" not in body


def test_this_answers_my_question_links_the_item_instead_of_escalating(app, as_annotator, dataset):
    decision = make_decision(app)
    response = as_annotator.post(
        "/escalations/answered",
        data={
            "decision_id": decision.id,
            "dataset": "reviews",
            "external_id": "r-77",
            "item_text": "Nice until it broke",
            "question": "ignored",
        },
    )
    assert response.status_code == 302
    assert "r-77" in as_annotator.get(f"/decisions/{decision.id}").get_data(as_text=True)
    assert "r-77" not in as_annotator.get("/escalations?view=all").get_data(as_text=True)


def test_comment_thread_is_shown_in_order(as_annotator, as_lead, dataset):
    eid = escalation_id(escalate(as_annotator))
    as_annotator.post(f"/escalations/{eid}/comments", data={"body": "first remark"})
    as_lead.post(f"/escalations/{eid}/comments", data={"body": "second remark"})
    body = as_lead.get(f"/escalations/{eid}").get_data(as_text=True)
    assert body.index("first remark") < body.index("second remark")


def test_empty_or_huge_comment_is_refused(as_annotator, dataset):
    eid = escalation_id(escalate(as_annotator))
    assert as_annotator.post(f"/escalations/{eid}/comments", data={"body": " "}).status_code == 422
    huge = {"body": "x" * 20_001}
    assert as_annotator.post(f"/escalations/{eid}/comments", data=huge).status_code == 413


def test_lead_takes_rules_and_the_decision_is_created_and_linked(
    app, as_annotator, as_lead, dataset
):
    eid = escalation_id(escalate(as_annotator))
    response = as_lead.post(
        f"/escalations/{eid}/transition", data={"to": "in_review", "version": 1}
    )
    assert response.status_code == 302
    response = as_lead.post(
        f"/escalations/{eid}/rule",
        data={
            "version": 2,
            "title": "Early praise, later defect",
            "ruling": "Negative",
            "rationale": "The defect decides.",
            "guideline": GUIDELINE,
            "section": "mixed-opinions",
            "ruling_labels": ["negative"],
            "labels": ["positive"],
            "tags": "defect, verdict",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    decision_page = as_lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "Early praise, later defect" in decision_page
    assert "reviews/r-42" in decision_page
    escalation_page = as_lead.get(f"/escalations/{eid}").get_data(as_text=True)
    assert "resolved" in escalation_page
    assert "Early praise, later defect" in escalation_page


def test_transition_not_allowed_from_the_current_state_is_409_with_that_state(
    as_annotator, as_lead, dataset
):
    eid = escalation_id(escalate(as_annotator))
    response = as_lead.post(
        f"/escalations/{eid}/transition", data={"to": "dismissed", "version": 1, "reason": "no"}
    )
    assert response.status_code == 409
    assert "is open" in response.get_data(as_text=True)


def test_stale_version_is_409(as_annotator, as_lead, dataset):
    eid = escalation_id(escalate(as_annotator))
    as_lead.post(f"/escalations/{eid}/transition", data={"to": "in_review", "version": 1})
    response = as_lead.post(
        f"/escalations/{eid}/transition", data={"to": "in_review", "version": 1}
    )
    assert response.status_code == 409
    assert "in review" in response.get_data(as_text=True) or "in_review" in response.get_data(
        as_text=True
    )


def test_dismiss_needs_a_reason_and_reopen_needs_one_too(app, as_annotator, as_lead, dataset):
    eid = escalation_id(escalate(as_annotator))
    as_lead.post(f"/escalations/{eid}/transition", data={"to": "in_review", "version": 1})
    no_reason = as_lead.post(
        f"/escalations/{eid}/transition", data={"to": "dismissed", "version": 2}
    )
    assert no_reason.status_code == 422
    ok = as_lead.post(
        f"/escalations/{eid}/transition",
        data={"to": "dismissed", "version": 2, "reason": "covered by the guideline"},
    )
    assert ok.status_code == 302
    assert (
        as_lead.post(
            f"/escalations/{eid}/transition", data={"to": "open", "version": 3}
        ).status_code
        == 422
    )
    reopened = as_lead.post(
        f"/escalations/{eid}/transition",
        data={"to": "open", "version": 3, "reason": "the guideline is ambiguous after all"},
    )
    assert reopened.status_code == 302
    timeline = as_lead.get(f"/escalations/{eid}").get_data(as_text=True)
    assert "covered by the guideline" in timeline
    assert "the guideline is ambiguous after all" in timeline


def test_duplicate_points_to_another_escalation(as_annotator, as_lead, dataset):
    first = escalation_id(escalate(as_annotator))
    second = escalation_id(escalate(as_annotator, external_id="r-43"))
    as_lead.post(f"/escalations/{second}/transition", data={"to": "in_review", "version": 1})
    self_dup = as_lead.post(
        f"/escalations/{second}/transition",
        data={"to": "duplicate", "version": 2, "duplicate_of_id": second},
    )
    assert self_dup.status_code == 422
    ok = as_lead.post(
        f"/escalations/{second}/transition",
        data={"to": "duplicate", "version": 2, "duplicate_of_id": first},
    )
    assert ok.status_code == 302
    assert f"escalation #{first}" in as_lead.get(f"/escalations/{second}").get_data(as_text=True)


def test_bad_transition_input_is_refused(as_annotator, as_lead, dataset):
    eid = escalation_id(escalate(as_annotator))
    url = f"/escalations/{eid}/transition"
    assert as_lead.post(url, data={"to": "in_review"}).status_code == 422
    assert as_lead.post(url, data={"to": "bogus", "version": 1}).status_code == 422
    assert as_lead.post(url, data={"to": "in_review", "version": "x"}).status_code == 422
    assert as_annotator.post(url, data={"to": "in_review", "version": 1}).status_code == 403
    assert (
        as_lead.post("/escalations/999/transition", data={"to": "x", "version": 1}).status_code
        == 404
    )


def test_triage_queue_filters_and_sorts_by_hits(app, as_annotator, as_lead, dataset):
    from tests.factories import login, make_user

    escalate(as_annotator, external_id="lonely")
    escalate(as_annotator, external_id="popular")
    make_user(app, "ann2")
    other = app.test_client()
    login(other, "ann2")
    escalate(other, external_id="popular")
    body = as_lead.get("/escalations?view=all&sort=hits").get_data(as_text=True)
    assert body.index("popular") < body.index("lonely")
    filtered = as_lead.get("/escalations?view=all&dataset=reviews&label=positive").get_data(
        as_text=True
    )
    assert "popular" in filtered
    assert "lonely" not in as_lead.get("/escalations?view=all&label=neutral").get_data(as_text=True)
    assert "reviews/popular" in as_lead.get(
        "/escalations?view=all&guideline=" + GUIDELINE
    ).get_data(as_text=True)


def test_queue_shows_where_the_guideline_is_weakest(as_annotator, as_lead, dataset):
    escalate(as_annotator)
    body = as_lead.get("/escalations?view=all").get_data(as_text=True)
    assert "product-review-sentiment#mixed-opinions" in body
    assert "<code>negative</code> vs <code>positive</code>" in body


def test_bad_queue_filters_do_not_500(as_lead, dataset):
    for query in ("sort=sideways", "status=weird", "age=-3", "page=x", "assignee=abc"):
        assert as_lead.get(f"/escalations?{query}").status_code in (200, 302)


def test_htmx_queue_request_returns_only_the_fragment(as_lead, dataset):
    response = as_lead.get("/escalations?view=all", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert '<div id="queue">' in body and "<html" not in body


def test_open_counts_feed_the_guideline_index_and_overview(app, as_annotator, dataset):
    escalate(as_annotator)
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        assert escalations.open_counts_by_guideline(session=session) == {GUIDELINE: 1}
        assert escalations.open_count(session=session) == 1


def test_two_leads_resolving_at_once_one_wins_and_the_other_gets_409(
    app, as_annotator, as_lead, dataset
):
    import threading

    from guidelines_app.domain.errors import Conflict
    from guidelines_app.web.errors import status_of

    eid = escalation_id(escalate(as_annotator))
    as_lead.post(f"/escalations/{eid}/transition", data={"to": "in_review", "version": 1})
    first, second = make_decision(app, title="one"), make_decision(app, title="two")
    engine = app.extensions["guidelines.engine"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def resolve(decision_id: int) -> None:
        barrier.wait()
        with session_scope(engine) as session:
            try:
                escalations.transition(
                    session=session,
                    escalation_id=eid,
                    change=escalations.Transition("resolved", 2, decision_id=decision_id),
                    actor_id=None,
                )
                outcomes.append("won")
            except Conflict as error:
                assert status_of(error) == 409
                outcomes.append("409")

    threads = [threading.Thread(target=resolve, args=(d.id,)) for d in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["409", "won"]
    with session_scope(engine) as session:
        final = escalations.get_escalation(session=session, escalation_id=eid)
        assert final.status == "resolved" and final.version == 3


def test_two_leads_posting_the_same_form_get_one_success_and_one_409(
    app, as_annotator, as_lead, dataset
):
    from tests.factories import signed_in_client

    other_lead = signed_in_client(app, "lead", "lee")
    eid = escalation_id(escalate(as_annotator))
    url = f"/escalations/{eid}/transition"
    as_lead.post(url, data={"to": "in_review", "version": 1})
    decision = make_decision(app)
    form = {"to": "resolved", "version": 2, "decision_id": decision.id}
    assert as_lead.post(url, data=form).status_code == 302
    response = other_lead.post(url, data=form)
    assert response.status_code == 409
    assert "resolved" in response.get_data(as_text=True)
