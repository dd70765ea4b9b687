from __future__ import annotations

import pytest

from tests.app.taxonomy_helpers import big_taxonomy, write
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser

SLUG = "news-entities"


def _sign_in(page, server: str) -> None:
    page.goto(f"{server}/login")
    page.fill("#username", "lena")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def _release(page, server: str, notes: str) -> None:
    page.goto(f"{server}/taxonomies/{SLUG}/releases")
    page.fill("#notes", notes)
    page.click("text=Release as")
    page.wait_for_url(f"{server}/taxonomies/{SLUG}/releases")


def _operate(page, server: str, op: str, fields: dict[str, str], message: str) -> None:
    page.goto(f"{server}/taxonomies/{SLUG}/edit")
    page.click(f"#op-{op} summary")
    for selector, value in fields.items():
        page.fill(selector, value)
    page.fill(f"#{op}-message", message)
    page.click(f"#op-{op} button[type=submit]")
    page.wait_for_url(f"{server}/taxonomies/{SLUG}?rev=*")
    assert page.is_visible("text=Saved.")


def test_a_lead_renames_merges_and_splits_then_compares_releases(live_app, live_server, page):
    make_user(live_app, "lena", "lead", display_name="Lena Lead")
    _sign_in(page, live_server)
    _release(page, live_server, "First release")

    _operate(page, live_server, "rename", {"#rename-id": "per", "#rename-name": "Person"}, "Rename")
    _operate(
        page,
        live_server,
        "merge",
        {
            "#merge-sources": "loc.facility, loc.natural",
            "#merge-into": "loc.place",
            "#merge-name": "Place",
        },
        "Merge facilities and natural places",
    )
    _operate(
        page,
        live_server,
        "split",
        {
            "#split-id": "misc.product",
            "#split-part-id-0": "misc.device",
            "#split-part-name-0": "Device",
            "#split-part-id-1": "misc.app",
            "#split-part-name-1": "App",
        },
        "Split products",
    )
    assert page.is_visible("#label-misc\\.product.tax-deprecated")
    _release(page, live_server, "Second release")

    page.goto(f"{live_server}/taxonomies/{SLUG}/diff?from=v1&to=v2")
    renamed = page.inner_text("#renamed")
    assert "per" in renamed and "Person" in renamed
    merged = page.inner_text("#merged")
    assert "loc.facility" in merged and "loc.natural" in merged and "loc.place" in merged
    split = page.inner_text("#split")
    assert "misc.product" in split and "misc.device" in split and "misc.app" in split

    page.click("text=Migration map for this change")
    page.wait_for_url(f"{live_server}/taxonomies/{SLUG}/migration?*")
    row = page.inner_text("tr.tax-status-split")
    assert "misc.product" in row and "needs relabelling" in row
    replaced = page.inner_text("tbody")
    assert "loc.place" in replaced
    assert page.console_errors == []


def test_the_yaml_editor_validates_as_you_type(live_app, live_server, page):
    make_user(live_app, "lena", "lead")
    _sign_in(page, live_server)
    page.goto(f"{live_server}/taxonomies/{SLUG}/edit")
    page.fill("#text", "name: Broken\nlabels:\n  - id: a/b\n    name: A\n")
    page.wait_for_selector("#problems .problems")
    assert "a/b" in page.inner_text("#problems")
    page.fill("#text", "name: Fine\nkind: spans\nlabels:\n  - id: per\n    name: Person\n")
    page.wait_for_selector("#problems .tax-valid", timeout=5000)
    assert page.console_errors == []


def test_ten_thousand_labels_render_collapsed_and_paged_in_the_browser(live_app, live_server, page):
    make_user(live_app, "lena", "lead")
    write(live_app, "big", big_taxonomy(10_000, nested=True))
    _sign_in(page, live_server)
    page.goto(f"{live_server}/taxonomies/big")
    assert page.is_visible("text=Labels page 1 of")
    assert not page.is_visible("#label-g0-0")  # collapsed
    page.click("#label-g0 > details > summary")
    assert page.is_visible("#label-g0-0")
    page.click("text=More labels")
    page.wait_for_url(f"{live_server}/taxonomies/big?page=2")
    assert page.console_errors == []
