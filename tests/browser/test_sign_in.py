from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_new_user_signs_in_and_sees_the_home_page(live_app, live_server, page):
    make_user(live_app, "ada", "lead", display_name="Ada Lovelace")
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    page.fill("#username", "ada")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert "Welcome, Ada Lovelace" in page.inner_text("h1")
    assert page.is_visible("text=Where to go next")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.console_errors == []


def test_a_wrong_password_shows_the_generic_message(live_app, live_server, page):
    make_user(live_app, "ada", "lead")
    page.goto(f"{live_server}/login")
    page.fill("#username", "ada")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert page.is_visible("text=Unknown username or wrong password.")


def test_sign_out_works_without_javascript(live_app, live_server, browser):
    make_user(live_app, "ada", "lead")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", "ada")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.click("text=Sign out")
    page.wait_for_url(f"{live_server}/login")
    assert page.is_visible("text=You are signed out.")
    context.close()
