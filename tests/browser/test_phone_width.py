"""At a phone's width (390 px) no page scrolls sideways: wide tables scroll inside their box.

The starter content plus an undated annotation batch for a guideline, then each page a lead
opens most is loaded at 390 x 844 and the document's width is compared with the window's.
"""

from __future__ import annotations

import pytest

from tests.app.test_ordinary_data import plain_csv
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser
SLUG = "product-review-sentiment"
PAGES = (
    "/",
    "/guidelines",
    f"/guidelines/{SLUG}",
    f"/guidelines/{SLUG}/edit",
    f"/guidelines/{SLUG}/history",
    f"/guidelines/{SLUG}/releases",
    f"/guidelines/{SLUG}/agreement",
    "/agreement",
    "/agreement/batches/1",
    "/taxonomies",
    f"/taxonomies/{SLUG}",
    f"/taxonomies/{SLUG}/edit",
    "/escalations",
    "/escalations/new",
    "/decisions",
    "/account",
)


def test_no_page_scrolls_sideways_at_phone_width(browser, live_app, live_server, tmp_path):
    make_user(live_app, "ada", "lead")
    path = tmp_path / "plain.csv"
    path.write_bytes(plain_csv())
    result = live_app.test_cli_runner().invoke(
        args=["import", str(path), "--dataset", "reviews", "--guideline", SLUG]
    )
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", "ada")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    too_wide = {}
    for url in PAGES:
        response = page.goto(live_server + url)
        assert response is not None and response.status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[url] = width
    context.close()
    assert too_wide == {}
