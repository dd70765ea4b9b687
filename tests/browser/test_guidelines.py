from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser
SLUG = "product-review-sentiment"


def _sign_in(page, server, username):
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def test_a_lead_edits_with_live_preview_and_saves(live_app, live_server, page):
    make_user(live_app, "ada", "lead", display_name="Ada Lovelace")
    _sign_in(page, live_server, "ada")
    page.goto(f"{live_server}/guidelines/{SLUG}/edit")
    text = page.input_value("#text")
    page.fill(
        "#text", text + "\n## Live preview works {#live-preview}\n\nUse [[label:positive]] here.\n"
    )
    page.dispatch_event("#text", "input")
    page.wait_for_selector("#preview h2#live-preview", timeout=10_000)
    assert page.is_visible("#preview >> text=Positive")
    page.fill("#message", "Add a section through the browser")
    page.click("button[value=save]")
    page.wait_for_selector("text=Saved.")
    assert page.is_visible("h2#live-preview")
    page.click("text=History")
    assert page.is_visible("text=Add a section through the browser")
    assert page.console_errors == []


def test_an_annotator_acknowledges_a_release(live_app, live_server, page):
    make_user(live_app, "ada", "lead")
    make_user(live_app, "alan", "annotator")
    store = live_app.extensions["guidelines.store"]
    from guidelines_app.store import Author

    store.create_release(
        f"guidelines/{SLUG}.md",
        rev=store.head(),
        message="The pilot release.",
        tagger=Author("Ada", "ada@e"),
    )
    _sign_in(page, live_server, "alan")
    page.goto(f"{live_server}/guidelines/{SLUG}")
    assert page.is_visible("text=v1, in force since")
    page.click("text=Read what changed and acknowledge it")
    assert page.is_visible("text=The pilot release.")
    page.click("text=I have read v1")
    page.wait_for_selector("text=v1 acknowledged")
    page.goto(f"{live_server}/guidelines/{SLUG}")
    assert not page.is_visible("text=Read what changed and acknowledge it")
    assert page.console_errors == []
