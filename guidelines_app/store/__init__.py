"""The git content store: the only package of the app that imports git.

The content repository is bare. Writes never touch a working tree or the shared
index: blobs and trees are built in memory, the commit is created without moving
any ref, and the branch is then moved with a compare-and-swap `git update-ref`.
A process killed at any point leaves at most unreachable objects behind.

The modules: ``types`` (what the store hands out and raises), ``checks`` (paths,
revisions, authors), ``messages`` (commit messages and trailers), ``plumbing`` (running
git), ``repo`` (reading), ``write`` (the write path), ``releases`` (tags), ``content``
(:class:`ContentStore`, all of it together).
"""

from __future__ import annotations

from guidelines_app.store.checks import check_path
from guidelines_app.store.content import ContentStore
from guidelines_app.store.messages import compose_message, split_trailers
from guidelines_app.store.plumbing import ZERO_ID, blob_id, merge_texts
from guidelines_app.store.types import (
    Author,
    CommitInfo,
    FileVersion,
    InvalidArgument,
    InvalidPath,
    NoChange,
    PathNotFound,
    Release,
    ReleaseExists,
    RevisionNotFound,
    StoreError,
    StoreUnavailable,
    WriteConflict,
    WriteResult,
)

__all__ = [
    "ZERO_ID",
    "Author",
    "CommitInfo",
    "ContentStore",
    "FileVersion",
    "InvalidArgument",
    "InvalidPath",
    "NoChange",
    "PathNotFound",
    "Release",
    "ReleaseExists",
    "RevisionNotFound",
    "StoreError",
    "StoreUnavailable",
    "WriteConflict",
    "WriteResult",
    "blob_id",
    "check_path",
    "compose_message",
    "merge_texts",
    "split_trailers",
]
