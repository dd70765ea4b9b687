"""Names that look like a slug but are not one: traversal, lookalike letters, invisible marks.

Every form and API body that names a new guideline, taxonomy or dataset refuses them with
422 and the field named; every URL that takes a slug answers 404 for them. Nothing is
written to git or the database.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest

from guidelines_app.models import Role
from tests.app.api_world import TokenClient

HOSTILE_SLUGS = (
    "../etc",
    "..",
    "a/b",
    "a\\b",
    ".git",
    "%2e%2e",
    "pr\u043educt-review-sentiment",  # Cyrillic o
    "product-review-sentiment\u200b",  # zero-width space
    "ｐroduct",  # fullwidth p
    "product\u0301",  # combining accent
    "Product",
    "product_review",
    "-product",
    "product-",
    "a--b",
    "x" * 101,
    "a\x00b",
    "con",  # a plain word, fine on every system: the control (forms trim spaces, so " a" is "a")
)
REFUSED = HOSTILE_SLUGS[:-1]


def test_guideline_form_refuses_every_hostile_slug(app, as_lead):
    head = app.extensions["guidelines.store"].head()
    for slug in REFUSED:
        response = as_lead.post(
            "/guidelines",
            data={"slug": slug, "title": "T", "taxonomy": "product-review-sentiment"},
        )
        assert response.status_code == 422, (slug, response.status_code)
        assert "slug" in response.get_data(as_text=True)
    assert app.extensions["guidelines.store"].head() == head
    control = as_lead.post(
        "/guidelines", data={"slug": "con", "title": "T", "taxonomy": "product-review-sentiment"}
    )
    assert control.status_code == 302


def test_taxonomy_import_refuses_every_hostile_slug(app, as_lead):
    head = app.extensions["guidelines.store"].head()
    for slug in REFUSED:
        response = as_lead.post(
            "/taxonomies/import",
            data={"slug": slug, "format": "text", "file": (io.BytesIO(b"a\nb\n"), "l.txt")},
        )
        assert response.status_code == 422, (slug, response.status_code)
    assert app.extensions["guidelines.store"].head() == head


def test_api_dataset_refuses_every_hostile_slug(app):
    lead = TokenClient(app, "slug-lead", Role.LEAD)
    for slug in REFUSED:
        response = lead.post("/api/v1/datasets", json={"slug": slug, "name": "Reviews"})
        assert response.status_code == 422, (slug, response.status_code, response.json)
        assert any("slug" in p for p in response.json["error"]["problems"]), slug
    listed = lead.get("/api/v1/datasets").json
    assert not {d["slug"] for d in listed} & set(REFUSED)


@pytest.mark.parametrize(
    "pattern",
    (
        "/guidelines/{}",
        "/guidelines/{}/history",
        "/guidelines/{}/agreement",
        "/taxonomies/{}",
        "/taxonomies/{}/history",
    ),
)
def test_urls_with_hostile_slugs_answer_404(as_lead, pattern):
    for slug in REFUSED:
        response = as_lead.get(pattern.format(quote(slug, safe="")))
        assert response.status_code in (404, 308), (pattern, slug, response.status_code)
        if response.status_code == 308:  # werkzeug normalises '//' and the like first
            assert as_lead.get(response.headers["Location"]).status_code == 404
