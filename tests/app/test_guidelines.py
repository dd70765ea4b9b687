from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from guidelines_app.store import Author, ContentStore
from tests.factories import make_decision, signed_in_client

SLUG = "product-review-sentiment"
PATH = f"guidelines/{SLUG}.md"
LEAD = Author("Lena Lead", "lena@example.org")


def _store(app) -> ContentStore:
    return app.extensions["guidelines.store"]


def _text(app, rev=None) -> str:
    return _store(app).read(PATH, rev).text


def _base(client, slug=SLUG) -> tuple[str, str]:
    html = client.get(f"/guidelines/{slug}/edit").get_data(as_text=True)
    base = re.search(r'name="base" value="([0-9a-f]{40})"', html).group(1)
    return base, _store(client.application).read(f"guidelines/{slug}.md", base).text


def _save(client, text, base, message="Clarify a rule", slug=SLUG, **extra):
    data = {"text": text, "base": base, "message": message, "action": "save", **extra}
    return client.post(f"/guidelines/{slug}/edit", data=data)


def _release(app, notes="First release"):
    return _store(app).create_release(PATH, rev=_store(app).head(), message=notes, tagger=LEAD)


# -- reading ------------------------------------------------------------------------------


def test_index_lists_the_starter_guidelines_with_their_taxonomy(as_viewer):
    html = as_viewer.get("/guidelines").get_data(as_text=True)
    assert "Sentiment of product reviews" in html
    assert "Named entities in news text" in html
    assert "product-review-sentiment" in html
    assert "not released" in html


def test_show_renders_the_guideline_with_a_table_of_contents(as_viewer):
    response = as_viewer.get(f"/guidelines/{SLUG}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Sentiment of product reviews</h1>" in html
    assert 'id="sarcasm"' in html
    assert 'href="#sarcasm"' in html  # the table of contents
    assert "draft, not released yet" in html


def test_annotators_read_the_release_in_force_and_leads_the_draft(app, as_annotator, as_lead):
    _release(app, "v1 notes")
    base, text = _base(as_lead)
    assert _save(as_lead, text.replace("exactly one", "exactly one (1)"), base).status_code == 302
    annotator_view = as_annotator.get(f"/guidelines/{SLUG}").get_data(as_text=True)
    lead_view = as_lead.get(f"/guidelines/{SLUG}").get_data(as_text=True)
    assert "v1, in force since" in annotator_view and "exactly one (1)" not in annotator_view
    assert "1 change ahead of v1" in lead_view and "exactly one (1)" in lead_view
    assert "exactly one (1)" in as_annotator.get(f"/guidelines/{SLUG}?release=draft").get_data(
        as_text=True
    )


def test_any_revision_and_release_can_be_shown(app, as_viewer):
    first = _store(app).head()
    _release(app)
    assert as_viewer.get(f"/guidelines/{SLUG}?release=v1").status_code == 200
    assert as_viewer.get(f"/guidelines/{SLUG}?release=1").status_code == 200
    assert as_viewer.get(f"/guidelines/{SLUG}?rev={first}").status_code == 200
    assert as_viewer.get(f"/guidelines/{SLUG}?rev={first[:8]}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/guidelines/no-such-guideline",
        "/guidelines/..%2Fsecrets",
        "/guidelines/Bad_Slug",
        f"/guidelines/{SLUG}?release=v9",
        f"/guidelines/{SLUG}?rev=deadbeef",
        f"/guidelines/{SLUG}?rev=--all",
        f"/guidelines/{SLUG}?rev=main..HEAD",
        "/guidelines/no-such-guideline/history",
        "/guidelines/no-such-guideline/releases",
        f"/guidelines/{SLUG}/diff?from=v7&to=draft",
    ],
)
def test_unknown_guidelines_and_versions_are_404(as_viewer, url):
    response = as_viewer.get(url)
    assert response.status_code == 404, response.get_data(as_text=True)[:500]


def test_section_permalink_goes_to_the_release_in_force(app, as_viewer):
    response = as_viewer.get(f"/guidelines/{SLUG}/sections/sarcasm")
    assert response.headers["Location"].endswith(f"/guidelines/{SLUG}#sarcasm")
    _release(app)
    response = as_viewer.get(f"/guidelines/{SLUG}/sections/sarcasm")
    assert response.headers["Location"].endswith(f"/guidelines/{SLUG}?release=v1#sarcasm")


