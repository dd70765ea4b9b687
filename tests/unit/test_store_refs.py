"""Refs read in process agree with git, see changes made from outside at once, and reads
of fixed objects start no git process the second time."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from guidelines_app import cache
from guidelines_app.store import Author, ContentStore, RevisionNotFound, StoreUnavailable, ref_files

ANN = Author("Ann Lead", "ann@example.org")
GUIDE = "guidelines/sentiment.md"


def git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *args], capture_output=True, check=True, cwd=cwd)
    return proc.stdout.decode().strip()


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def store(tmp_path: Path) -> ContentStore:
    made = ContentStore.create(tmp_path / "content.git", files={GUIDE: b"# One\n"}, author=ANN)
    made.write({GUIDE: b"# Two\n"}, base=None, author=ANN, message="Second")
    made.create_release(GUIDE, rev="main", message="First release\n\nNotes.", tagger=ANN)
    return made


def for_each_ref(store: ContentStore) -> list[str]:
    return git(f"--git-dir={store.path}", "for-each-ref", "--format=%(refname) %(objectname)")


def test_head_and_releases_read_in_process_are_what_git_says(store):
    assert store.head() == git(f"--git-dir={store.path}", "rev-parse", "refs/heads/main")
    (release,) = store.releases(GUIDE)
    tag = git(f"--git-dir={store.path}", "cat-file", "-p", f"refs/tags/{release.tag}")
    assert release.commit_id == store.head()
    assert (release.message, release.tagger_name, release.tagger_email) == (
        "First release\n\nNotes.",
        ANN.name,
        ANN.email,
    )
    assert str(int(release.tagged_at.timestamp())) in tag
    assert store.resolve(release.tag) == release.commit_id
    assert store.resolve("HEAD") == store.head()


def test_packed_refs_are_read_and_a_later_loose_ref_wins(store):
    before = store.releases(GUIDE)
    git(f"--git-dir={store.path}", "pack-refs", "--all")
    assert not (store.path / "refs/heads/main").exists()
    assert store.head() == git(f"--git-dir={store.path}", "rev-parse", "refs/heads/main")
    assert store.releases(GUIDE) == before
    result = store.write({GUIDE: b"# Three\n"}, base=None, author=ANN, message="Third")
    assert store.head() == result.commit.id  # the loose ref, newer than the packed one


def test_a_lightweight_tag_and_a_tag_made_outside_are_seen_at_once(store):
    first = store.history(GUIDE)[-1].id
    git(f"--git-dir={store.path}", "tag", "release/guidelines/sentiment/v2", store.head() or "")
    git(
        f"--git-dir={store.path}",
        "tag",
        "-a",
        "-m",
        "Third",
        "release/guidelines/sentiment/v3",
        first,
    )
    found = store.releases(GUIDE)
    assert [(r.version, r.commit_id) for r in found] == [
        (1, store.head()),
        (2, store.head()),
        (3, first),
    ]
    assert found[1].message == "" and found[2].message == "Third"


def test_a_push_from_a_clone_is_seen_by_the_next_read(store, tmp_path):
    clone = tmp_path / "clone"
    git("clone", "-q", str(store.path), str(clone))
    assert store.read(GUIDE).text == "# Two\n"
    (clone / GUIDE).write_text("# Pushed\n")
    git(
        "-c",
        "user.name=Out",
        "-c",
        "user.email=out@example.org",
        "commit",
        "-qam",
        "Out",
        cwd=clone,
    )
    git("push", "-q", "origin", "HEAD:main", cwd=clone)
    assert store.head() == git("rev-parse", "HEAD", cwd=clone)
    assert store.read(GUIDE).text == "# Pushed\n"
    assert store.history(GUIDE, limit=1)[0].summary == "Out"


def test_reads_of_fixed_objects_start_no_git_process_when_warm(store, git_processes):
    head = store.head()
    for _ in range(2):
        git_processes.clear()
        store.head()
        store.read(GUIDE)
        store.read(GUIDE, head)
        store.exists(GUIDE)
        store.list_files("guidelines/")
        store.history(GUIDE)
        store.count_history(GUIDE)
        store.releases(GUIDE)
        store.all_releases()
        store.diff(store.history(GUIDE)[-1].id, head or "", GUIDE)
        store.is_repository()
    assert git_processes == []


def test_a_branch_pointing_at_a_missing_commit_is_still_unavailable(store):
    (store.path / "refs/heads/main").write_text("1" * 40 + "\n")
    with pytest.raises(StoreUnavailable):
        store.head()


def test_names_the_files_cannot_answer_are_asked_of_git(store):
    first = store.history(GUIDE)[-1].id
    assert store.resolve("main~1") == first
    assert store.resolve(first[:10]) == first
    with pytest.raises(RevisionNotFound):
        store.resolve("no-such-branch")


def test_malformed_or_symbolic_ref_files_are_left_to_git(tmp_path):
    repo = tmp_path / "bare.git"
    git("init", "-q", "--bare", str(repo))
    (repo / "packed-refs").write_text("not a packed ref\n")
    assert ref_files.read_ref(repo, "refs/heads/x") is ref_files.UNKNOWN
    (repo / "packed-refs").unlink()
    (repo / "refs/heads/link").write_text("ref: refs/heads/main\n")
    assert ref_files.read_ref(repo, "refs/heads/link") is None  # main has no commit yet
    assert ref_files.list_refs(repo, "refs/heads/") is ref_files.UNKNOWN
    assert ref_files.is_bare(repo) is True
    assert ref_files.is_bare(tmp_path) is False
