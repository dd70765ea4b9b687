"""Writing without a working tree: blobs and trees built in memory, a commit that moves no
ref, then the branch moved by compare-and-swap (`update-ref <ref> <new> <expected-old>`).

If the branch moved since the editor's base, the changed files are merged three-way; an
overlap raises WriteConflict. A process killed at any point leaves at most unreachable
objects behind, never a broken branch.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from io import BytesIO

import git
from git.index.typ import BaseIndexEntry
from git.objects import Commit
from gitdb.base import IStream

from guidelines_app.store.checks import check_author, check_no_file_dir_clash, check_path
from guidelines_app.store.messages import compose_message
from guidelines_app.store.plumbing import (
    EMPTY_TREE_ID,
    RETRYABLE_REF_ERROR,
    WRITE_TIMEOUT_S,
    ZERO_ID,
    as_text,
    blob_id,
    merge_texts,
)
from guidelines_app.store.repo import Repository
from guidelines_app.store.types import Author, NoChange, StoreError, WriteConflict, WriteResult

_FILE_MODE = 0o100644


class Writing(Repository):
    """The write path of the store."""

    def write(
        self,
        changes: Mapping[str, bytes | None],
        *,
        base: str | None,
        author: Author,
        message: str,
        trailers: Sequence[tuple[str, str]] = (),
        when: datetime | None = None,
    ) -> WriteResult:
        """Commit `changes` (None deletes a file) on top of the branch.

        `base` is the revision the editor started from: changes made meanwhile to other
        files are kept, changes to the same file are merged three-way, and overlapping
        ones raise WriteConflict. With `base=None` each attempt applies the changes onto
        the current head as they are (last writer wins for those files).
        """
        wanted: dict[str, bytes | None] = {}
        for path, data in changes.items():
            wanted[check_path(path)] = None if data is None else bytes(data)
        if not wanted:
            raise NoChange("nothing to write")
        check_author(author)
        full_message = compose_message(message, trailers)
        base_sha = self.resolve(base) if base is not None else None
        deadline = time.monotonic() + WRITE_TIMEOUT_S
        with self._open() as repo:
            while True:
                head = self.head()
                effective, merged = self._rebase(wanted, base_sha or head, head)
                new = self._make_commit(repo, effective, head, author, full_message, when)
                moved = self._run("update-ref", self.ref, new, head or ZERO_ID, ok=(0, 1, 128))
                if moved.returncode == 0:
                    self._know_commit(new)
                    info = self._log("-1", new)[0]
                    return WriteResult(info, bool(merged), tuple(sorted(merged)))
                error = as_text(moved.stderr).strip()
                if time.monotonic() > deadline or not RETRYABLE_REF_ERROR.search(error):
                    raise StoreError(f"could not move {self.ref}: {error}")
                if self.head() == head:  # lock held by another writer: wait a little
                    time.sleep(random.uniform(0.002, 0.02))

    def _rebase(
        self, wanted: dict[str, bytes | None], base: str | None, head: str | None
    ) -> tuple[dict[str, bytes | None], list[str]]:
        if base == head or head is None:
            return dict(wanted), []
        paths = list(wanted)
        ids = self._batch([f"{rev}:{p}" for rev in (base, head) for p in paths], check_only=True)
        effective: dict[str, bytes | None] = {}
        merged: list[str] = []
        for i, path in enumerate(paths):
            at_base, at_head, ours = ids[i], ids[len(paths) + i], wanted[path]
            base_id = at_base[0] if at_base else None
            head_id = at_head[0] if at_head else None
            if base_id == head_id:
                effective[path] = ours
                continue
            merged.append(path)
            if (ours is None and head_id is None) or (
                ours is not None and blob_id(ours) == head_id
            ):
                continue  # someone else already made the same change
            base_data = self._batch([base_id])[0][2] if base_id else b""  # type: ignore[index]
            theirs = self._batch([head_id])[0][2] if head_id else b""  # type: ignore[index]
            result, clean = (b"", False)
            if ours is not None and head_id is not None:
                result, clean = merge_texts(base_data, ours, theirs)
            if not clean:
                raise WriteConflict(
                    path,
                    base_text=as_text(base_data),
                    ours_text=as_text(ours or b""),
                    theirs_text=as_text(theirs),
                    merged_text=as_text(result),
                    head_id=head,
                )
            effective[path] = result
        return effective, merged

    def _make_commit(
        self,
        repo: git.Repo,
        changes: dict[str, bytes | None],
        parent: str | None,
        author: Author,
        message: str,
        when: datetime | None = None,
    ) -> str:
        parent_tree = self._out("rev-parse", f"{parent}^{{tree}}") if parent else None
        index = git.IndexFile.new(repo, parent_tree) if parent_tree else git.IndexFile.new(repo)
        entries = []
        for path, data in changes.items():
            if data is None:
                index.entries.pop((path, 0), None)
                continue
            existing = index.entries.get((path, 0))
            mode = existing.mode if existing is not None else _FILE_MODE
            stream = repo.odb.store(IStream("blob", len(data), BytesIO(data)))
            entries.append(BaseIndexEntry((mode, stream.binsha, 0, path)))
        if entries:
            index.add(entries, write=False)
        check_no_file_dir_clash([str(p) for p, _stage in index.entries])
        tree = index.write_tree()
        if tree.hexsha == (parent_tree or EMPTY_TREE_ID):
            raise NoChange("the content is identical to the current version")
        actor = git.Actor(author.name, author.email)
        now = (when or datetime.now(UTC)).astimezone(UTC)
        parents = [Commit(repo, bytes.fromhex(parent))] if parent else []
        commit = Commit.create_from_tree(
            repo,
            tree,
            message,
            parent_commits=parents,
            head=False,
            author=actor,
            committer=actor,
            author_date=now,
            commit_date=now,
        )
        return commit.hexsha
