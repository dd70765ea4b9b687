"""Taxonomy pages: index, tree, label permalinks, YAML edits with validation, releases."""

from __future__ import annotations

import pytest

from guidelines_app.domain.taxonomy import parse_taxonomy
from guidelines_app.services.taxonomies import label_page_number
from guidelines_app.services.taxonomies import parsed as parsed_taxonomies
from tests.app.taxonomy_helpers import (
    SMALL,
    big_taxonomy,
    deep_taxonomy,
    head,
    read,
    release,
    write,
)

NEWS = "/taxonomies/news-entities"
WITHOUT_B = SMALL.replace("  - id: b\n    name: Beta\n    description: The second letter.\n", "")
SENTIMENT = "/taxonomies/product-review-sentiment"


def _save(client, slug, text, message="Edit", base=None, **extra):
    data = {"text": text, "message": message, "base": base or "", **extra}
    return client.post(f"/taxonomies/{slug}/edit", data=data)


def test_index_lists_kind_label_count_and_governing_guideline(as_viewer):
    page = as_viewer.get("/taxonomies").get_data(as_text=True)
    assert "news-entities" in page and "spans" in page
    assert "pairwise-preference" in page
    assert 'href="/guidelines/news-entities"' in page


def test_tree_greys_deprecated_labels_and_says_where_they_went(as_viewer):
    response = as_viewer.get(SENTIMENT)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="label-mixed" class="tax-node tax-deprecated"' in page
    assert "went to" in page and 'href="/taxonomies/product-review-sentiment/labels/neutral' in page
    assert "Counter-examples" in page


def test_taxonomy_links_to_the_guideline_that_governs_it_and_back(as_viewer):
    page = as_viewer.get(NEWS).get_data(as_text=True)
    assert 'href="/guidelines/news-entities"' in page
    guideline = as_viewer.get("/guidelines/news-entities?release=draft").get_data(as_text=True)
    assert "/taxonomies/news-entities/labels/" in guideline


def test_label_permalink_shows_definition_path_and_children(as_viewer):
    response = as_viewer.get(f"{NEWS}/labels/loc")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Below this label" in page
    assert f"{NEWS}/labels/loc.gpe" in page


def test_unknown_label_and_unknown_taxonomy_answer_404(as_viewer):
    assert as_viewer.get(f"{NEWS}/labels/nope").status_code == 404
    for url in ("/taxonomies/nope", "/taxonomies/nope/edit", "/taxonomies/nope/history"):
        assert as_viewer.get(url).status_code in (403, 404), url
    assert as_viewer.get("/taxonomies/nope/labels/x").status_code == 404
    assert as_viewer.get("/taxonomies/nope/releases").status_code == 404
    assert as_viewer.get("/taxonomies/Bad..Slug").status_code == 404


def test_show_at_a_release_and_at_an_unknown_release(app, as_lead):
    release(app, "news-entities")
    assert as_lead.get(f"{NEWS}?release=v1").status_code == 200
    assert as_lead.get(f"{NEWS}?release=v9").status_code == 404
    assert as_lead.get(f"{NEWS}?rev=deadbeef").status_code == 404


def test_annotators_cannot_open_the_editor_or_save(as_annotator):
    assert as_annotator.get(f"{NEWS}/edit").status_code == 403
    assert _save(as_annotator, "news-entities", SMALL).status_code == 403


def test_a_lead_saves_valid_yaml_as_a_new_revision(app, as_lead):
    write(app, "small", SMALL)
    text = SMALL.replace("The first letter.", "The first letter of the alphabet.")
    response = _save(as_lead, "small", text, "Clarify alpha", base=head(app))
    assert response.status_code == 302
    assert "of the alphabet" in read(app, "small")
    history = as_lead.get("/taxonomies/small/history").get_data(as_text=True)
    assert "Clarify alpha" in history


def test_saving_without_a_commit_message_is_refused(app, as_lead):
    write(app, "small", SMALL)
    response = _save(as_lead, "small", SMALL.replace("Alpha", "Alef"), "  ", base=head(app))
    assert response.status_code == 422
    assert "say what you changed" in response.get_data(as_text=True)
    assert "Alef" not in read(app, "small")