def test_section_ids_survive_a_heading_rename(app, as_lead):
    base, text = _base(as_lead)
    renamed = re.sub(
        r"^## Sarcasm and irony \{#sarcasm\}",
        "## Irony, sarcasm and jokes {#sarcasm}",
        text,
        flags=re.M,
    )
    assert renamed != text
    assert _save(as_lead, renamed, base, "Rename the sarcasm heading").status_code == 302
    html = as_lead.get(f"/guidelines/{SLUG}").get_data(as_text=True)
    assert re.search(r'<h2 id="sarcasm"[^>]*>Irony, sarcasm and jokes', html)


def test_label_mentions_link_to_the_taxonomy_and_unknown_ones_are_refused(app, as_lead):
    html = as_lead.get(f"/guidelines/{SLUG}").get_data(as_text=True)
    assert "label-mention" in html and "label-unknown" not in html
    base, text = _base(as_lead)
    response = _save(as_lead, text + "\nUse [[label:ecstatic]] for joy.\n", base)
    assert response.status_code == 422
    assert "unknown label [[label:ecstatic]]" in response.get_data(as_text=True)


# -- editing ------------------------------------------------------------------------------


def test_a_lead_saves_a_revision_that_appears_in_history_with_its_author(app, as_lead):
    base, text = _base(as_lead)
    response = _save(as_lead, text.replace("exactly one", "one and only one"), base, "Say it twice")
    assert response.status_code == 302
    head = _store(app).head()
    assert response.headers["Location"].endswith(f"?rev={head}")
    history = as_lead.get(f"/guidelines/{SLUG}/history").get_data(as_text=True)
    assert "Say it twice" in history and "lena" in history.lower()
    assert "one and only one" in _text(app)


def test_cited_decisions_become_commit_trailers(app, as_lead):
    first, second = make_decision(app).id, make_decision(app, title="Another rule").id
    base, text = _base(as_lead)
    response = _save(as_lead, text + "\nOne more rule.\n", base, decisions=f"{first}, #{second}")
    assert response.status_code == 302
    commit = _store(app).commit(_store(app).head())
    assert commit.trailer_values("Decision") == [str(first), str(second)]
    history = as_lead.get(f"/guidelines/{SLUG}/history").get_data(as_text=True)
    assert f"Decision: {first}" in history


def test_citing_a_decision_that_does_not_exist_is_422(app, as_lead):
    real = make_decision(app).id
    base, text = _base(as_lead)
    head = _store(app).head()
    response = _save(as_lead, text + "\nx\n", base, decisions=f"{real}, 999")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "no decision #999" in page and f"no decision #{real}" not in page
    assert _store(app).head() == head


def test_malformed_decision_numbers_are_422(app, as_lead):
    base, text = _base(as_lead)
    response = _save(as_lead, text + "\nx\n", base, decisions="12, twelve")
    assert response.status_code == 422
    assert "not a decision number: twelve" in response.get_data(as_text=True)


def test_an_empty_commit_message_is_422_and_the_text_is_kept(app, as_lead):
    base, text = _base(as_lead)
    head = _store(app).head()
    response = _save(as_lead, text + "\nMy careful new paragraph.\n", base, message="   ")
    assert response.status_code == 422
    assert "My careful new paragraph." in response.get_data(as_text=True)
    assert _store(app).head() == head


def test_invalid_front_matter_is_422_with_the_line(app, as_lead):
    base, _ = _base(as_lead)
    response = _save(as_lead, "---\ntitle: [unclosed\ntaxonomy: x\n---\nBody\n", base)
    assert response.status_code == 422
    assert "line" in response.get_data(as_text=True)
    missing = _save(as_lead, "---\ntitle: T\n---\nBody\n", base)
    assert missing.status_code == 422
    assert "taxonomy" in missing.get_data(as_text=True)


def test_a_document_over_one_megabyte_is_413(app, as_lead):
    base, text = _base(as_lead)
    response = _save(as_lead, text + "x" * 1_100_000, base)
    assert response.status_code == 413


def test_saving_without_a_change_makes_no_commit_and_says_so(app, as_lead):
    base, text = _base(as_lead)
    head = _store(app).head()
    response = _save(as_lead, text, base)
    assert response.status_code == 200
    assert "Nothing changed" in response.get_data(as_text=True)
    assert _store(app).head() == head


