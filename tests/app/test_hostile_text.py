"""Script in any text a user can write is shown as text on every page, never run.

A lead and an annotator put the same payloads everywhere the app later renders what they
typed: a taxonomy's label names, definitions, hints and examples, a guideline's title,
headings and Markdown, release notes, an escalation's question and item text, comments,
decisions, annotation files (item ids, annotator names, item text). Every page the lead
and the annotator can reach from there, plus the search pages, is then parsed as a browser
would parse it: no element may carry an event handler, a ``javascript:`` address or a
script that came from the payloads, and every JSON island must still be JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from html.parser import HTMLParser
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from guidelines_app.db import session_scope
from guidelines_app.models import Role
from guidelines_app.services import taxonomies
from guidelines_app.store import Author
from tests.app.test_escalations import escalate, escalation_id
from tests.app.test_items import make_dataset
from tests.app.test_link_walk import _pattern, links_of
from tests.factories import make_decision, signed_in_client

MARK = "x7331"
PAYLOADS = (
    f"<script>alert('{MARK}')</script>",
    f"\"><img src=x onerror=alert('{MARK}')>",
    f"'><svg onload=alert('{MARK}')>",
    f"</script><script>alert('{MARK}')</script>",
    f"{{{{7*7}}}}{MARK}",
    f"<a href=\"javascript:alert('{MARK}')\">{MARK}</a>",
)
ONE_LINE = " ".join(PAYLOADS)
SLUG = "hostile"
JSON_SCRIPTS = ("application/json", "application/ld+json", "importmap")
PER_PATTERN = 2
_ADDRESSES = ("href", "src", "action", "formaction", "hx-get", "hx-post", "data")
_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class _Executable(HTMLParser):
    """Collects what a browser would run or follow that carries the marker."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and MARK in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in _ADDRESSES and value.strip().lower().startswith(_SCHEMES):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script = dict(attrs).get("type") or "text/javascript"
            self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        body = "".join(self._script_text)
        if self._script in JSON_SCRIPTS:
            try:
                json.loads(body)
            except ValueError:
                self.found.append(f"<script type={self._script}> is no longer JSON: {body[:80]!r}")
        elif MARK in body:
            self.found.append(f"<script> runs {body[:80]!r}")
        self._script = None


def executable(html: str) -> list[str]:
    parser = _Executable()
    parser.feed(html)
    parser.close()
    if "49" + MARK in html:
        parser.found.append("a template expression in user text was evaluated")
    return parser.found


def _taxonomy_yaml() -> str:
    def quoted(text: str) -> str:
        return json.dumps(text)  # JSON strings are YAML strings

    labels = []
    for n, label_id in enumerate(("pos", "neg")):
        labels.append(
            f"  - id: {label_id}\n"
            f"    name: {quoted(PAYLOADS[n] + ' ' + label_id)}\n"
            f"    description: {quoted(ONE_LINE)}\n"
            f"    hint: {quoted(PAYLOADS[n + 2])}\n"
            f"    examples: [{quoted(PAYLOADS[4])}, {quoted(PAYLOADS[5])}]\n"
            f"    synonyms: [{quoted(PAYLOADS[1])}]\n"
        )
    header = f"name: {quoted('Hostile ' + PAYLOADS[1])}\ndescription: {quoted(ONE_LINE)}\n"
    return header + "kind: single-choice\nlabels:\n" + "".join(labels)


def _guideline_text(base_text: str) -> str:
    front, _, _body = base_text.partition("\n---\n")
    return (
        f"{front}\n---\n"
        f"# Hostile guideline\n\n## Evil heading {PAYLOADS[1]} {{#evil}}\n\n"
        f"{ONE_LINE}\n\n[click](javascript:alert('{MARK}')) "
        f"![img](javascript:alert('{MARK}'))\n\nUse [[label:pos]] or [[label:neg]].\n\n"
        f"## Second {{#second}}\n\n| a | b |\n|---|---|\n| {PAYLOADS[0]} | {PAYLOADS[2]} |\n"
    )


def _annotation_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("item", "annotator", "label", "text"))
    for n in range(12):
        for a, annotator in enumerate(("ann-one", f"ann-{PAYLOADS[1]}")):
            label = ("pos", "neg")[(n + a * (n % 3 == 0)) % 2]
            item = f"item-{n}" if n % 4 else f"item-{n}{PAYLOADS[2]}"
            text = PAYLOADS[n % len(PAYLOADS)]
            writer.writerow((item, annotator, label, text))
    return out.getvalue().encode()


