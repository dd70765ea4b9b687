"""Links in answers come from GUIDELINES_BASE_URL (or are paths), never from the Host header."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from werkzeug.test import TestResponse

from guidelines_app import config
from tests.app.api_world import World, call_every_endpoint, make_world
from tests.conftest import app_config
from tests.factories import signed_in_client

EVIL = "evil.example"


@dataclass
class HeardWorld(World):
    """The API world, keeping every whole answer (headers too) besides the recorded calls."""

    answers: list[TestResponse] = field(default_factory=list)

    def record(self, method: str, rule: str, response: TestResponse) -> TestResponse:
        self.answers.append(response)
        return super().record(method, rule, response)


def _world_from_evil_host(app) -> HeardWorld:
    world = make_world(app)
    heard = HeardWorld(app=app, lead=world.lead, annotator=world.annotator, viewer=world.viewer)
    for who in (heard.lead, heard.annotator, heard.viewer):
        who.headers = {**who.headers, "Host": EVIL}
    return heard


def _leaks(response: TestResponse) -> list[str]:
    found = []
    if EVIL in response.get_data(as_text=True):
        found.append(f"{response.request.path}: body")
    if EVIL in response.headers.get("Location", ""):
        found.append(f"{response.request.path}: Location {response.headers['Location']}")
    return found


def test_no_api_answer_names_the_host_the_client_sent(app):
    world = _world_from_evil_host(app)
    call_every_endpoint(world)
    assert len(world.answers) > 40
    assert [leak for answer in world.answers for leak in _leaks(answer)] == []
    created = [a.json for a in world.answers if a.status_code == 201 and "url" in (a.json or {})]
    assert {c["url"].split("/")[1] for c in created} == {"escalations", "decisions"}
    assert all(c["url"].startswith("/") for c in created)  # no base URL: root paths
    batch = next(a for a in world.answers if a.status_code == 201 and "Location" in a.headers)
    assert batch.headers["Location"].startswith("/api/v1/annotation-batches/")


@pytest.fixture
def based_app(tmp_path, database_url, content_repo):
    from guidelines_app import create_app

    application = create_app(
        app_config(
            tmp_path,
            database_url,
            content_repo,
            BASE_URL="https://guidelines.example.org/team/",
        )
    )
    yield application
    application.extensions["guidelines.engine"].dispose()


def test_with_a_base_url_api_links_start_with_it(based_app):
    world = _world_from_evil_host(based_app)
    call_every_endpoint(world)
    assert [leak for answer in world.answers for leak in _leaks(answer)] == []
    urls = [a.json["url"] for a in world.answers if a.status_code == 201 and "url" in a.json]
    assert urls and all(u.startswith("https://guidelines.example.org/team/") for u in urls)
    assert any(u.startswith("https://guidelines.example.org/team/decisions/") for u in urls)
    batch = next(a for a in world.answers if a.status_code == 201 and "Location" in a.headers)
    location = batch.headers["Location"]
    assert location.startswith("https://guidelines.example.org/team/api/v1/annotation-batches/")


@pytest.mark.parametrize("base", ["", "https://guidelines.example.org"])
def test_pages_and_redirects_do_not_name_the_host_the_client_sent(
    tmp_path, database_url, content_repo, base
):
    from guidelines_app import create_app

    app = create_app(app_config(tmp_path, database_url, content_repo, BASE_URL=base))
    try:
        viewer = signed_in_client(app, "viewer", "vic")
        cookie = viewer.get_cookie("guidelines_session")
        viewer.set_cookie("guidelines_session", cookie.value, domain=EVIL)  # the browser's view
        anonymous = app.test_client()
        host = {"Host": EVIL}
        answers = [
            anonymous.get("/guidelines", headers=host),  # to the sign-in page, with next=
            anonymous.get("/decisions//1", headers=host),  # werkzeug merges the slashes
            viewer.get("/guidelines//product-review-sentiment", headers=host),
            viewer.get("/taxonomies/news-entities/labels/per", headers=host),
            viewer.get("/api//v1/openapi.json", headers=host),
        ]
        assert [a.status_code for a in answers] == [302, 308, 308, 200, 308]
        assert [leak for answer in answers for leak in _leaks(answer)] == []
        assert answers[1].headers["Location"] == f"{base}/decisions/1"
        assert answers[2].headers["Location"] == f"{base}/guidelines/product-review-sentiment"
        page = answers[3].get_data(as_text=True)
        assert f"Permanent link: <code>{base}/taxonomies/news-entities/labels/per</code>" in page
    finally:
        app.extensions["guidelines.engine"].dispose()


@pytest.mark.parametrize("base", ["guidelines.example.org", "ftp://x.org", "https://x.org/?a=1"])
def test_a_base_url_that_is_no_http_address_is_refused(base):
    with pytest.raises(config.ConfigError, match="GUIDELINES_BASE_URL"):
        config.check({"SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://", "BASE_URL": base})
