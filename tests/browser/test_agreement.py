"""A lead uploads an annotation file, watches the progress, and lands on the batch page;
a batch imported by mistake is removed from its page, without JavaScript too."""

from __future__ import annotations

import re

import pytest

from tests.app.test_agreement_pages import join_import_threads
from tests.app.test_annotation_import import run_import, sentiment_csv
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def sign_in(page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#username", "lena")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def test_lead_uploads_a_file_sees_progress_then_the_batch(live_app, live_server, page):
    make_user(live_app, "lena", "lead")
    sign_in(page, live_server)
    page.click("nav.mainnav >> text=Agreement")
    page.wait_for_url(f"{live_server}/agreement")
    data = sentiment_csv(3000)
    page.set_input_files(
        "#upload-file", files=[{"name": "week1.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.fill("#upload-dataset", "reviews")
    page.select_option("#upload-guideline", "product-review-sentiment")
    page.click("form.agreement-upload button[type=submit]")
    page.wait_for_url(re.compile(r"/agreement/uploads/\d+$"))
    assert "Importing week1.csv" in page.inner_text("h1")
    page.wait_for_url(re.compile(r"/agreement/batches/\d+$"), timeout=30_000)
    assert page.inner_text("h1").startswith("Batch #1")
    assert page.is_visible("table.agreement-coefficients")
    assert page.is_visible("figure.agreement-heatmap svg")
    assert page.is_visible("text=Annotators")
    assert page.console_errors == []
    join_import_threads()


def test_a_refused_upload_lists_the_problems_without_javascript(live_app, live_server, browser):
    make_user(live_app, "lena", "lead")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/agreement")
    page.set_input_files(
        "#upload-file",
        files=[{"name": "dup.csv", "mimeType": "text/csv", "buffer": b"item,item,label\n1,2,3\n"}],
    )
    page.fill("#upload-dataset", "reviews")
    page.click("form.agreement-upload button[type=submit]")
    page.wait_for_url(re.compile(r"/agreement/uploads/\d+$"))
    for _ in range(50):
        if page.is_visible("text=Not imported"):
            break
        page.wait_for_timeout(200)
        page.reload()
    assert page.is_visible("text=duplicate column 'item'")
    context.close()
    join_import_threads()


def test_a_lead_removes_a_batch_without_javascript(live_app, live_server, browser):
    make_user(live_app, "lena", "lead")
    run_import(live_app, sentiment_csv(), file_name="mistake.csv")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/agreement/batches/1")
    form = page.locator("section.remove-batch form")
    form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/agreement")
    assert page.is_visible("text=Removed batch #1 (mistake.csv) from reviews")
    assert page.is_visible("text=No batch imported yet")
    context.close()
