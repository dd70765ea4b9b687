"""Content pushed to the content repository by `git push`, bypassing the app's save path.

Each test clones the bare repository with real git, commits invalid content of one kind,
pushes it, then reads the pages, tries to release, runs `guidelines check`, and fixes the
document with a web edit.
"""

from __future__ import annotations

import os
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

GUIDELINE = "guidelines/news-entities.md"
TAXONOMY = "taxonomies/news-entities.yaml"
BANNER = 'class="banner banner-error content-invalid"'


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Outside Lead",
        "GIT_AUTHOR_EMAIL": "outside@example.org",
        "GIT_COMMITTER_NAME": "Outside Lead",
        "GIT_COMMITTER_EMAIL": "outside@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def clone(tmp_path: Path, content_repo: Path) -> Path:
    """A working clone of the app's bare content repository, as a lead's laptop has."""
    target = tmp_path / "laptop"
    git(tmp_path, "clone", "--quiet", str(content_repo), str(target))
    return target


def push(clone: Path, files: dict[str, str | bytes], message: str = "Edit by hand") -> str:
    for path, data in files.items():
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    git(clone, "add", "--all")
    git(clone, "commit", "--quiet", "-m", message)
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    return git(clone, "rev-parse", "HEAD").strip()


def push_tag(clone: Path, tag: str, notes: str = "Pushed release") -> None:
    git(clone, "tag", "-a", tag, "-m", notes)
    git(clone, "push", "--quiet", "origin", f"refs/tags/{tag}")


def original(clone: Path, path: str) -> str:
    return (clone / path).read_text(encoding="utf-8")


def head(app: Flask) -> str:
    head_id = app.extensions["guidelines.store"].head()
    assert head_id
    return head_id


def check(runner: FlaskCliRunner) -> tuple[int, str]:
    result = runner.invoke(args=["check"])
    return result.exit_code, result.output


def release(client: FlaskClient, kind: str, slug: str) -> tuple[int, str]:
    response = client.post(f"/{kind}/{slug}/releases", data={"notes": "Ready for annotators."})
    return response.status_code, response.get_data(as_text=True)


def tags(app: Flask) -> list[str]:
    return [r.tag for r in app.extensions["guidelines.store"].all_releases()]


def save_guideline(client: FlaskClient, app: Flask, text: str) -> int:
    response = client.post(
        "/guidelines/news-entities/edit",
        data={"text": text, "base": head(app), "message": "Fix what was pushed"},
    )
    return response.status_code


def save_taxonomy(client: FlaskClient, app: Flask, text: str) -> int:
    response = client.post(
        "/taxonomies/news-entities/edit",
        data={"text": text, "base": head(app), "message": "Fix what was pushed"},
    )
    return response.status_code


def banner(html: str) -> str:
    """The text of the invalid-content banner ('' when the page has none)."""
    start = html.find(BANNER)
    if start < 0:
        return ""
    return unescape(re.sub(r"<[^>]+>|\s+", " ", html[start : html.index("</div>", start)]))


#: Pages around a document that may refuse broken content (422), but never with a server error.
AROUND = (
    "/",
    "/guidelines/news-entities/agreement",
    "/guidelines/news-entities/sections/scope",
    "/guidelines/news-entities/diff?from=draft&to=draft",
    "/taxonomies/news-entities/diff",
    "/taxonomies/news-entities/migration",
    "/taxonomies/news-entities/labels/per",
    "/taxonomies/news-entities/export?to=csv",
    "/escalations/new",
)


def no_server_error(client: FlaskClient) -> None:
    for url in AROUND:
        assert client.get(url).status_code < 500, url


# --- guidelines --------------------------------------------------------------------------------


def test_pushed_bad_front_matter_is_flagged_refused_and_fixed_by_a_web_edit(
    app, as_lead, as_annotator, runner, clone
):
    good = original(clone, GUIDELINE)
    push(clone, {GUIDELINE: good.replace("title: Named entities in news text\n", "titel: x\n")})

    for client in (as_lead, as_annotator):
        page = client.get("/guidelines/news-entities")
        assert page.status_code == 200
        shown = banner(page.get_data(as_text=True))
        assert "titel" in shown and "unknown field" in shown and "title" in shown
        assert "Scope and goal" in page.get_data(as_text=True)  # still readable
    assert "Edit the draft" in banner(as_lead.get("/guidelines/news-entities").get_data(True))

    status, html = release(as_lead, "guidelines", "news-entities")
    assert status == 422
    assert "titel (line 2): unknown field" in unescape(html)
    assert tags(app) == []

    code, output = check(runner)
    assert code == 1
    assert f"content: {GUIDELINE}: titel (line 2): unknown field" in output
    assert f"content: {GUIDELINE}: title (line 2): required" in output

    edit = as_lead.get("/guidelines/news-entities/edit")
    assert edit.status_code == 200 and "titel: x" in edit.get_data(as_text=True)
    assert save_guideline(as_lead, app, good.replace("title: Named", "titel: Named")) == 422
    assert save_guideline(as_lead, app, good) == 302
    assert banner(as_lead.get("/guidelines/news-entities").get_data(as_text=True)) == ""
    assert check(runner)[0] == 0
    assert release(as_lead, "guidelines", "news-entities")[0] == 302