def test_a_stale_save_of_another_paragraph_is_merged_and_announced(app, as_lead):
    other = signed_in_client(app, "lead", "otto")
    base, text = _base(as_lead)
    assert (
        _save(other, text.replace("exactly one", "exactly ONE"), base, "Otto's edit").status_code
        == 302
    )
    mine = text.replace("What this guideline covers:", "What this guideline covers, in short:")
    response = _save(as_lead, mine, base, "Lena's edit")
    assert response.status_code == 302
    merged = _text(app)
    assert "exactly ONE" in merged and "in short:" in merged
    assert "merged" in as_lead.get(response.headers["Location"]).get_data(as_text=True)


def test_a_conflicting_stale_save_is_409_with_both_versions_and_nothing_lost(app, as_lead):
    other = signed_in_client(app, "lead", "otto")
    base, text = _base(as_lead)
    assert (
        _save(other, text.replace("exactly one", "precisely one"), base, "Otto").status_code == 302
    )
    theirs_head = _store(app).head()
    response = _save(as_lead, text.replace("exactly one", "just one"), base, "Lena")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "precisely one" in html and "just one" in html and "&lt;&lt;&lt;&lt;&lt;&lt;&lt;" in html
    assert f'name="base" value="{theirs_head}"' in html
    assert _store(app).head() == theirs_head
    # Saving the text with its markers still in it is refused.
    merged = re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    import html as html_lib

    unresolved = html_lib.unescape(merged)
    assert _save(as_lead, unresolved, theirs_head, "Lena").status_code == 422
    resolved = re.sub(r"<<<<<<< .*?\n(.*?)=======\n.*?>>>>>>> .*?\n", r"\1", unresolved, flags=re.S)
    assert _save(as_lead, resolved, theirs_head, "Lena, resolved").status_code == 302


