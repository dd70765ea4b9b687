"""The demo's taxonomy revisions show exactly their story; the JSON API serves taxonomies."""

from __future__ import annotations

import pytest

from tests.app.api_world import TokenClient, replay_demo_revisions


@pytest.fixture
def demo_history(app):
    replay_demo_revisions(app)
    return app


def _diff(client, slug):
    return client.get(f"/taxonomies/{slug}/diff?from=v1&to=v2&format=json").json["changes"]


def _migration(client, slug):
    return client.get(f"/taxonomies/{slug}/migration?from=v1&to=v2&format=json").json


def _kinds(changes):
    return {name for name, items in changes.items() if items}


def test_demo_sentiment_v2_is_exactly_a_rename(demo_history, as_viewer):
    changes = _diff(as_viewer, "product-review-sentiment")
    assert changes["renamed"] == [
        {"id": "neutral", "old_name": "Neutral", "new_name": "Neutral or mixed"}
    ]
    assert _kinds(changes) <= {"renamed", "redefined"}
    data = _migration(as_viewer, "product-review-sentiment")
    assert data["needs_relabel"] == [] and data["unmapped"] == []
    assert data["map"]["neutral"]["new_ids"] == ["neutral"]
    assert data["map"]["mixed"]["new_ids"] == ["neutral"]


def test_demo_news_entities_v2_is_exactly_a_split(demo_history, as_viewer):
    changes = _diff(as_viewer, "news-entities")
    assert changes["split"] == [
        {"source": "misc.product", "into": ["misc.product-physical", "misc.product-digital"]}
    ]
    assert {a["id"] for a in changes["added"]} == {"misc.product-physical", "misc.product-digital"}
    assert changes["merged"] == [] and changes["removed"] == [] and changes["renamed"] == []
    data = _migration(as_viewer, "news-entities")
    assert data["needs_relabel"] == ["misc.product"]
    assert data["map"]["misc.product"]["status"] == "split"


def test_demo_chatbot_preference_v2_is_exactly_two_merges(demo_history, as_viewer):
    changes = _diff(as_viewer, "chatbot-preference")
    merged = {m["into"]: sorted(m["sources"]) for m in changes["merged"]}
    assert merged == {
        "a-better": ["a-much-better", "a-slightly-better"],
        "b-better": ["b-much-better", "b-slightly-better"],
    }
    assert {a["id"] for a in changes["added"]} == {"a-better", "b-better"}
    assert changes["split"] == [] and changes["removed"] == [] and changes["renamed"] == []
    data = _migration(as_viewer, "chatbot-preference")
    assert data["map"]["a-much-better"] == {
        "new_ids": ["a-better"],
        "status": "replaced",
        "needs_relabel": False,
    }
    assert data["needs_relabel"] == []


def test_demo_pages_render_for_every_taxonomy(demo_history, as_lead):
    for slug in ("product-review-sentiment", "news-entities", "chatbot-preference"):
        for suffix in ("", "/diff?from=v1&to=v2", "/migration?from=v1&to=v2", "/releases"):
            assert as_lead.get(f"/taxonomies/{slug}{suffix}").status_code == 200, (slug, suffix)


@pytest.fixture
def token(app):
    return TokenClient(app, "tool", "viewer").headers


def test_api_lists_and_serves_a_taxonomy(client, token):
    listing = client.get("/api/v1/taxonomies", headers=token)
    assert listing.status_code == 200
    assert "news-entities" in {t["slug"] for t in listing.json["taxonomies"]}
    one = client.get("/api/v1/taxonomies/news-entities", headers=token).json
    assert one["kind"] == "spans" and one["governed_by"] == ["news-entities"]
    loc = next(label for label in one["labels"] if label["id"] == "loc")
    assert {child["id"] for child in loc["children"]} >= {"loc.gpe"}


def test_api_serves_diff_migration_and_export(demo_history, client, token):
    base = "/api/v1/taxonomies/news-entities"
    diff = client.get(f"{base}/diff?from=v1&to=v2", headers=token).json
    assert diff["changes"]["split"][0]["source"] == "misc.product"
    migration = client.get(f"{base}/migration?from=v1&to=v2", headers=token).json
    assert migration["needs_relabel"] == ["misc.product"]
    export = client.get(f"{base}/export?to=labelstudio&rev=v2", headers=token)
    assert export.status_code == 200 and export.headers["Content-Type"] == "application/xml"
    assert "misc.product-digital" in export.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/taxonomies/nope", 404),
        ("/api/v1/taxonomies/news-entities?release=v9", 404),
        ("/api/v1/taxonomies/news-entities/diff?from=v9", 404),
        ("/api/v1/taxonomies/news-entities/export?to=excel", 422),
        ("/api/v1/taxonomies/news-entities/export", 422),
    ],
)
def test_api_bad_requests_answer_json_errors(client, token, url, status):
    response = client.get(url, headers=token)
    assert response.status_code == status
    assert response.is_json and response.json["error"]["message"]


def test_api_taxonomy_routes_need_a_token(client):
    assert client.get("/api/v1/taxonomies/news-entities").status_code == 401