BAD_YAML = {
    "not a mapping": "- just\n- a list\n",
    "alias bomb": (
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "name: bomb\nlabels: []\n"
    ),
    "tabs": "name: T\nlabels:\n\t- id: a\n\t  name: A\n",
    "id with slash": "name: T\nlabels:\n  - id: a/b\n    name: A\n",
    "id with space": "name: T\nlabels:\n  - id: a b\n    name: A\n",
    "replaced_by itself": (
        "name: T\nlabels:\n  - id: a\n    name: A\n    deprecated: true\n    replaced_by: [a]\n"
    ),
    "three-label cycle": (
        "name: T\nlabels:\n"
        "  - {id: a, name: A, deprecated: true, replaced_by: [b]}\n"
        "  - {id: b, name: B, deprecated: true, replaced_by: [c]}\n"
        "  - {id: c, name: C, deprecated: true, replaced_by: [a]}\n"
    ),
    "sibling names clash": "name: T\nlabels:\n  - {id: a, name: Café}\n  - {id: b, name: CAFÉ}\n",
    "bad colour": "name: T\nlabels:\n  - {id: a, name: A, color: red}\n",
    "syntax error": "name: [unclosed\n",
    "conflict markers": "<<<<<<< your edit\nname: T\n=======\nname: U\n>>>>>>> current\n",
}


@pytest.mark.parametrize("case", sorted(BAD_YAML))
def test_invalid_yaml_is_refused_with_422_and_a_message(app, as_lead, case):
    write(app, "small", SMALL)
    before = head(app)
    response = _save(as_lead, "small", BAD_YAML[case], "Break it", base=before)
    assert response.status_code == 422, case
    page = response.get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    assert head(app) == before


def test_an_id_removed_earlier_may_not_come_back(app, as_lead):
    write(app, "small", SMALL)
    write(
        app,
        "small",
        SMALL.replace("  - id: b\n    name: Beta\n    description: The second letter.\n", ""),
    )
    comeback = SMALL.replace("name: Beta", "name: Bravo")
    response = _save(as_lead, "small", comeback, "Bring b back", base=head(app))
    assert response.status_code == 422
    assert "never reused" in response.get_data(as_text=True)


def test_live_check_answers_problems_or_valid(app, as_lead):
    write(app, "small", SMALL)
    bad = as_lead.post("/taxonomies/small/check", data={"text": BAD_YAML["id with slash"]})
    assert bad.status_code == 200 and "a/b" in bad.get_data(as_text=True)
    good = as_lead.post("/taxonomies/small/check", data={"text": SMALL, "base": head(app)})
    assert "Valid" in good.get_data(as_text=True)


def test_stale_edit_of_other_lines_is_merged(app, as_lead):
    write(app, "small", SMALL)
    base = head(app)
    write(app, "small", SMALL.replace("The second letter.", "The second letter, B."))
    mine = SMALL.replace("The first letter.", "The first letter, A.")
    response = _save(as_lead, "small", mine, "Edit alpha", base=base)
    assert response.status_code == 302
    text = read(app, "small")
    assert "The first letter, A." in text and "The second letter, B." in text


def test_stale_edit_of_the_same_lines_is_answered_with_409_and_both_versions(app, as_lead):
    write(app, "small", SMALL)
    base = head(app)
    write(app, "small", SMALL.replace("The first letter.", "Theirs."))
    response = _save(as_lead, "small", SMALL.replace("The first letter.", "Mine."), "E", base=base)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Mine." in page and "Theirs." in page and "&lt;&lt;&lt;&lt;&lt;&lt;&lt;" in page
    assert "Mine." not in read(app, "small")


def test_a_stale_edit_that_merges_into_an_invalid_taxonomy_is_refused_with_409(app, as_lead):
    write(app, "small", SMALL)
    base = head(app)
    theirs = SMALL + "  - id: d\n    name: Delta\n"
    write(app, "small", theirs)
    mine = SMALL.replace("  - id: c\n    name: Gamma\n", "  - id: c\n    name: Delta\n")
    response = _save(as_lead, "small", mine, "Rename gamma", base=base)
    assert response.status_code == 409
    assert "not valid" in response.get_data(as_text=True)
    assert read(app, "small") == theirs


def test_a_larger_than_10_mb_taxonomy_is_refused_with_413(app, as_lead):
    write(app, "small", SMALL)
    huge = SMALL + "# " + "x" * (10 * 1024 * 1024) + "\n"
    response = _save(as_lead, "small", huge, "Huge", base=head(app))
    assert response.status_code == 413


