"""The content store as the app uses it: reading, writing and releases of one bare repository."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from guidelines_app.store.plumbing import as_text, git_env
from guidelines_app.store.releases import Releasing
from guidelines_app.store.types import Author, StoreError
from guidelines_app.store.write import Writing


class ContentStore(Writing, Releasing):
    """One bare content repository. Cheap to make: it holds a path, and every call opens
    what it needs afresh (GitPython objects are not thread-safe)."""

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        files: Mapping[str, bytes] | None = None,
        author: Author | None = None,
        message: str = "Initial content",
        branch: str = "main",
    ) -> ContentStore:
        target = Path(path)
        if target.exists():
            if not target.is_dir():
                raise StoreError(f"{target} exists and is not a directory")
            if any(target.iterdir()):
                if cls(target).is_repository():
                    raise StoreError(f"{target} is already a bare git repository")
                raise StoreError(f"{target} is not empty and is not a bare git repository")
        proc = subprocess.run(
            ["git", "init", "--bare", "--quiet", f"--initial-branch={branch}", str(target)],
            capture_output=True,
            env=git_env(),
            check=False,
        )
        if proc.returncode != 0:
            raise StoreError(f"could not create {target}: {as_text(proc.stderr).strip()}")
        store = cls(target, branch)
        if files:
            who = author or Author("Guidelines", "guidelines@localhost")
            store.write(files, base=None, author=who, message=message)
        return store