def test_two_leads_saving_at_once_lose_nothing(app):
    clients = [signed_in_client(app, "lead", f"lead{i}") for i in range(2)]
    base, text = _base(clients[0])
    marks = ["ALPHA-MARK", "OMEGA-MARK"]
    results = []

    def save(client, mark, needle):
        results.append(
            _save(client, text.replace(needle, needle + " " + mark), base, mark).status_code
        )

    needles = ["What this guideline covers:", "exactly one"]
    threads = [
        threading.Thread(target=save, args=(c, m, n))
        for c, m, n in zip(clients, marks, needles, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [302, 302]
    final = _text(app)
    assert all(mark in final for mark in marks)


def test_hostile_markdown_is_shown_as_text_never_executed(app, as_lead):
    base, text = _base(as_lead)
    payloads = (
        "\n<script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) [again](JaVaScRiPt:alert(2)) <img src=x onerror=alert(3)>\n\n"
        '<div hx-get="/admin" hx-trigger="load">x</div>\n'
    )
    assert _save(as_lead, text + payloads, base, "Hostile").status_code == 302
    html = as_lead.get(f"/guidelines/{SLUG}").get_data(as_text=True)
    article = html[html.index('id="guideline-text"') :]
    assert "<script>alert" not in article
    assert not re.search(r"href=[\"']?\s*javascript:", article, re.I)
    assert "[click](javascript:alert(1))" in article  # shown as text
    assert "<img" not in article
    assert 'onmouseover="' not in article
    assert "<div hx-get" not in article
    assert "&lt;script&gt;" in article
    base, text = _base(as_lead)
    evil_id = _save(as_lead, text + '\n## Evil {#x" onmouseover="alert(4)}\n', base, "Evil id")
    assert evil_id.status_code == 422
    assert "heading id" in evil_id.get_data(as_text=True)


def test_preview_returns_a_fragment_with_problems(as_lead):
    response = as_lead.post(
        f"/guidelines/{SLUG}/preview",
        data={
            "text": (
                "---\ntitle: T\ntaxonomy: product-review-sentiment\n---\n"
                "## Hi {#hi}\n[[label:nope]]\n"
            )
        },
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="hi"' in html and "unknown label [[label:nope]]" in html


def test_preview_button_works_without_javascript(as_lead):
    base, text = _base(as_lead)
    response = as_lead.post(
        f"/guidelines/{SLUG}/edit",
        data={"text": text + "\n## Brand new {#brand-new}\n", "base": base, "action": "preview"},
    )
    assert response.status_code == 200
    assert 'id="brand-new"' in response.get_data(as_text=True)


def test_removing_a_section_that_decisions_cite_needs_confirmation(app, as_lead):
    cited = make_decision(app, title="Sarcastic praise", section_id="sarcasm").id
    base, text = _base(as_lead)
    without = re.sub(r"^## Sarcasm and irony \{#sarcasm\}", "## Humour {#humour}", text, flags=re.M)
    response = _save(as_lead, without, base, "Drop sarcasm")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"#{cited} Sarcastic praise" in html and "confirm_removed_sections" in html
    confirmed = _save(as_lead, without, base, "Drop sarcasm", confirm_removed_sections="1")
    assert confirmed.status_code == 302


# -- create and archive ---------------------------------------------------------------------


def test_a_lead_creates_a_guideline_from_the_template(app, as_lead):
    response = as_lead.post(
        "/guidelines",
        data={"slug": "toxicity", "title": "Toxicity", "taxonomy": "product-review-sentiment"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/guidelines/toxicity/edit")
    assert "## Edge cases {#edge-cases}" in _store(app).read("guidelines/toxicity.md").text
    assert (
        as_lead.post(
            "/guidelines",
            data={"slug": "toxicity", "title": "Again", "taxonomy": "product-review-sentiment"},
        ).status_code
        == 409
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"slug": "../etc", "title": "T", "taxonomy": "product-review-sentiment"}, "slug"),
        ({"slug": "Upper", "title": "T", "taxonomy": "product-review-sentiment"}, "slug"),
        ({"slug": "ok", "title": " ", "taxonomy": "product-review-sentiment"}, "title"),
        ({"slug": "ok", "title": "T", "taxonomy": "no-such-taxonomy"}, "no taxonomy"),
    ],
)
def test_creating_a_guideline_with_bad_input_is_422(app, as_lead, form, message):
    head = _store(app).head()
    response = as_lead.post("/guidelines", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _store(app).head() == head


def test_archived_guidelines_leave_the_index_but_keep_their_history(app, as_lead):
    assert as_lead.post(f"/guidelines/{SLUG}/archive", data={"archived": "1"}).status_code == 302
    assert "Sentiment of product reviews" not in as_lead.get("/guidelines").get_data(as_text=True)
    assert "Sentiment of product reviews" in as_lead.get("/guidelines?archived=1").get_data(
        as_text=True
    )
    assert as_lead.get(f"/guidelines/{SLUG}/history").status_code == 200
    assert as_lead.post(f"/guidelines/{SLUG}/archive", data={"archived": "0"}).status_code == 302
    assert "Sentiment of product reviews" in as_lead.get("/guidelines").get_data(as_text=True)


# -- history, diff, releases ----------------------------------------------------------------


def test_history_is_paginated(app, as_lead):
    for i in range(3):
        base, text = _base(as_lead)
        _save(as_lead, text + f"\nParagraph {i}.\n", base, f"Edit {i}")
    page1 = as_lead.get(f"/guidelines/{SLUG}/history").get_data(as_text=True)
    assert "Edit 2" in page1 and "4 revisions" in page1
    assert as_lead.get(f"/guidelines/{SLUG}/history?page=99").status_code == 200
    fragment = as_lead.get(f"/guidelines/{SLUG}/history", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in fragment and "Edit 2" in fragment


def test_diff_summarises_changed_sections_and_highlights_words(app, as_lead):
    _release(app)
    base, text = _base(as_lead)
    edited = text.replace("exactly one", "exactly one and only one")
    edited += "\n## Emoji rules {#emoji-rules}\n\nNew rules.\n"
    _save(as_lead, edited, base, "Diff me")
    html = as_lead.get(f"/guidelines/{SLUG}/diff?from=v1&to=draft").get_data(as_text=True)
    assert "1 section changed: Scope and goal" in html
    assert "1 section added: Emoji rules" in html
    assert "<ins>" in html and "and only one" in html
    assert "@@" in html  # the raw unified diff


def test_releases_are_numbered_with_notes_and_refused_when_nothing_changed(app, as_lead):
    response = as_lead.post(
        f"/guidelines/{SLUG}/releases", data={"notes": "First release for the pilot."}
    )
    assert response.status_code == 302
    page = as_lead.get(f"/guidelines/{SLUG}/releases").get_data(as_text=True)
    assert "v1" in page and "First release for the pilot." in page
    again = as_lead.post(f"/guidelines/{SLUG}/releases", data={"notes": "again"})
    assert again.status_code == 409
    assert as_lead.post(f"/guidelines/{SLUG}/releases", data={"notes": "  "}).status_code == 422


# -- acknowledgments ----------------------------------------------------------------------


def test_annotators_acknowledge_new_releases_and_leads_see_who_did(app, as_annotator, as_lead):
    _release(app, "v1 notes")
    show = as_annotator.get(f"/guidelines/{SLUG}").get_data(as_text=True)
    assert "Read what changed and acknowledge it" in show
    first = as_annotator.get(f"/guidelines/{SLUG}/acknowledge").get_data(as_text=True)
    assert "first release you acknowledge" in first
    assert (
        as_annotator.post(f"/guidelines/{SLUG}/acknowledge", data={"version": "v1"}).status_code
        == 302
    )
    assert "acknowledge it" not in as_annotator.get(f"/guidelines/{SLUG}").get_data(as_text=True)

    base, text = _base(as_lead)
    _save(as_lead, text.replace("exactly one", "exactly one single"), base, "Tighten")
    _release(app, "v2 notes")
    second = as_annotator.get(f"/guidelines/{SLUG}/acknowledge").get_data(as_text=True)
    assert "since v1, the release you acknowledged" in second
    assert "<ins>" in second and "single" in second
    releases = as_lead.get(f"/guidelines/{SLUG}/releases").get_data(as_text=True)
    assert "Acknowledged by 0 of 1" in releases and "Acknowledged by 1 of 1" in releases


def test_acknowledging_a_release_that_is_not_in_force_is_422(app, as_annotator):
    _release(app, "v1")
    store = _store(app)
    store.write({PATH: (_text(app) + "\nMore.\n").encode()}, base=None, author=LEAD, message="m")
    _release(app, "v2")
    assert (
        as_annotator.post(f"/guidelines/{SLUG}/acknowledge", data={"version": "v1"}).status_code
        == 422
    )
    assert (
        as_annotator.post(f"/guidelines/{SLUG}/acknowledge", data={"version": "v7"}).status_code
        == 404
    )
    assert (
        as_annotator.post(f"/guidelines/{SLUG}/acknowledge", data={"version": "latest"}).status_code
        == 422
    )
    assert (
        as_annotator.post(f"/guidelines/{SLUG}/acknowledge", data={"version": "v2"}).status_code
        == 302
    )


def test_changes_pushed_to_the_repository_from_outside_are_shown(app, as_viewer, tmp_path: Path):
    import subprocess

    repo = Path(_store(app).path)
    work = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
    target = work / PATH
    target.write_text(target.read_text() + "\nPushed from a laptop.\n")
    env = {
        "GIT_AUTHOR_NAME": "X",
        "GIT_AUTHOR_EMAIL": "x@e",
        "GIT_COMMITTER_NAME": "X",
        "GIT_COMMITTER_EMAIL": "x@e",
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", "-C", str(work), "commit", "-qam", "From outside"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "main"], check=True, env=env)
    assert "Pushed from a laptop." in as_viewer.get(f"/guidelines/{SLUG}").get_data(as_text=True)


def test_a_guideline_created_in_the_app_has_a_diff_for_its_first_revision(app, as_lead):
    before = _store(app).head()
    form = {"slug": "fresh", "title": "Fresh", "taxonomy": "product-review-sentiment"}
    assert as_lead.post("/guidelines", data=form).status_code == 302
    created = _store(app).head()
    history = as_lead.get("/guidelines/fresh/history").get_data(as_text=True)
    link = f"/guidelines/fresh/diff?from={before}&amp;to={created}"
    assert link in history
    response = as_lead.get(link.replace("&amp;", "&"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "From before fresh existed to" in page and "added" in page
    assert f'name="from" value="{before}"' in page  # the form can be sent again as it is
    assert as_lead.get(f"/guidelines/fresh/diff?from={created}&to={before}").status_code == 404
