from __future__ import annotations

from datetime import timedelta

import pytest

from tests.app.test_release_agreement import LEAD, PATH, SLUG, T0, _csv, _import
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_quality_lead_follows_a_release_marker_to_the_comparison(live_app, live_server, page):
    store = live_app.extensions["guidelines.store"]
    store.create_release(PATH, rev=store.head(), message="First.", tagger=LEAD, when=T0)
    text = store.read(PATH).text + "\nA clarification.\n"
    store.write(
        {PATH: text.encode()},
        base=None,
        author=LEAD,
        message="Clarify",
        when=T0 + timedelta(weeks=3),
    )
    store.create_release(
        PATH, rev=store.head(), message="Clearer rules.", tagger=LEAD, when=T0 + timedelta(weeks=3)
    )
    _import(live_app, _csv(range(0, 200), 0.7, T0 + timedelta(days=1), seed=1), "v1.csv")
    _import(
        live_app, _csv(range(200, 400), 0.93, T0 + timedelta(weeks=3, days=1), seed=2), "v2.csv"
    )
    make_user(live_app, "ada", "lead")
    page.goto(f"{live_server}/login")
    page.fill("#username", "ada")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/guidelines/{SLUG}/agreement")
    assert page.is_visible("text=Release by release")
    assert page.locator("svg.chart").count() >= 2
    page.click("svg.chart a.marker-link")
    page.wait_for_url("**/agreement/compare?**")
    assert page.is_visible("h1:has-text('v1 → v2')")
    assert page.locator("text=improved").count() >= 1
    assert page.console_errors == []