def test_pushed_unknown_label_mention_is_flagged_with_its_line(app, as_lead, runner, clone):
    good = original(clone, GUIDELINE)
    push(clone, {GUIDELINE: good + "\nSee [[label:unicorn]] too.\n"})

    page = as_lead.get("/guidelines/news-entities")
    assert page.status_code == 200
    assert "unknown label [[label:unicorn]]" in banner(page.get_data(as_text=True))
    assert "unicorn" in as_lead.get("/guidelines").get_data(as_text=True)  # the index says so
    history = as_lead.get("/guidelines/news-entities/history")
    assert "unknown label [[label:unicorn]]" in banner(history.get_data(as_text=True))
    releases = as_lead.get("/guidelines/news-entities/releases").get_data(as_text=True)
    assert "cannot be released" in banner(releases)

    status, html = release(as_lead, "guidelines", "news-entities")
    assert status == 422 and "unknown label [[label:unicorn]]" in html
    code, output = check(runner)
    assert code == 1 and "unknown label [[label:unicorn]] (not in news-entities)" in output

    assert save_guideline(as_lead, app, good) == 302
    assert banner(as_lead.get("/guidelines/news-entities").get_data(as_text=True)) == ""


def test_pushed_guideline_with_invalid_yaml_is_shown_as_far_as_it_can_be(as_lead, runner, clone):
    good = original(clone, GUIDELINE)
    push(clone, {GUIDELINE: good.replace("owners: [grace, ada]", "owners: [grace, ada")})
    page = as_lead.get("/guidelines/news-entities")
    assert page.status_code == 200
    assert "YAML error" in banner(page.get_data(as_text=True))
    assert "Scope and goal" in page.get_data(as_text=True)
    assert "YAML error" in check(runner)[1]


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), id="binary"),
        pytest.param(b"", id="empty"),
        pytest.param(
            "---\ntitle: Caf\xe9\ntaxonomy: news-entities\n---\nBody\n".encode("latin-1"),
            id="latin-1",
        ),
        pytest.param(b"---\ntitle: " + b"[" * 5000 + b"\n---\n", id="deep-yaml"),
        pytest.param(b"---\ntitle:\n" + b"- " * 5000 + b"x\n---\n", id="deep-block-yaml"),
        pytest.param(
            b"---\na: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n---\n", id="alias-bomb"
        ),
        pytest.param(b"> " * 20_000 + b"deep quote\n", id="deep-markdown"),
    ],
)
def test_pushed_garbage_guideline_is_a_problem_not_a_crash(app, as_lead, runner, clone, garbage):
    good = original(clone, GUIDELINE)
    push(clone, {GUIDELINE: garbage})
    for url in (
        "/guidelines",
        "/guidelines/news-entities",
        "/guidelines/news-entities/edit",
        "/guidelines/news-entities/history",
        "/guidelines/news-entities/releases",
        "/guidelines/news-entities/diff",
        "/taxonomies/news-entities",
    ):
        assert as_lead.get(url).status_code == 200, url
    assert banner(as_lead.get("/guidelines/news-entities").get_data(as_text=True))
    no_server_error(as_lead)
    assert release(as_lead, "guidelines", "news-entities")[0] == 422
    code, output = check(runner)
    assert code == 1 and f"content: {GUIDELINE}:" in output
    assert save_guideline(as_lead, app, good) == 302
    assert check(runner)[0] == 0


# --- taxonomies --------------------------------------------------------------------------------


def test_pushed_invalid_taxonomy_yaml_is_shown_refused_and_fixed(app, as_lead, runner, clone):
    good = original(clone, TAXONOMY)
    push(clone, {TAXONOMY: good.replace("labels:\n", "labels: [\n", 1)})

    page = as_lead.get("/taxonomies/news-entities")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "not valid YAML" in banner(html)
    assert "Named entities in news" in html  # the file as it is
    status, body = release(as_lead, "taxonomies", "news-entities")
    assert status == 422 and "not valid YAML" in body
    code, output = check(runner)
    assert code == 1 and f"content: {TAXONOMY}: line" in output and "not valid YAML" in output
    # The guideline naming the broken taxonomy is flagged too, and still served.
    guideline = as_lead.get("/guidelines/news-entities")
    assert guideline.status_code == 200 and "news-entities" in banner(guideline.get_data(True))

    assert as_lead.get("/taxonomies/news-entities/edit").status_code == 200
    assert save_taxonomy(as_lead, app, good) == 302
    assert banner(as_lead.get("/taxonomies/news-entities").get_data(as_text=True)) == ""
    assert check(runner)[0] == 0


