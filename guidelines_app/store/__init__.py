"""The git content store: the only module of the app that imports git.

The content repository is bare. Writes never touch a working tree or the shared
index: blobs and trees are built in memory, the commit is created without moving
any ref, and the branch is then moved with a compare-and-swap `git update-ref`.
A process killed at any point leaves at most unreachable objects behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import re
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path, PurePosixPath

import git
from git.db import GitCmdObjectDB
from git.index.typ import BaseIndexEntry
from git.objects import Commit
from gitdb.base import IStream
from gitdb.db.loose import LooseObjectDB

ZERO_ID = "0" * 40
#: Full commit ids known to exist, per repository path: an existing commit never changes,
#: so a commit id resolved once need not be asked of git again.
_KNOWN_COMMITS: dict[str, set[str]] = {}
_WRITE_TIMEOUT_S = 30.0
_FILE_MODE = 0o100644
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
_REV_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./+~^-]{0,254}")
_TRAILER_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_TRAILER_LINE_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)")
_RELEASE_RE = re.compile(r"release/(.+)/v([1-9][0-9]*)")
_TAGGABLE_STEM_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")
_RETRYABLE_REF_ERROR = re.compile(r"but expected|File exists|reference already exists")
_LOG_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%B"
_REF_FORMAT = (
    "%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(taggername)"
    "%00%(taggeremail)%00%(taggerdate:unix)%00%(committerdate:unix)%00%(contents)%00%1e"
)


class StoreError(Exception):
    pass


class StoreUnavailable(StoreError):
    pass


class RevisionNotFound(StoreError):
    pass


class PathNotFound(StoreError):
    pass


class NoChange(StoreError):
    pass


class ReleaseExists(StoreError):
    pass


class InvalidArgument(StoreError, ValueError):
    pass


class InvalidPath(InvalidArgument):
    pass


class WriteConflict(StoreError):
    """Both the editor and someone else changed the same lines of `path` since `base`."""

    def __init__(
        self,
        path: str,
        *,
        base_text: str,
        ours_text: str,
        theirs_text: str,
        merged_text: str,
        head_id: str,
    ) -> None:
        super().__init__(f"{path} was changed by someone else in the same place")
        self.path = path
        self.base_text = base_text
        self.ours_text = ours_text
        self.theirs_text = theirs_text
        self.merged_text = merged_text
        self.head_id = head_id


@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass(frozen=True)
class CommitInfo:
    id: str
    short_id: str
    author_name: str
    author_email: str
    authored_at: datetime
    committer_name: str
    committer_email: str
    message: str
    summary: str
    trailers: tuple[tuple[str, str], ...]
    parents: tuple[str, ...]

    def trailer_values(self, key: str) -> list[str]:
        wanted = key.casefold()
        return [value for name, value in self.trailers if name.casefold() == wanted]


@dataclass(frozen=True)
class FileVersion:
    path: str
    blob_id: str
    data: bytes
    commit_id: str

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True)
class Release:
    tag: str
    path: str
    version: int
    commit_id: str
    message: str
    tagger_name: str
    tagger_email: str
    tagged_at: datetime


@dataclass(frozen=True)
class WriteResult:
    commit: CommitInfo
    merged: bool
    merged_paths: tuple[str, ...]


# -- pure helpers ---------------------------------------------------------------


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


def _check_rev(rev: str) -> str:
    if not isinstance(rev, str) or not _REV_RE.fullmatch(rev) or ".." in rev or "//" in rev:
        raise RevisionNotFound(f"not a revision: {rev!r}")
    return rev


def _check_author(author: Author) -> None:
    for value in (author.name, author.email):
        if not value or not value.strip() or any(c in value for c in "<>\n\r\0"):
            raise InvalidArgument(f"invalid author: {author!r}")


def compose_message(message: str, trailers: Sequence[tuple[str, str]] = ()) -> str:
    body = "\n".join(line.rstrip() for line in message.replace("\r\n", "\n").split("\n")).strip()
    if not body:
        raise InvalidArgument("a commit message is required")
    lines = []
    for key, value in trailers:
        value = str(value).strip()
        if not _TRAILER_KEY_RE.fullmatch(key) or not value or "\n" in value or "\r" in value:
            raise InvalidArgument(f"invalid trailer: {key!r}: {value!r}")
        lines.append(f"{key}: {value}")
    if lines:
        body += "\n\n" + "\n".join(lines)
    return body + "\n"


def split_trailers(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Split a commit message into its text and its trailer block (the last paragraph,
    when every line of it is `Key: value` or a continuation, and it is not the first)."""
    lines = raw.rstrip().split("\n")
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    if not blanks or not any(line.strip() for line in lines[: blanks[-1]]):
        return raw.strip(), ()
    trailers: list[list[str]] = []
    for line in lines[blanks[-1] + 1 :]:
        match = _TRAILER_LINE_RE.fullmatch(line)
        if match:
            trailers.append([match.group(1), match.group(2).strip()])
        elif line[:1] in (" ", "\t") and trailers:
            trailers[-1][1] = f"{trailers[-1][1]} {line.strip()}".strip()
        else:
            return raw.strip(), ()
    text = "\n".join(lines[: blanks[-1]]).strip()
    return text, tuple((key, value) for key, value in trailers)


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _utc(timestamp: str) -> datetime:
    return datetime.fromtimestamp(int(timestamp or 0), UTC)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _git_env() -> dict[str, str]:
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
            env=_git_env(),
            cwd=tmp,
            check=False,
        )
    if proc.returncode == 0:
        return proc.stdout, True
    if 0 < proc.returncode < 128:
        return proc.stdout, False
    return b"", False  # binary or unmergeable input


