"""Reading refs from the repository's own files, in process: no git command per question.

A bare repository with the default ("files") ref backend keeps each ref either as a loose
file (``refs/heads/main`` holding an object id, or ``ref: <other>`` for a symbolic ref
such as ``HEAD``) or as a line of ``packed-refs`` (an id, a name, and for an annotated
tag a following ``^<peeled id>`` line). git replaces each of these files by renaming a
lock file over it, so a read sees either the old or the new content, never half of one.

The files are read again on every question, so a push from outside is seen at once; only
the parse of ``packed-refs`` is kept, keyed by the file's identity (inode, size and
modification time), because ``git pack-refs`` replaces it by a rename. Loose refs are
read before ``packed-refs``, as git itself does: ``pack-refs`` writes the packed file
first and deletes the loose files after, so reading in that order never misses a ref.

Anything this module cannot answer for sure (a repository using another ref backend, an
unreadable or malformed file) returns ``UNKNOWN``, and the caller asks git.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Final

_ID_RE = re.compile(rb"[0-9a-f]{40}")
FULL_ID_RE = re.compile(r"[0-9a-f]{40}")
_MAX_SYMREF_DEPTH = 5


class Unknown:
    """The type of ``UNKNOWN``."""

    def __repr__(self) -> str:
        return "UNKNOWN"


#: "Ask git": the files could not answer for sure.
UNKNOWN: Final = Unknown()

#: (object id, peeled id or None) for one ref.
RefTarget = tuple[str, str | None]

_packed_lock = threading.Lock()
_packed: dict[str, tuple[tuple[int, int, int], dict[str, RefTarget]]] = {}


def readable(git_dir: Path) -> bool:
    """True when refs are kept as files this module reads (not reftable, not another backend)."""
    return not (git_dir / "reftable").exists() and (git_dir / "refs").is_dir()


def packed_refs(git_dir: Path) -> dict[str, RefTarget] | Unknown:
    """Every ref of ``packed-refs`` (name to its id and peeled id), parsed once per version."""
    path = git_dir / "packed-refs"
    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            key = str(path)
            with _packed_lock:
                kept = _packed.get(key)
            if kept is not None and kept[0] == identity:
                return kept[1]
            raw = handle.read()
    except FileNotFoundError:
        return {}
    except OSError:
        return UNKNOWN
    parsed = _parse_packed(raw)
    if isinstance(parsed, dict):
        with _packed_lock:
            _packed[key] = (identity, parsed)
    return parsed


def _parse_packed(raw: bytes) -> dict[str, RefTarget] | Unknown:
    found: dict[str, RefTarget] = {}
    last: str | None = None
    for line in raw.splitlines():
        if not line or line.startswith(b"#"):
            continue
        if line.startswith(b"^"):
            peeled = line[1:].strip()
            if last is None or not _ID_RE.fullmatch(peeled):
                return UNKNOWN
            found[last] = (found[last][0], peeled.decode())
            continue
        sha, _, name = line.partition(b" ")
        if not _ID_RE.fullmatch(sha) or not name.startswith(b"refs/"):
            return UNKNOWN
        last = name.decode("utf-8", "replace")
        found[last] = (sha.decode(), None)
    return found


def _loose(git_dir: Path, name: str) -> bytes | Unknown | None:
    """The content of a loose ref file, None when there is none."""
    try:
        return (git_dir / name).read_bytes().strip()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError:
        return UNKNOWN


def read_ref(git_dir: Path, name: str) -> RefTarget | Unknown | None:
    """What the full ref ``name`` (``HEAD``, ``refs/heads/main``) points at, following
    symbolic refs; None when it does not exist."""
    if not readable(git_dir):
        return UNKNOWN
    for _ in range(_MAX_SYMREF_DEPTH):
        content = _loose(git_dir, name)
        if isinstance(content, Unknown):
            return UNKNOWN
        if content is not None:
            if content.startswith(b"ref: "):
                name = content[5:].strip().decode("utf-8", "replace")
                if not name.startswith("refs/"):
                    return UNKNOWN
                continue
            if not _ID_RE.fullmatch(content):
                return UNKNOWN
            return (content.decode(), None)
        if name == "HEAD":
            return UNKNOWN  # a bare repository always has HEAD: let git explain
        packed = packed_refs(git_dir)
        if isinstance(packed, Unknown):
            return UNKNOWN
        return packed.get(name)
    return UNKNOWN


def list_refs(git_dir: Path, prefix: str) -> dict[str, RefTarget] | Unknown:
    """Every ref whose name starts with ``prefix`` (``refs/tags/release/``), sorted by name."""
    if not readable(git_dir) or not prefix.startswith("refs/"):
        return UNKNOWN
    found: dict[str, RefTarget] = {}
    folder = prefix if prefix.endswith("/") else prefix.rsplit("/", 1)[0] + "/"
    for dirpath, _dirs, files in os.walk(git_dir / folder):
        for file in files:
            path = Path(dirpath) / file
            name = path.relative_to(git_dir).as_posix()
            if not name.startswith(prefix) or name.endswith(".lock"):
                continue
            content = _loose(git_dir, name)
            if content is None:
                continue  # deleted or packed meanwhile: packed-refs below has it if it exists
            if isinstance(content, Unknown) or not _ID_RE.fullmatch(content):
                return UNKNOWN  # symbolic or malformed: git knows what to make of it
            found[name] = (content.decode(), None)
    packed = packed_refs(git_dir)
    if isinstance(packed, Unknown):
        return UNKNOWN
    for name, target in packed.items():
        if name.startswith(prefix) and name not in found:
            found[name] = target
    return dict(sorted(found.items()))


def is_bare(git_dir: Path) -> bool | Unknown:
    """``core.bare`` of the repository's config, when it is a git directory and says so."""
    if not (git_dir / "HEAD").is_file() or not (git_dir / "objects").is_dir():
        return False
    try:
        text = (git_dir / "config").read_text("utf-8", errors="replace")
    except OSError:
        return UNKNOWN
    section, bare = "", None
    for line in text.splitlines():
        line = line.split("#", 1)[0].split(";", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[]").strip().lower()
        elif section == "core" and "=" in line:
            key, _, value = line.partition("=")
            if key.strip().lower() == "bare":
                bare = value.strip().lower()  # the last setting wins, as in git
    if bare in ("true", "yes", "on", "1"):
        return True
    if bare in ("false", "no", "off", "0"):
        return False
    return UNKNOWN