def test_pushed_taxonomy_with_duplicate_ids_and_a_broken_replacement(app, as_lead, runner, clone):
    good = original(clone, TAXONOMY)
    broken = good.replace("  - id: org\n", "  - id: per\n", 1).replace(
        "      - id: loc.natural\n", "      - id: loc.natural\n        replaced_by: [loc.sea]\n", 1
    )
    push(clone, {TAXONOMY: broken})

    shown = banner(as_lead.get("/taxonomies/news-entities").get_data(as_text=True))
    assert "duplicate id 'per'" in shown and "replaced by unknown label 'loc.sea'" in shown
    assert re.search(r"\(line \d+\)", shown)
    assert release(as_lead, "taxonomies", "news-entities")[0] == 422
    code, output = check(runner)
    assert code == 1
    assert "duplicate id 'per'" in output and "unknown label 'loc.sea'" in output

    still_broken = broken.replace("replaced_by: [loc.sea]", "replaced_by: [loc.lake]")
    assert save_taxonomy(as_lead, app, still_broken) == 422  # refused as always
    assert save_taxonomy(as_lead, app, good) == 302
    assert check(runner)[0] == 0


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"\x00\x01\x02binary\xff", id="binary"),
        pytest.param(b"", id="empty"),
        pytest.param("name: Caf\xe9\n".encode("latin-1"), id="latin-1"),
        pytest.param(b"labels: " + b"[" * 20_000, id="deep-yaml"),
        pytest.param(b"a: &a [x, x]\nb: &b [*a, *a]\nlabels: [*b, *b]\n", id="alias-bomb"),
    ],
)
def test_pushed_garbage_taxonomy_is_a_problem_not_a_crash(app, as_lead, runner, clone, garbage):
    good = original(clone, TAXONOMY)
    push(clone, {TAXONOMY: garbage})
    for url in (
        "/taxonomies",
        "/taxonomies/news-entities",
        "/taxonomies/news-entities/edit",
        "/taxonomies/news-entities/history",
        "/taxonomies/news-entities/releases",
        "/guidelines/news-entities",
    ):
        assert as_lead.get(url).status_code == 200, url
    assert banner(as_lead.get("/taxonomies/news-entities").get_data(as_text=True))
    no_server_error(as_lead)
    assert release(as_lead, "taxonomies", "news-entities")[0] == 422
    assert check(runner)[0] == 1
    assert save_taxonomy(as_lead, app, good) == 302
    assert check(runner)[0] == 0


# --- releases pushed as tags -------------------------------------------------------------------


def test_a_release_tag_pushed_onto_an_invalid_version_is_flagged(app, as_lead, runner, clone):
    good = original(clone, GUIDELINE)
    push(clone, {GUIDELINE: good + "\n[[label:unicorn]]\n"})
    push_tag(clone, "release/guidelines/news-entities/v1")

    assert tags(app) == ["release/guidelines/news-entities/v1"]  # still a release
    code, output = check(runner)
    assert code == 1
    assert "release release/guidelines/news-entities/v1 (in force, at " in output
    assert "is invalid: text: unknown label [[label:unicorn]]" in output

    releases = as_lead.get("/guidelines/news-entities/releases").get_data(as_text=True)
    assert "invalid</span> This release points at a version" in releases
    page = as_lead.get("/guidelines/news-entities?release=v1")
    assert page.status_code == 200
    assert "Release v1 has 1 problem" in banner(page.get_data(as_text=True))

    assert save_guideline(as_lead, app, good) == 302
    assert release(as_lead, "guidelines", "news-entities")[0] == 302
    code, output = check(runner)
    assert code == 0, output  # a superseded invalid release is history, not a finding
    releases = as_lead.get("/guidelines/news-entities/releases").get_data(as_text=True)
    assert releases.count("invalid</span>") == 1


def test_a_taxonomy_release_tag_pushed_onto_an_invalid_version_is_flagged(
    app, as_lead, runner, clone
):
    good = original(clone, TAXONOMY)
    push(clone, {TAXONOMY: good.replace("  - id: org\n", "  - id: per\n", 1)})
    push_tag(clone, "release/taxonomies/news-entities/v1")
    code, output = check(runner)
    assert code == 1 and "release release/taxonomies/news-entities/v1" in output
    page = as_lead.get("/taxonomies/news-entities?release=v1")
    assert page.status_code == 200 and "duplicate id 'per'" in banner(page.get_data(True))
    # The draft is the same invalid version: the app refuses to release it again.
    assert release(as_lead, "taxonomies", "news-entities")[0] == 422


def test_repair_does_not_touch_content(app, runner, clone):
    good = original(clone, GUIDELINE)
    pushed = push(clone, {GUIDELINE: good + "\n[[label:unicorn]]\n"})
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 1
    assert "--repair does not change content" in result.output
    assert head(app) == pushed
