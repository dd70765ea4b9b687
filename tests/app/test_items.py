"""Datasets and items: creating datasets, the item page, bad input."""

from __future__ import annotations

from guidelines_app.db import session_scope
from guidelines_app.domain.errors import TooLarge
from guidelines_app.services.datasets import items
from guidelines_app.web.errors import status_of


def make_dataset(app, slug="reviews", name="Product reviews", url_template=None):
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        return items.create_dataset(
            session=session, slug=slug, name=name, url_template=url_template
        )


def make_item(app, dataset="reviews", external_id="r-1", text="Great phone, battery died."):
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        item, _created = items.create_item(
            session=session,
            dataset_slug=dataset,
            external_id=external_id,
            content=items.ItemContent(text=text),
        )
        return item


def test_lead_creates_a_dataset(as_lead):
    response = as_lead.post(
        "/datasets",
        data={
            "slug": "tweets",
            "name": "Tweets",
            "url_template": "https://ls.example/tasks?task={external_id}",
        },
    )
    assert response.status_code == 302
    assert "Tweets" in as_lead.get("/datasets").get_data(as_text=True)


def test_annotator_may_not_create_a_dataset(as_annotator):
    response = as_annotator.post("/datasets", data={"slug": "x", "name": "X"})
    assert response.status_code == 403


def test_dataset_with_a_bad_slug_or_url_is_refused_with_422(as_lead):
    response = as_lead.post(
        "/datasets", data={"slug": "Bad Slug", "name": "", "url_template": "javascript:x"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "slug" in body and "name" in body and "url" in body


def test_duplicate_dataset_is_a_conflict(app, as_lead):
    make_dataset(app)
    response = as_lead.post("/datasets", data={"slug": "reviews", "name": "Again"})
    assert response.status_code == 409


def test_item_page_shows_content_escaped_and_a_link_to_the_labeling_tool(app, as_viewer):
    make_dataset(app, url_template="https://ls.example/data?task={external_id}")
    make_item(app, external_id="a b/1", text="<script>alert(1)</script> nice")
    response = as_viewer.get("/datasets/reviews/items/a b/1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "https://ls.example/data?task=a%20b%2F1" in body


def test_unknown_item_is_404(app, as_viewer):
    make_dataset(app)
    assert as_viewer.get("/datasets/reviews/items/nope").status_code == 404
    assert as_viewer.get("/datasets/nope/items/x").status_code == 404


def test_item_content_over_one_megabyte_is_too_large(app):
    make_dataset(app)
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        try:
            items.create_item(
                session=session,
                dataset_slug="reviews",
                external_id="big",
                content=items.ItemContent(payload={"text": "x" * 1_000_001}),
            )
        except TooLarge as error:
            assert status_of(error) == 413
        else:
            raise AssertionError("a payload over 1 MB was accepted")


def test_existing_item_keeps_its_first_snapshot(app):
    make_dataset(app)
    first = make_item(app, text="first text")
    second = make_item(app, text="second text")
    assert first.id == second.id
    assert second.text == "first text"
