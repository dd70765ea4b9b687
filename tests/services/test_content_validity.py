"""The verdict on a document version: the save path's validators, over whatever git holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.services import documents, guidelines, taxonomies
from guidelines_app.services.ops import setup
from guidelines_app.store import Author, ContentStore

WHO = Author("Outside", "outside@example.org")
GUIDELINE = "guidelines/news-entities.md"
TAXONOMY = "taxonomies/news-entities.yaml"

GARBAGE = {
    "binary": b"\x00\x01\x02\xff\xfe",
    "empty": b"",
    "whitespace": b"\n\n  \n",
    "latin-1": "---\ntitle: Caf\xe9\n---\n".encode("latin-1"),
    "flow-nesting": b"---\ntitle: " + b"[" * 50_000 + b"\n---\n",
    "block-nesting": b"---\ntitle:\n" + b"- " * 20_000 + b"x\n---\n",
    "alias-bomb": b"---\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n---\nlabels: [*b]\n",
    "conflict-markers": b"<<<<<<< ours\nname: A\n=======\nname: B\n>>>>>>> theirs\n",
    "too-large": b"---\ntitle: x\ntaxonomy: news-entities\n---\n" + b"a" * 11_000_000,
    "not-a-mapping": b"- just\n- a list\n",
}


@pytest.fixture
def store(tmp_path: Path) -> ContentStore:
    return ContentStore.create(
        tmp_path / "content.git", files=setup.starter_files(), author=WHO, message="Starter"
    )


def push(store: ContentStore, files: dict[str, bytes]) -> str:
    return store.write(files, base=None, author=WHO, message="Pushed").commit.id


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_any_pushed_bytes_are_problems_never_exceptions(store, name):
    push(store, {GUIDELINE: GARBAGE[name], TAXONOMY: GARBAGE[name]})
    for judge in (guidelines.problems_at, taxonomies.problems_at):
        verdict = judge(store=store, slug="news-entities")
        assert not verdict.valid, name
        assert all(str(problem) for problem in verdict.problems)


def test_starter_content_is_valid_at_head(store):
    for slug in documents.slugs(store, documents.GUIDELINE):
        assert guidelines.problems_at(store=store, slug=slug).valid, slug
    for slug in documents.slugs(store, documents.TAXONOMY):
        assert taxonomies.problems_at(store=store, slug=slug).valid, slug


def test_problems_carry_the_lines_the_validators_give(store):
    text = store.read(TAXONOMY).text.replace("  - id: org\n", "  - id: per\n", 1)
    push(store, {TAXONOMY: text.encode()})
    verdict = taxonomies.problems_at(store=store, slug="news-entities")
    line = text.split("\n").index("  - id: per", 10) + 1
    assert any("duplicate id 'per'" in p.message and p.line == line for p in verdict.problems)


def test_a_verdict_is_kept_by_blob_not_by_commit(store):
    push(store, {GUIDELINE: store.read(GUIDELINE).data + b"\n[[label:unicorn]]\n"})
    first = guidelines.problems_at(store=store, slug="news-entities")
    push(store, {"guidelines/other-notes.md": b"unrelated\n"})
    second = guidelines.problems_at(store=store, slug="news-entities")
    assert second.commit_id != first.commit_id and second.blob_id == first.blob_id
    assert second.problems is first.problems  # not computed again


def test_a_guideline_is_judged_against_the_taxonomy_of_its_revision(store):
    before = store.head()
    text = store.read(TAXONOMY).text
    start = text.index("      - id: loc.natural\n")
    end = text.index("  - id: misc\n")
    push(store, {TAXONOMY: (text[:start] + text[end:]).encode()})
    body = store.read(GUIDELINE).text
    assert "[[label:loc.natural]]" in body
    now = guidelines.problems_at(store=store, slug="news-entities")
    assert "unknown label [[label:loc.natural]] (not in news-entities)" in now.lines()[0]
    assert guidelines.problems_at(store=store, slug="news-entities", rev=before).valid


def test_an_invalid_draft_is_refused_for_release_with_its_problems(store):
    push(store, {GUIDELINE: b"---\ntitle: x\n---\nno taxonomy\n"})
    with pytest.raises(InvalidInput) as caught:
        documents.refuse_if_invalid(guidelines.problems_at(store=store, slug="news-entities"))
    assert "the draft has problems" in caught.value.message
    assert [p.path for p in caught.value.problems] == ["taxonomy"]


def test_release_checks_name_the_invalid_releases(store):
    good = store.read(GUIDELINE).data
    push(store, {GUIDELINE: good + b"\n[[label:unicorn]]\n"})
    store.create_release(GUIDELINE, rev=store.head() or "", message="v1", tagger=WHO)
    push(store, {GUIDELINE: good})
    store.create_release(GUIDELINE, rev=store.head() or "", message="v2", tagger=WHO)
    checks = guidelines.release_checks(store=store, slug="news-entities")
    assert checks.draft.valid
    assert sorted(checks.invalid_releases) == [1]
