"""Checks on what callers hand the store: paths, revisions, authors, and the tree they make."""

from __future__ import annotations

import re

from guidelines_app.store.types import Author, InvalidArgument, InvalidPath, RevisionNotFound

_REV_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./+~^-]{0,254}")


def check_path(path: str) -> str:
    """Return `path` if it is a safe repository-relative file path, else raise InvalidPath."""
    if not isinstance(path, str) or not path:
        raise InvalidPath("a path is required")
    if "\0" in path or "\n" in path or "\r" in path:
        raise InvalidPath(f"{path!r}: control characters are not allowed in a path")
    if path.startswith("/"):
        raise InvalidPath(f"{path!r}: the path must be relative")
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise InvalidPath(f"{path!r}: empty, '.' and '..' path components are not allowed")
        if part.casefold() == ".git":
            raise InvalidPath(f"{path!r}: '.git' is not allowed in a path")
    return path


def check_rev(rev: str) -> str:
    if not isinstance(rev, str) or not _REV_RE.fullmatch(rev) or ".." in rev or "//" in rev:
        raise RevisionNotFound(f"not a revision: {rev!r}")
    return rev


def check_author(author: Author) -> None:
    for value in (author.name, author.email):
        if not value or not value.strip() or any(c in value for c in "<>\n\r\0"):
            raise InvalidArgument(f"invalid author: {author!r}")


def check_no_file_dir_clash(paths: list[str]) -> None:
    files = set(paths)
    for path in paths:
        parts = path.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in files:
                raise InvalidPath(f"{path!r}: {'/'.join(parts[:i])!r} is a file")
