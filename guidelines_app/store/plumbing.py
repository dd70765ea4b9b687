"""Running git safely: a clean environment, decoding, merging files, and atomic object writes."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from git.db import GitCmdObjectDB
from gitdb.base import IStream
from gitdb.db.loose import LooseObjectDB

ZERO_ID = "0" * 40
EMPTY_TREE_ID = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
WRITE_TIMEOUT_S = 30.0
#: What `update-ref` says when another writer moved or locked the ref first: try again.
RETRYABLE_REF_ERROR = re.compile(r"but expected|File exists|reference already exists")
_REPO_ENV = {
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
}


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def utc_at(timestamp: str) -> datetime:
    return datetime.fromtimestamp(int(timestamp or 0), UTC)


def as_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def git_env() -> dict[str, str]:
    """The caller's environment without anything that would point git at another repository."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env.update(LC_ALL="C", LANGUAGE="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


def merge_texts(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """Three-way merge with `git merge-file -p`; returns (merged, clean)."""
    with tempfile.TemporaryDirectory(prefix="store-merge-") as tmp:
        names = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(tmp) / name).write_bytes(data)
            names.append(str(Path(tmp) / name))
        labels = ["-L", "your edit", "-L", "base", "-L", "current"]
        proc = subprocess.run(
            ["git", "merge-file", "-p", *labels, *names],
            capture_output=True,
            env=git_env(),
            cwd=tmp,
            check=False,
        )
    if proc.returncode == 0:
        return proc.stdout, True
    if 0 < proc.returncode < 128:
        return proc.stdout, False
    return b"", False  # binary or unmergeable input


class AtomicObjectDB(GitCmdObjectDB):
    """Reads through git, but writes loose objects in-process (temp file, then rename).

    GitPython's default `store` pipes into `git hash-object --literally`; when the
    writer is killed mid-stream, that child sees EOF and writes a truncated, invalid
    object that `git fsck --strict` reports as an error.
    """

    def store(self, istream: IStream) -> IStream:
        return LooseObjectDB.store(self, istream)
