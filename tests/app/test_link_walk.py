"""Every link the app renders answers: no 5xx anywhere, no 404 for a link it printed itself.

The world is the demo, plus what users add on their first day: an undated annotation file
for a guideline, a guideline and a taxonomy created in the app. Each role then follows every
link and htmx ``hx-get`` it is shown, from the home page, as far as they lead. Pages a role
may not see answer 403 and are not followed further; ``/logout`` is not followed.
"""

from __future__ import annotations

import io
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from guidelines_app.models import Role
from tests.app.test_ordinary_data import plain_csv
from tests.databases import BACKENDS
from tests.factories import demo_app, signed_in_client

#: Links followed per kind of page (endpoint, document and query keys): enough to meet every
#: kind of page for every document and its variants, few enough that the walk stays short.
PER_PATTERN = 3
NOT_FOLLOWED = ("/logout", "/static/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "hx-get", "src"):
            if values.get(name):
                self.found.append(values[name] or "")


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for link in parser.found:
        absolute = urldefrag(urljoin(f"http://localhost{base}", link)).url
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and parts.netloc == "localhost":
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _pattern(adapter: MapAdapter, url: str) -> str:
    """The page's kind: its endpoint, the document it is about and the query keys it has."""
    path, _, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    try:
        endpoint, args = adapter.match(path, method="GET")
    except HTTPException:
        endpoint, args = path, {}
    return f"{endpoint}:{args.get('slug', '')}?{'&'.join(keys)}"


def walk(client: FlaskClient) -> tuple[list[str], list[tuple[str, int, str]]]:
    """(visited, failures): each failure is (url, status, the page that linked to it)."""
    adapter = client.application.url_map.bind("localhost")
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque([("/", "(start)")])
    visited, failures = [], []
    while queue:
        url, origin = queue.popleft()
        if url in seen or url.startswith(NOT_FOLLOWED[0]):
            continue
        seen.add(url)
        pattern = _pattern(adapter, url)
        if per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        response = client.get(url)
        response.close()  # static files are streamed
        visited.append(url)
        status = response.status_code
        if status >= 500 or status == 404:
            failures.append((url, status, origin))
            continue
        if url.startswith(NOT_FOLLOWED[1]) or "text/html" not in response.content_type:
            continue
        if status == 200:
            for link in links_of(response.get_data(as_text=True), url):
                if link not in seen:
                    queue.append((link, url))
    return visited, failures


@pytest.fixture(params=BACKENDS)
def grown_app(request: pytest.FixtureRequest, tmp_path: Path, seeded_repository: Path):
    app = demo_app(request.param, tmp_path, seeded_repository, "link_walk")
    _first_day(app, tmp_path)
    yield app
    app.extensions["guidelines.engine"].dispose()


def _first_day(app: Flask, tmp_path: Path) -> None:
    lead = signed_in_client(app, Role.LEAD, "first-day-lead")
    upload = lead.post(
        "/taxonomies/import",
        data={
            "slug": "first-day",
            "format": "text",
            "file": (io.BytesIO(b"positive\nnegative\nneutral\n"), "labels.txt"),
        },
    )
    assert upload.status_code in (200, 302), upload.get_data(as_text=True)
    created = lead.post(
        "/guidelines", data={"slug": "first-day", "title": "First day", "taxonomy": "first-day"}
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    path = tmp_path / "plain.csv"
    path.write_bytes(plain_csv())
    result = app.test_cli_runner().invoke(
        args=["import", str(path), "--dataset", "first-day", "--guideline", "first-day"]
    )
    assert result.exit_code == 0, result.output


def test_every_rendered_link_answers_for_every_role(grown_app):
    failures = {}
    for role in Role:
        client = signed_in_client(grown_app, role, f"walker-{role.value}")
        visited, failed = walk(client)
        assert len(visited) > 50, (role, visited)
        if failed:
            failures[role.value] = failed
    assert failures == {}
