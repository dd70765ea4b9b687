"""In the browser: an annotator escalates (seeing a matching decision while typing) and
searches; a lead triages and rules."""

from __future__ import annotations

import re

import pytest

from tests.app.test_items import make_dataset
from tests.factories import DEFAULT_PASSWORD, GUIDELINE, make_decision, make_user

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def test_annotator_escalates_sees_a_matching_decision_and_lead_rules(
    live_app, live_server, page, browser
):
    make_user(live_app, "alan", "annotator", display_name="Alan Turing")
    make_user(live_app, "grace", "lead", display_name="Grace Hopper")
    make_dataset(live_app)
    make_decision(live_app, title="Praise then a defect", ruling="Negative: the defect wins.")

    sign_in(page, live_server, "alan")
    page.goto(f"{live_server}/escalations/new")
    page.select_option("#esc-dataset", "reviews")
    page.fill("#esc-external-id", "r-900")
    page.fill("#esc-item-text", "Beautiful design. It broke after an hour.")
    page.select_option("#esc-guideline", GUIDELINE)
    page.wait_for_selector("#pickers input[value=positive]")
    page.check("#pickers input[value=positive]")
    page.check("#pickers input[value=negative]")
    page.select_option("#esc-section", "mixed-opinions")
    page.type("#esc-question", "Is a defect after praise negative overall?", delay=5)
    page.wait_for_selector("#suggestions >> text=This answers my question")
    assert "defect" in page.inner_text("#suggestions").lower()

    page.click("button.primary:has-text('Escalate')")
    page.wait_for_url(re.compile(r".*/escalations/\d+$"))
    escalation_url = page.url
    assert "Is a defect after praise negative overall?" in page.inner_text("main")

    page.goto(f"{live_server}/decisions")
    page.fill("#q", "defect")
    page.wait_for_url(re.compile(r".*[?&]q=defect"))
    page.wait_for_selector("#results mark")
    assert "Praise then a defect" in page.inner_text("#results")
    page.fill("#q", '"the defect wins"')
    page.wait_for_function("document.querySelector('#results').innerText.includes('Praise')")
    assert page.console_errors == []

    lead_context = browser.new_context()
    lead = lead_context.new_page()
    sign_in(lead, live_server, "grace")
    lead.goto(f"{live_server}/escalations")
    assert "r-900" in lead.inner_text("#queue")
    lead.goto(escalation_url)
    lead.click("button:has-text('Start review')")
    lead.wait_for_selector("text=in review")
    lead.click("text=Rule: record a decision")
    lead.fill("#d-title", "Defect after praise, again")
    lead.fill("#d-ruling", "Negative.")
    lead.check("input[name=ruling_labels][value=negative]")
    lead.click("button:has-text('Record the decision and resolve')")
    lead.wait_for_url(re.compile(r".*/decisions/\d+$"))
    assert "Defect after praise, again" in lead.inner_text("h1")
    assert "reviews/r-900" in lead.inner_text("main")
    lead.goto(escalation_url)
    assert "resolved" in lead.inner_text("h1")
    lead_context.close()