def test_ten_thousand_labels_validate_save_and_render_in_pages(app, as_lead):
    write(app, "big", SMALL.replace("Small", "Big"))
    text = big_taxonomy(10_000)
    response = _save(as_lead, "big", text, "Ten thousand labels", base=head(app))
    assert response.status_code == 302
    page = as_lead.get("/taxonomies/big")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Labels page 1 of" in html and 'id="label-l0"' in html
    assert 'id="label-l9999"' not in html
    last = as_lead.get("/taxonomies/big/labels/l9999")
    assert last.status_code == 200 and "page=" in last.get_data(as_text=True)


def test_nested_ten_thousand_labels_render_collapsed(app, as_lead):
    write(app, "big", big_taxonomy(10_000, nested=True))
    response = as_lead.get("/taxonomies/big")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<details>" in html and "<details open>" not in html


def test_releasing_a_taxonomy_needs_notes_and_a_change(app, as_lead):
    write(app, "small", SMALL)
    empty = as_lead.post("/taxonomies/small/releases", data={"notes": " "})
    assert empty.status_code == 422
    first = as_lead.post("/taxonomies/small/releases", data={"notes": "First"})
    assert first.status_code == 302
    again = as_lead.post("/taxonomies/small/releases", data={"notes": "Again"})
    assert again.status_code == 409
    page = as_lead.get("/taxonomies/small/releases").get_data(as_text=True)
    assert "v1" in page and "First" in page


def test_a_draft_with_problems_cannot_be_released(app, as_lead):
    write(app, "small", BAD_YAML["bad colour"])
    response = as_lead.post("/taxonomies/small/releases", data={"notes": "Try"})
    assert response.status_code == 422


def test_history_pages_and_htmx_fragment(app, as_viewer):
    write(app, "small", SMALL)
    full = as_viewer.get("/taxonomies/small/history")
    assert "<html" in full.get_data(as_text=True)
    fragment = as_viewer.get("/taxonomies/small/history", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<tr>" in fragment.get_data(as_text=True)


def test_a_base_named_by_a_branch_is_resolved_not_cached_by_name(app, as_lead):
    write(app, "small", SMALL)
    write(app, "small", WITHOUT_B)
    response = _save(as_lead, "small", SMALL.replace("name: Beta", "name: Bravo"), "B", base="main")
    assert response.status_code == 422
    assert "never reused" in response.get_data(as_text=True)
    assert _save(as_lead, "small", SMALL, "B", base="no-such-ref").status_code == 422


def test_a_ten_thousand_label_taxonomy_three_levels_deep_is_parsed_once_for_every_page(
    app, as_lead, monkeypatch
):
    parses: list[int] = []
    real = parsed_taxonomies.parse_taxonomy_lenient

    def counting(text):
        parses.append(len(text))
        return real(text)

    monkeypatch.setattr(parsed_taxonomies, "parse_taxonomy_lenient", counting)
    parsed_taxonomies.clear()  # the same blob may have been parsed by an earlier test
    text = deep_taxonomy(10_000)
    write(app, "deep", text, "Ten thousand labels")
    pages = (
        "/taxonomies",
        "/taxonomies/deep",
        "/taxonomies/deep?page=3",
        "/taxonomies/deep/labels/t15-m23-l24",
        "/taxonomies/deep/diff",
    )
    for _ in range(2):
        for url in pages:
            assert as_lead.get(url).status_code == 200, url
    assert parses.count(len(text)) == 1
    index = as_lead.get("/taxonomies").get_data(as_text=True)
    assert "Deep" in index and "10000" in index.replace(",", "")
    page = as_lead.get("/taxonomies/deep").get_data(as_text=True)
    assert "10000 labels" in page and 'id="label-t0"' in page
    assert "Labels page 1 of" in page and 'id="label-t15"' not in page
    leaf = as_lead.get("/taxonomies/deep/labels/t15-m23-l24").get_data(as_text=True)
    assert "Leaf 15.23.24" in leaf and "Top 15" in leaf and "Middle 15.23" in leaf
    last_page = label_page_number(parse_taxonomy(text), "t15-m23-l24")
    assert last_page > 1 and f"page={last_page}" in leaf
    assert 'id="label-t15"' in as_lead.get(f"/taxonomies/deep?page={last_page}").get_data(
        as_text=True
    )