class _AtomicObjectDB(GitCmdObjectDB):
    """Reads through git, but writes loose objects in-process (temp file, then rename).

    GitPython's default `store` pipes into `git hash-object --literally`; when the
    writer is killed mid-stream, that child sees EOF and writes a truncated, invalid
    object that `git fsck --strict` reports as an error.
    """

    def store(self, istream: IStream) -> IStream:
        return LooseObjectDB.store(self, istream)


# -- the store -------------------------------------------------------------------


class ContentStore:
    def __init__(self, path: str | os.PathLike[str], branch: str = "main") -> None:
        self.path = Path(path)
        self._key = str(self.path.resolve())
        self.branch = branch
        self.ref = f"refs/heads/{branch}"

    def __repr__(self) -> str:
        return f"ContentStore({str(self.path)!r}, branch={self.branch!r})"

    # -- plumbing

    def _run(
        self, *args: str, input: bytes | None = None, ok: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[bytes]:
        if not self.path.is_dir():
            raise StoreUnavailable(f"content repository {self.path} does not exist")
        proc = subprocess.run(
            ["git", f"--git-dir={self.path}", *args],
            input=input,
            capture_output=True,
            env=_git_env(),
            cwd=self.path,
            check=False,
        )
        if proc.returncode not in ok:
            err = _text(proc.stderr).strip()
            if "not a git repository" in err or "bad object" in err or "corrupt" in err:
                raise StoreUnavailable(f"{self.path}: {err}")
            raise StoreError(f"git {args[0]} failed: {err}")
        return proc

    def _out(self, *args: str, input: bytes | None = None) -> str:
        return _text(self._run(*args, input=input).stdout).strip()

    def _batch(
        self, names: Sequence[str], *, check_only: bool = False
    ) -> list[tuple[str, str, bytes] | None]:
        """Look up `names` (`<rev>:<path>` etc.) with one cat-file; (id, type, data) or None."""
        if not names:
            return []
        mode = "--batch-check" if check_only else "--batch"
        out = self._run("cat-file", mode, input="".join(f"{n}\n" for n in names).encode()).stdout
        results: list[tuple[str, str, bytes] | None] = []
        pos = 0
        for _ in names:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode("utf-8", "replace").split(" ")
            pos = end + 1
            if len(header) != 3 or not header[2].isdigit():  # "<name> missing" / "ambiguous"
                results.append(None)
                continue
            size = int(header[2])
            data = b"" if check_only else out[pos : pos + size]
            pos += 0 if check_only else size + 1
            results.append((header[0], header[1], data))
        return results

    def _rev_or_head(self, rev: str | None) -> str | None:
        return self.resolve(rev) if rev is not None else self.head()

    def _open(self) -> git.Repo:
        try:
            return git.Repo(self.path, odbt=_AtomicObjectDB)
        except (git.NoSuchPathError, git.InvalidGitRepositoryError) as exc:
            raise StoreUnavailable(f"{self.path} is not a git repository") from exc

    # -- repository

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
            env=_git_env(),
            check=False,
        )
        if proc.returncode != 0:
            raise StoreError(f"could not create {target}: {_text(proc.stderr).strip()}")
        store = cls(target, branch)
        if files:
            who = author or Author("Guidelines", "guidelines@localhost")
            store.write(files, base=None, author=who, message=message)
        return store

    def is_repository(self) -> bool:
        try:
            return self._out("rev-parse", "--is-bare-repository") == "true"
        except StoreError:
            return False

    def problems(self) -> list[str]:
        if not self.path.exists():
            return [f"content repository {self.path} does not exist"]
        try:
            bare = self._out("rev-parse", "--is-bare-repository")
        except StoreError as exc:
            return [f"{self.path} is not a git repository ({exc})"]
        if bare != "true":
            return [f"{self.path} is not a bare git repository"]
        found = []
        try:
            if self.head() is None:
                found.append(f"branch {self.branch} has no commit yet")
        except StoreError as exc:
            found.append(f"branch {self.branch} cannot be read ({exc})")
        lock = self.path / f"{self.ref}.lock"
        if lock.exists() and time.time() - lock.stat().st_mtime > 60:
            found.append(f"stale lock file {lock}: remove it if no git process is running")
        fsck = self._run("fsck", "--strict", "--no-dangling", "--no-progress", ok=tuple(range(256)))
        lines = _text(fsck.stdout + fsck.stderr).splitlines()
        errors = [ln for ln in lines if ln.strip() and not ln.startswith(("dangling", "notice"))]
        found.extend(f"git fsck: {line}" for line in errors)
        if fsck.returncode != 0 and not errors:
            found.append(f"git fsck failed with exit code {fsck.returncode}")
        return found

    def head(self) -> str | None:
        proc = self._run("rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}", ok=(0, 1))
        sha = _text(proc.stdout).strip()
        if (
            not sha
            and self._run("show-ref", "--verify", "-q", self.ref, ok=(0, 1, 128)).returncode != 1
        ):
            raise StoreUnavailable(f"{self.ref} points at a missing or invalid commit")
        return sha or None

    def resolve(self, rev: str) -> str:
        _check_rev(rev)
        if rev in _KNOWN_COMMITS.get(self._key, ()):
            return rev  # a commit id seen before: commits never change
        proc = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", ok=(0, 1, 128))
        sha = _text(proc.stdout).strip()
        if proc.returncode != 0 or not sha:
            raise RevisionNotFound(f"no such revision: {rev}")
        known = _KNOWN_COMMITS.setdefault(self._key, set())
        if len(known) > 100_000:
            known.clear()
        known.add(sha)
        return sha

    # -- reading

    def read(self, path: str, rev: str | None = None) -> FileVersion:
        check_path(path)
        sha = self._rev_or_head(rev)
        found = self._batch([f"{sha}:{path}"])[0] if sha else None
        if found is None or found[1] != "blob":
            raise PathNotFound(f"{path} does not exist at {rev or self.branch}")
        return FileVersion(path=path, blob_id=found[0], data=found[2], commit_id=sha or "")

    def exists(self, path: str, rev: str | None = None) -> bool:
        check_path(path)
        sha = self._rev_or_head(rev)
        found = self._batch([f"{sha}:{path}"], check_only=True)[0] if sha else None
        return found is not None and found[1] == "blob"

    def list_files(self, prefix: str = "", rev: str | None = None) -> list[str]:
        sha = self._rev_or_head(rev)
        if sha is None:
            return []
        spec = ["--", prefix] if prefix.endswith("/") and check_path(prefix[:-1]) else []
        out = self._run("ls-tree", "-r", "-z", "--name-only", sha, *spec).stdout
        names = (_text(name) for name in out.split(b"\0") if name)
        return sorted(name for name in names if name.startswith(prefix))

    def _log(self, *args: str) -> list[CommitInfo]:
        out = self._run("log", "-z", f"--format={_LOG_FORMAT}", *args).stdout
        return [_parse_commit(_text(record)) for record in out.split(b"\0") if record.strip()]

    def commit(self, rev: str) -> CommitInfo:
        return self._log("-1", self.resolve(rev))[0]

    def history(
        self, path: str | None = None, *, rev: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[CommitInfo]:
        sha = self._rev_or_head(rev)
        if sha is None or limit <= 0:
            return []
        spec = ["--", check_path(path)] if path else []
        return self._log(f"--skip={max(offset, 0)}", f"--max-count={limit}", sha, *spec)

    def count_history(
        self, path: str | None = None, *, rev: str | None = None, since: str | None = None
    ) -> int:
        """Commits touching ``path`` up to ``rev``; with ``since``, only those after it."""
        sha = self._rev_or_head(rev)
        if sha is None:
            return 0
        spec = ["--", check_path(path)] if path else []
        exclude = [f"^{self.resolve(since)}"] if since else []
        return int(self._out("rev-list", "--count", sha, *exclude, *spec))

    def diff(self, from_rev: str, to_rev: str, path: str | None = None, *, context: int = 3) -> str:
        spec = ["--", check_path(path)] if path else []
        a, b = self.resolve(from_rev), self.resolve(to_rev)
        flags = ["--no-color", "--no-ext-diff", "--no-textconv", f"-U{max(context, 0)}"]
        return _text(self._run("diff", *flags, a, b, *spec).stdout)

    def changed_paths(self, from_rev: str, to_rev: str) -> list[str]:
        a, b = self.resolve(from_rev), self.resolve(to_rev)
        out = self._run("diff", "--name-only", "-z", "--no-renames", a, b).stdout
        return sorted(_text(name) for name in out.split(b"\0") if name)

    # -- writing

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
        _check_author(author)
        full_message = compose_message(message, trailers)
        base_sha = self.resolve(base) if base is not None else None
        deadline = time.monotonic() + _WRITE_TIMEOUT_S
        with self._open() as repo:
            while True:
                head = self.head()
                effective, merged = self._rebase(wanted, base_sha or head, head)
                new = self._make_commit(repo, effective, head, author, full_message, when)
                moved = self._run("update-ref", self.ref, new, head or ZERO_ID, ok=(0, 1, 128))
                if moved.returncode == 0:
                    info = self._log("-1", new)[0]
                    return WriteResult(info, bool(merged), tuple(sorted(merged)))
                error = _text(moved.stderr).strip()
                if time.monotonic() > deadline or not _RETRYABLE_REF_ERROR.search(error):
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
                    base_text=_text(base_data),
                    ours_text=_text(ours or b""),
                    theirs_text=_text(theirs),
                    merged_text=_text(result),
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
        _check_no_file_dir_clash([str(p) for p, _stage in index.entries])
        tree = index.write_tree()
        if tree.hexsha == (parent_tree or _empty_tree_id()):
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

    # -- releases

    def create_release(
        self, path: str, *, rev: str, message: str, tagger: Author, when: datetime | None = None
    ) -> Release:
        """Tag `path` at `rev` as release v<N+1>; ReleaseExists if the latest release
        already has exactly this content of the file."""
        check_path(path)
        _check_author(tagger)
        stem = _release_stem(path)
        sha = self.resolve(rev)
        version = self.read(path, sha)
        notes = message.replace("\r\n", "\n").strip()
        deadline = time.monotonic() + _WRITE_TIMEOUT_S
        while True:
            existing = self.releases(path)
            if existing:
                latest = existing[-1]
                same = self._batch([f"{latest.commit_id}:{path}"], check_only=True)[0]
                if same and same[0] == version.blob_id:
                    raise ReleaseExists(f"this version of {path} is already {latest.tag}")
            number = existing[-1].version + 1 if existing else 1
            tag = f"release/{stem}/v{number}"
            now = int(when.timestamp()) if when is not None else int(time.time())
            body = (
                f"object {sha}\ntype commit\ntag {tag}\n"
                f"tagger {tagger.name} <{tagger.email}> {now} +0000\n\n{notes}\n"
            )
            tag_id = self._out("mktag", input=body.encode("utf-8"))
            moved = self._run("update-ref", f"refs/tags/{tag}", tag_id, ZERO_ID, ok=(0, 1, 128))
            if moved.returncode == 0:
                return self.release(path, number)
            error = _text(moved.stderr).strip()
            if time.monotonic() > deadline or not _RETRYABLE_REF_ERROR.search(error):
                raise StoreError(f"could not create {tag}: {error}")
            time.sleep(random.uniform(0.002, 0.02))

    def _refs(self, pattern: str) -> list[tuple[str, int, Release]]:
        """(stem, version, release with path=stem) for every release tag under `pattern`."""
        out = self._run("for-each-ref", f"--format={_REF_FORMAT}", pattern).stdout
        found = []
        for record in out.split(b"\0\x1e\n"):
            fields = _text(record).split("\0")
            if len(fields) != 9:
                continue
            ref, kind, obj, peeled, name, email, tagged, committed, contents = fields
            match = _RELEASE_RE.fullmatch(ref.removeprefix("refs/tags/"))
            if not match:
                continue
            annotated = kind == "tag"
            release = Release(
                tag=ref.removeprefix("refs/tags/"),
                path=match.group(1),
                version=int(match.group(2)),
                commit_id=peeled if annotated else obj,
                message=contents.strip() if annotated else "",
                tagger_name=name,
                tagger_email=email.strip("<>"),
                tagged_at=_utc(tagged if annotated else committed),
            )
            found.append((match.group(1), release.version, release))
        return sorted(found, key=lambda item: (item[0], item[1]))

    def releases(self, path: str) -> list[Release]:
        stem = _release_stem(check_path(path))
        return [
            dataclasses.replace(release, path=path)
            for found_stem, _v, release in self._refs(f"refs/tags/release/{stem}/")
            if found_stem == stem
        ]

    def release(self, path: str, version: int) -> Release:
        for found in self.releases(path):
            if found.version == version:
                return found
        raise RevisionNotFound(f"{path} has no release v{version}")

    def all_releases(self) -> list[Release]:
        found = self._refs("refs/tags/release/")
        latest = {stem: release.commit_id for stem, _v, release in found}
        paths = self._paths_for_stems(latest)
        return sorted(
            (dataclasses.replace(release, path=paths[stem]) for stem, _v, release in found),
            key=lambda r: (r.path, r.version),
        )

    def _paths_for_stems(self, latest: dict[str, str]) -> dict[str, str]:
        """Find the file each release stem names (its extension is not in the tag)."""
        stems = list(latest)
        dirs = [str(PurePosixPath(stem).parent) for stem in stems]
        names = [
            f"{latest[s]}:{d}" if d != "." else f"{latest[s]}^{{tree}}"
            for s, d in zip(stems, dirs, strict=True)
        ]
        paths = {}
        for stem, folder, tree in zip(stems, dirs, self._batch(names), strict=True):
            base = PurePosixPath(stem).name
            candidates = sorted(
                name
                for name in _tree_file_names(tree[2] if tree and tree[1] == "tree" else b"")
                if PurePosixPath(name).stem == base or name == base
            )
            file = candidates[0] if candidates else base
            paths[stem] = file if folder == "." else f"{folder}/{file}"
        return paths

    def maintain(self) -> None:
        """Write a commit-graph with changed-path Bloom filters (per-path history stays
        fast) and remove temporary object files left by writers killed over an hour ago."""
        self._run("commit-graph", "write", "--reachable", "--changed-paths")
        for leftover in (self.path / "objects").glob("obj*"):  # from writers killed mid-store
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)