def _hostile_world(app: Flask, tmp_path) -> None:
    lead = signed_in_client(app, Role.LEAD, "hostile-lead")
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        taxonomies.save_taxonomy(
            session=session,
            store=app.extensions["guidelines.store"],
            slug=SLUG,
            text=_taxonomy_yaml(),
            base=None,
            author=Author("Hostile Lead", "lead@example.org"),
            message=f"Labels {PAYLOADS[1]}",
        )
    created = lead.post(
        "/guidelines",
        data={"slug": SLUG, "title": f"Hostile {PAYLOADS[1]}", "taxonomy": SLUG},
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    edit = lead.get(f"/guidelines/{SLUG}/edit").get_data(as_text=True)
    base = edit.split('name="base" value="', 1)[1][:40]
    store = app.extensions["guidelines.store"]
    text = store.read(f"guidelines/{SLUG}.md", base).text
    saved = lead.post(
        f"/guidelines/{SLUG}/edit",
        data={
            "text": _guideline_text(text),
            "base": base,
            "message": f"Add rules {PAYLOADS[1]}",
            "action": "save",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    released = lead.post(f"/guidelines/{SLUG}/releases", data={"notes": ONE_LINE})
    assert released.status_code in (200, 302), released.get_data(as_text=True)

    make_dataset(app, slug="hostile-data", name=f"Hostile {PAYLOADS[1]}")
    annotator = signed_in_client(app, Role.ANNOTATOR, "hostile-annotator")
    opened = escalate(
        annotator,
        dataset="hostile-data",
        external_id=f"r-{PAYLOADS[2]}",
        item_text=ONE_LINE,
        guideline=SLUG,
        labels=["pos", "neg"],
        section="evil",
        question=ONE_LINE,
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)
    eid = escalation_id(opened)
    for client in (annotator, lead):
        comment = client.post(f"/escalations/{eid}/comments", data={"body": ONE_LINE})
        assert comment.status_code in (200, 302), comment.get_data(as_text=True)
    make_decision(
        app,
        title=f"Ruling {PAYLOADS[1]}",
        ruling=ONE_LINE,
        rationale=ONE_LINE,
        guideline=SLUG,
        section_id="evil",
        ruling_labels=["neg"],
        labels=["pos"],
        tags=["hostile"],
    )
    path = tmp_path / "hostile.csv"
    path.write_bytes(_annotation_csv())
    result = app.test_cli_runner().invoke(
        args=["import", str(path), "--dataset", "hostile-data", "--guideline", SLUG]
    )
    assert result.exit_code == 0, result.output


def _walk(client: FlaskClient, starts: list[str]) -> tuple[int, dict[str, list[str]]]:
    adapter = client.application.url_map.bind("localhost")
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque(starts)
    marked, problems = 0, {}
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith(("/logout", "/static/")):
            continue
        seen.add(url)
        pattern = _pattern(adapter, url)
        # Every page about the hostile documents is read; other documents' pages are sampled.
        if SLUG not in url and per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        marked += MARK in html
        found = executable(html)
        if found:
            problems[url] = found
        if response.status_code == 200:
            queue.extend(link for link in links_of(html, url) if link not in seen)
    return marked, problems


def test_the_checker_sees_what_a_browser_would_run():
    assert executable(f"<p>{PAYLOADS[0]}</p>")
    assert executable(f'<p title="">{PAYLOADS[1]}</p>')
    assert executable(f"<a href=\" javascript:alert('{MARK}')\">x</a>")
    assert executable('<script type="application/json">{"a": "</script>')
    assert executable(f"<p>49{MARK}</p>")
    escaped = "<p>&lt;script&gt;alert('x7331')&lt;/script&gt; &quot;&gt;&lt;img onerror=x7331&gt;"
    assert executable(escaped) == []


def test_user_text_is_never_executed_on_any_page(app, tmp_path):
    _hostile_world(app, tmp_path)
    starts = [
        "/",
        f"/guidelines/{SLUG}",
        f"/taxonomies/{SLUG}",
        f"/search?q={quote(MARK)}",
        f"/decisions?q={quote(MARK)}",
        f"/search?q={quote(PAYLOADS[1])}",
        f"/guidelines/{SLUG}/agreement",
        f"/guidelines/{SLUG}/history",
        "/escalations",
        "/agreement",
    ]
    for role in (Role.LEAD, Role.ANNOTATOR):
        client = signed_in_client(app, role, f"hostile-reader-{role.value}")
        marked, problems = _walk(client, starts)
        assert marked >= 10, (role, marked)  # the payloads really are on the pages read
        assert problems == {}, (role, problems)
