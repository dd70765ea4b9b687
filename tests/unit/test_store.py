import os
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from guidelines_app.store import (
    Author,
    ContentStore,
    InvalidPath,
    NoChange,
    PathNotFound,
    ReleaseExists,
    RevisionNotFound,
    StoreError,
    StoreUnavailable,
    WriteConflict,
)

ANN = Author("Ann Lead", "ann@example.org")
BOB = Author("Bob Lead", "bob@example.org")
GUIDE = "guidelines/sentiment.md"
TAXONOMY = "taxonomies/sentiment.yaml"
PARAGRAPHS = (
    b"# Sentiment\n\nIntro paragraph.\n\n## Positive\n\nPraise.\n\n## Negative\n\nComplaints.\n"
)


def git(store, *args, input=None):
    proc = subprocess.run(
        ["git", f"--git-dir={store.path}", *args],
        input=input,
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode().strip()


@pytest.fixture
def store(tmp_path):
    return ContentStore.create(
        tmp_path / "content.git",
        files={GUIDE: PARAGRAPHS, TAXONOMY: b"labels: [pos, neg]\n"},
        author=ANN,
    )


def save(store, text, path=GUIDE, **kwargs):
    kwargs.setdefault("base", None)
    kwargs.setdefault("author", ANN)
    kwargs.setdefault("message", f"Edit {path}")
    return store.write({path: text.encode()}, **kwargs)


def test_written_file_reads_back_with_its_blob_and_commit(store):
    result = save(store, "# Sentiment\n\nNew text.\n")
    version = store.read(GUIDE)
    assert version.text == "# Sentiment\n\nNew text.\n"
    assert version.commit_id == result.commit.id == store.head()
    assert version.blob_id == git(store, "rev-parse", f"{result.commit.id}:{GUIDE}")
    assert store.read(GUIDE, rev=result.commit.parents[0]).data == PARAGRAPHS


def test_commit_records_author_as_committer_with_an_aware_utc_date(store):
    before = datetime.now(UTC) - timedelta(seconds=2)
    info = save(store, "x\n", author=BOB, message="Reword\n\nBecause of escalation.").commit
    assert (info.author_name, info.author_email) == ("Bob Lead", "bob@example.org")
    assert (info.committer_name, info.committer_email) == ("Bob Lead", "bob@example.org")
    assert info.authored_at.tzinfo is not None and info.authored_at >= before
    assert info.summary == "Reword"
    assert info.message == "Reword\n\nBecause of escalation."
    assert info.short_id == info.id[:7] and len(info.id) == 40


def test_trailers_are_written_as_a_git_trailer_block_and_parsed_back(store):
    info = save(
        store, "x\n", message="Apply ruling", trailers=[("Decision", "42"), ("Escalation", "17")]
    ).commit
    assert info.trailers == (("Decision", "42"), ("Escalation", "17"))
    assert info.trailer_values("decision") == ["42"]
    assert info.message == "Apply ruling"
    raw = git(store, "cat-file", "commit", info.id).encode()
    parsed = git(store, "interpret-trailers", "--parse", input=raw.split(b"\n\n", 1)[1])
    assert parsed.splitlines() == ["Decision: 42", "Escalation: 17"]
    assert store.commit(info.short_id) == info


def test_history_of_a_path_is_newest_first_and_paginates(store):
    ids = [save(store, f"revision {i}\n", message=f"Revision {i}").commit.id for i in range(5)]
    save(store, "labels: []\n", path=TAXONOMY)
    page1 = store.history(GUIDE, limit=2)
    page2 = store.history(GUIDE, limit=2, offset=2)
    assert [c.id for c in page1 + page2] == ids[::-1][:4]
    assert [c.summary for c in page1] == ["Revision 4", "Revision 3"]
    assert store.count_history(GUIDE) == 6
    assert store.count_history() == 7
    assert store.count_history(GUIDE, rev=ids[1]) == 3
    initial = store.history(GUIDE)[-1].id
    assert [c.id for c in store.history(GUIDE, rev=ids[1])] == [ids[1], ids[0], initial]
    assert store.history(GUIDE, offset=6) == []


def test_diff_between_revisions_is_unified_text(store):
    first = store.head()
    save(store, PARAGRAPHS.decode().replace("Praise.", "Praise and thanks."))
    text = store.diff(first, "main", GUIDE, context=1)
    assert f"--- a/{GUIDE}" in text and f"+++ b/{GUIDE}" in text
    assert "-Praise.\n+Praise and thanks.\n" in text
    assert "Complaints." not in text  # outside one line of context
    assert store.diff(first, first) == ""


def test_changed_paths_lists_every_touched_file(store):
    first = store.head()
    store.write({GUIDE: b"a\n", TAXONOMY: None, "taxonomies/new.yaml": b"b\n"}, base=first,
                author=ANN, message="Three changes")  # fmt: skip
    assert store.changed_paths(first, "main") == sorted([GUIDE, TAXONOMY, "taxonomies/new.yaml"])


def test_none_deletes_a_file(store):
    save(store, "keep\n", path="guidelines/other.md")
    store.write({TAXONOMY: None}, base=None, author=ANN, message="Drop taxonomy")
    assert not store.exists(TAXONOMY)
    assert store.list_files() == ["guidelines/other.md", GUIDE]
    with pytest.raises(PathNotFound):
        store.read(TAXONOMY)


def test_paths_with_spaces_are_read_and_reported_missing(store):
    save(store, "spaced\n", path="guidelines/with space.md")
    assert store.read("guidelines/with space.md").text == "spaced\n"
    assert not store.exists("guidelines/no such file.md")
    with pytest.raises(PathNotFound):
        store.read("guidelines/no such file.md")


def test_list_files_filters_by_prefix(store):
    save(store, "x\n", path="guidelines/toxicity.md")
    assert store.list_files("guidelines/") == ["guidelines/sentiment.md", "guidelines/toxicity.md"]
    assert store.list_files("taxonomies/") == [TAXONOMY]
    assert store.list_files("guidelines/tox") == ["guidelines/toxicity.md"]
    assert store.list_files(rev=store.history()[-1].id) == [GUIDE, TAXONOMY]


def test_identical_content_raises_no_change(store):
    with pytest.raises(NoChange):
        store.write({GUIDE: PARAGRAPHS}, base=store.head(), author=ANN, message="Same")
    assert store.count_history() == 1


def test_stale_write_of_same_file_in_another_paragraph_is_merged(store):
    base = store.head()
    save(store, PARAGRAPHS.decode().replace("Praise.", "Praise, thanks."), author=BOB)
    result = save(store, PARAGRAPHS.decode().replace("Complaints.", "Complaints, anger."),
                  base=base)  # fmt: skip
    assert result.merged and result.merged_paths == (GUIDE,)
    text = store.read(GUIDE).text
    assert "Praise, thanks." in text and "Complaints, anger." in text
    assert result.commit.parents == (store.history()[1].id,)


def test_stale_write_of_same_lines_raises_conflict_with_both_versions(store):
    base = store.head()
    theirs = save(store, PARAGRAPHS.decode().replace("Praise.", "Praise (theirs)."), author=BOB)
    ours = PARAGRAPHS.decode().replace("Praise.", "Praise (ours).")
    with pytest.raises(WriteConflict) as caught:
        save(store, ours, base=base)
    conflict = caught.value
    assert conflict.path == GUIDE
    assert conflict.base_text == PARAGRAPHS.decode()
    assert conflict.ours_text == ours
    assert "Praise (theirs)." in conflict.theirs_text
    assert conflict.head_id == theirs.commit.id == store.head()
    assert "<<<<<<<" in conflict.merged_text and ">>>>>>>" in conflict.merged_text
    assert "Praise (ours)." in conflict.merged_text
    assert "Praise (theirs)." in conflict.merged_text
    assert "Praise (ours)." not in store.read(GUIDE).text


def test_stale_write_of_another_file_is_committed_without_merge(store):
    base = store.head()
    save(store, "changed by bob\n", author=BOB)
    result = save(store, "labels: [pos, neg, neutral]\n", path=TAXONOMY, base=base)
    assert not result.merged and result.merged_paths == ()
    assert store.read(GUIDE).text == "changed by bob\n"
    assert store.read(TAXONOMY).text == "labels: [pos, neg, neutral]\n"


def test_stale_delete_of_a_file_changed_meanwhile_is_a_conflict(store):
    base = store.head()
    save(store, "changed\n", author=BOB)
    with pytest.raises(WriteConflict):
        store.write({GUIDE: None}, base=base, author=ANN, message="Delete")
    assert store.exists(GUIDE)


@pytest.mark.parametrize(
    "path", ["../x.md", "/abs.md", ".git/config", "a/.git/b", "a/../b", "a//b", "a\nb", "a\0b", ""]
)
def test_unsafe_paths_are_rejected(store, path):
    with pytest.raises(InvalidPath):
        store.write({path: b"x"}, base=None, author=ANN, message="Bad")
    assert store.count_history() == 1


def test_file_cannot_become_a_directory_in_one_write(store):
    with pytest.raises(InvalidPath):
        store.write({f"{GUIDE}/inner.md": b"x"}, base=None, author=ANN, message="Clash")


@pytest.mark.parametrize("rev", ["-h", "--all", "main..HEAD", "main:guidelines", "a b", "@{1}"])
def test_option_like_or_range_revisions_are_rejected(store, rev):
    with pytest.raises(RevisionNotFound):
        store.resolve(rev)


def test_resolve_accepts_sha_short_sha_branch_and_tags(store):
    head = store.head()
    release = store.create_release(GUIDE, rev=head, message="First", tagger=ANN)
    for rev in (head, head[:8], "main", release.tag, f"refs/tags/{release.tag}"):
        assert store.resolve(rev) == head
    with pytest.raises(RevisionNotFound):
        store.resolve("no-such-branch")
    with pytest.raises(RevisionNotFound):
        store.read(GUIDE, rev="0" * 40)


def test_writes_leave_no_index_or_working_tree(store):
    save(store, "x\n")
    assert not (store.path / "index").exists()
    assert git(store, "rev-parse", "--is-bare-repository") == "true"


def test_releases_are_numbered_per_path_and_keep_their_notes(store):
    first = store.create_release(GUIDE, rev="main", message="Initial rules", tagger=BOB)
    save(store, "v2 text\n")
    second = store.create_release(GUIDE, rev="main", message="Clarified\n\n- sarcasm", tagger=ANN)
    other = store.create_release(TAXONOMY, rev="main", message="Labels", tagger=ANN)
    assert (first.tag, first.version) == ("release/guidelines/sentiment/v1", 1)
    assert (second.tag, second.version) == ("release/guidelines/sentiment/v2", 2)
    assert other.tag == "release/taxonomies/sentiment/v1"
    assert second.message == "Clarified\n\n- sarcasm"
    assert (first.tagger_name, first.tagger_email) == ("Bob Lead", "bob@example.org")
    assert first.tagged_at.tzinfo is not None
    assert store.releases(GUIDE) == [first, second]
    assert store.release(GUIDE, 2) == second
    assert store.all_releases() == [first, second, other]
    assert git(store, "cat-file", "-t", second.tag) == "tag"
    with pytest.raises(RevisionNotFound):
        store.release(GUIDE, 3)


def test_releasing_the_already_released_content_raises_release_exists(store):
    store.create_release(GUIDE, rev="main", message="One", tagger=ANN)
    save(store, "labels: []\n", path=TAXONOMY)
    with pytest.raises(ReleaseExists):
        store.create_release(GUIDE, rev="main", message="Again", tagger=ANN)


def test_tag_moved_or_pushed_from_outside_is_seen(store):
    first = store.head()
    store.create_release(GUIDE, rev=first, message="One", tagger=ANN)
    second = save(store, "outside edit\n").commit.id
    tag = "release/guidelines/sentiment/v1"
    git(store, "tag", "-f", "-a", "-m", "Moved by hand", tag, second)
    git(store, "tag", "-a", "-m", "Pushed", "release/guidelines/sentiment/v2", first)
    releases = store.releases(GUIDE)
    assert [(r.version, r.commit_id, r.message) for r in releases] == [
        (1, second, "Moved by hand"),
        (2, first, "Pushed"),
    ]
    assert store.resolve(tag) == second
    third = save(store, "third\n").commit.id
    nxt = store.create_release(GUIDE, rev=third, message="Three", tagger=ANN)
    assert nxt.version == 3


def test_create_uses_an_empty_directory_and_seeds_nothing_without_files(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    store = ContentStore.create(target)
    assert store.is_repository()
    assert store.head() is None
    assert store.list_files() == [] and store.history() == []
    assert store.problems() == ["branch main has no commit yet"]


def test_create_refuses_a_non_empty_directory_that_is_not_a_repository(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty"):
        ContentStore.create(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_create_refuses_an_existing_repository(store):
    with pytest.raises(StoreError, match="already"):
        ContentStore.create(store.path)


def test_healthy_repository_has_no_problems(store):
    assert store.problems() == []


def test_problems_reports_a_missing_repository(tmp_path):
    store = ContentStore(tmp_path / "nowhere")
    assert not store.is_repository()
    assert "does not exist" in store.problems()[0]
    with pytest.raises(StoreUnavailable):
        store.head()


def test_problems_reports_a_corrupt_repository(store):
    blob = git(store, "rev-parse", f"main:{GUIDE}")
    (store.path / "objects" / blob[:2] / blob[2:]).unlink()
    problems = store.problems()
    assert problems and any(blob in problem for problem in problems)


def test_branch_pointing_at_a_missing_commit_is_reported_not_overwritten(store):
    (store.path / "refs" / "heads" / "main").write_text("1" * 40 + "\n")
    with pytest.raises(StoreUnavailable):
        store.head()
    with pytest.raises(StoreUnavailable):
        save(store, "x\n")
    assert store.problems()


def test_problems_reports_a_directory_that_is_not_a_bare_repository(tmp_path):
    (tmp_path / "file").write_text("x")
    assert "not a git repository" in ContentStore(tmp_path).problems()[0]


def test_stale_creation_of_the_same_new_file_with_other_content_is_a_conflict(store):
    base = store.head()
    save(store, "bob's version\n", path="guidelines/new.md", author=BOB)
    with pytest.raises(WriteConflict) as caught:
        save(store, "ann's version\n", path="guidelines/new.md", base=base)
    assert caught.value.base_text == ""
    assert caught.value.theirs_text == "bob's version\n"


@pytest.mark.parametrize(
    "trailer", [("Bad Key", "1"), ("Decision", "4\n2"), ("Decision", " "), ("-x", "1")]
)
def test_malformed_trailers_are_rejected(store, trailer):
    with pytest.raises(ValueError):
        save(store, "x\n", trailers=[trailer])
    assert store.count_history() == 1


@pytest.mark.parametrize(
    "author", [Author("", "a@b"), Author("Eve <evil>", "e@x"), Author("E", "")]
)
def test_malformed_authors_are_rejected(store, author):
    with pytest.raises(ValueError):
        save(store, "x\n", author=author)


def test_maintain_writes_a_commit_graph_and_removes_old_leftovers(store):
    leftover = store.path / "objects" / "objdeadbeef"
    leftover.write_bytes(b"partial")
    old = datetime.now(UTC).timestamp() - 7200
    os.utime(leftover, (old, old))
    fresh = store.path / "objects" / "objfresh"
    fresh.write_bytes(b"being written")
    store.maintain()
    assert (store.path / "objects" / "info" / "commit-graph").exists()
    assert not leftover.exists() and fresh.exists()
    assert store.history(GUIDE)[0].summary == "Initial content"


def test_problems_reports_a_stale_branch_lock(store):
    lock = store.path / "refs" / "heads" / "main.lock"
    lock.write_text("")
    old = datetime.now(UTC).timestamp() - 600
    os.utime(lock, (old, old))
    assert any("stale lock" in problem for problem in store.problems())


def test_write_waits_for_a_branch_lock_held_by_another_process(store):
    lock = store.path / "refs" / "heads" / "main.lock"
    lock.write_text("")
    release = threading.Timer(0.4, lock.unlink)
    started = time.monotonic()
    release.start()
    try:
        result = save(store, "after the lock\n")
    finally:
        release.join()
    assert time.monotonic() - started >= 0.35
    assert store.head() == result.commit.id