def _parse_commit(record: str) -> CommitInfo:
    sha, parents, an, ae, at, cn, ce, body = record.lstrip("\n").split("\x1f", 7)
    text, trailers = split_trailers(body)
    return CommitInfo(
        id=sha,
        short_id=sha[:7],
        author_name=an,
        author_email=ae,
        authored_at=_utc(at),
        committer_name=cn,
        committer_email=ce,
        message=text,
        summary=text.split("\n", 1)[0],
        trailers=trailers,
        parents=tuple(parents.split()),
    )


def _release_stem(path: str) -> str:
    stem = str(PurePosixPath(path).with_suffix("")) if "." in PurePosixPath(path).name else path
    parts = stem.split("/")
    if not _TAGGABLE_STEM_RE.fullmatch(stem) or any(
        p.startswith(".") or p.endswith(".lock") for p in parts
    ):
        raise InvalidPath(f"{path!r} cannot be released: use letters, digits, '-', '_' and '.'")
    return stem


def _tree_file_names(raw: bytes) -> list[str]:
    names, pos = [], 0
    while pos < len(raw):
        space = raw.index(b" ", pos)
        nul = raw.index(b"\0", space)
        if raw[pos:space].startswith(b"100"):
            names.append(_text(raw[space + 1 : nul]))
        pos = nul + 21
    return names


def _check_no_file_dir_clash(paths: list[str]) -> None:
    files = set(paths)
    for path in paths:
        parts = path.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in files:
                raise InvalidPath(f"{path!r}: {'/'.join(parts[:i])!r} is a file")


def _empty_tree_id() -> str:
    return "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
