"""A warm page starts no git process, and a push from outside is seen by the next request.

Refs are read from the content repository's files and what git says about fixed objects is
kept by object id, so the second request of any page forks nothing; git processes are
counted by wrapping ``subprocess.Popen.__init__`` (the real one still runs them).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from flask import Flask

from guidelines_app import cache
from guidelines_app.models import Role
from tests.databases import BACKENDS
from tests.factories import demo_app, signed_in_client

SLUG = "product-review-sentiment"
PAGES = (
    "/",
    "/guidelines",
    f"/guidelines/{SLUG}",
    f"/guidelines/{SLUG}/history",
    f"/guidelines/{SLUG}/diff?from=v1&to=v2",
    f"/guidelines/{SLUG}/releases",
    f"/guidelines/{SLUG}/agreement",
    "/decisions",
    "/decisions?q=sarcasm",
    "/escalations",
    "/escalations?status=open",
    "/taxonomies",
    f"/taxonomies/{SLUG}",
)


@pytest.fixture(params=BACKENDS)
def warm_app(request: pytest.FixtureRequest, tmp_path: Path, seeded_repository: Path):
    cache.clear()
    app = demo_app(request.param, tmp_path, seeded_repository, "warm_pages")
    yield app
    app.extensions["guidelines.engine"].dispose()


def git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], capture_output=True, check=True, cwd=cwd)


def test_the_second_request_of_each_page_starts_no_git_process(warm_app: Flask, git_processes):
    client = signed_in_client(warm_app, Role.LEAD, "warm-lead")
    forks = {}
    for url in PAGES:
        first = client.get(url)
        assert first.status_code == 200, url
        git_processes.clear()
        second = client.get(url)
        assert second.status_code == 200, url
        forks[url] = [command[2:4] for command in git_processes]
    assert forks == {url: [] for url in PAGES}
    cache.clear()  # the counter does see git: a cold page starts it
    client.get(f"/guidelines/{SLUG}/history")
    assert git_processes


def test_a_push_from_a_clone_is_seen_by_the_next_request(warm_app: Flask, tmp_path: Path):
    client = signed_in_client(warm_app, Role.LEAD, "warm-reader")  # leads read the draft
    before = client.get(f"/guidelines/{SLUG}")
    assert before.status_code == 200
    clone = tmp_path / "clone"
    git("clone", "-q", warm_app.config["CONTENT_REPO"], str(clone))
    page = clone / "guidelines" / f"{SLUG}.md"
    page.write_text(page.read_text() + "\n## Pushed from outside {#pushed}\n\nA new rule.\n")
    who = ["-c", "user.name=Outside Lead", "-c", "user.email=out@example.org"]
    git(*who, "commit", "-qam", "Add a rule from my editor", cwd=clone)
    git("push", "-q", "origin", "HEAD:main", cwd=clone)
    after = client.get(f"/guidelines/{SLUG}")
    assert "Pushed from outside" in after.get_data(as_text=True)
    history = client.get(f"/guidelines/{SLUG}/history").get_data(as_text=True)
    assert "Add a rule from my editor" in history
