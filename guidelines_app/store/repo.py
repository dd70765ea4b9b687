"""Opening and reading the content repository: revisions, files, trees, history, diffs.

Refs (the branch, tags, ``HEAD``) are read from the repository's files in process
(``ref_files``), afresh on every question, so a push from outside is seen at once. What
git answers about a fixed object (a file at a commit, a tree, the history up to a commit,
a diff between two commits) never changes, so it is asked of git once per process and
kept in :mod:`guidelines_app.cache` under the full object ids it was asked with: a warm
page starts no git process at all.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import git

from guidelines_app import cache
from guidelines_app.store import ref_files
from guidelines_app.store.checks import check_path, check_rev
from guidelines_app.store.messages import LOG_FORMAT, parse_commit, tag_target
from guidelines_app.store.plumbing import AtomicObjectDB, as_text, git_env
from guidelines_app.store.types import (
    CommitInfo,
    FileVersion,
    PathNotFound,
    RevisionNotFound,
    StoreError,
    StoreUnavailable,
)

#: Full commit ids known to exist, keyed by (repository path, id): an existing commit never
#: changes, so a commit id resolved once need not be asked of git again.
_KNOWN_COMMITS: cache.Area[bool] = cache.Area("commits known to exist", 100_000)

_Found = tuple[str, str, bytes] | None
#: What ``cat-file`` found for a name fixed by an object id (``<commit>:<path>``, a blob id),
#: keyed by (repository path, name); the data of files weighs against a budget.
_OBJECTS: cache.Area[tuple[_Found]] = cache.Area(
    "objects by id", 50_000, max_weight=64 << 20, weigh=lambda kept: 100 + len(_data(kept[0]))
)
_CHECKED: cache.Area[tuple[_Found]] = cache.Area("object types and ids by name", 100_000)
#: The output of a git command whose every revision is a full commit id (history, counts,
#: trees, diffs), keyed by (repository path, arguments).
_ANSWERS: cache.Area[bytes] = cache.Area(
    "git answers at fixed commits", 20_000, max_weight=64 << 20, weigh=lambda out: 100 + len(out)
)
_FIXED_NAME_RE = re.compile(r"([0-9a-f]{40})(?::.*|\^\{tree\})?", re.DOTALL)
_SPECIAL_REV_CHARS = frozenset("~^:@{}")


def _data(found: _Found) -> bytes:
    return found[2] if found else b""


class Repository:
    """A bare content repository, read with one git command per question."""

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
            env=git_env(),
            cwd=self.path,
            check=False,
        )
        if proc.returncode not in ok:
            err = as_text(proc.stderr).strip()
            if "not a git repository" in err or "bad object" in err or "corrupt" in err:
                raise StoreUnavailable(f"{self.path}: {err}")
            raise StoreError(f"git {args[0]} failed: {err}")
        return proc

    def _out(self, *args: str, input: bytes | None = None) -> str:
        return as_text(self._run(*args, input=input).stdout).strip()

    def _batch(self, names: Sequence[str], *, check_only: bool = False) -> list[_Found]:
        """Look up `names` (`<rev>:<path>` etc.) with one cat-file; (id, type, data) or None.

        A name fixed by an object id is answered from the cache when it was asked before;
        a missing answer is kept only under a commit known to exist (a path absent from a
        commit stays absent, an id not found yet may be written later)."""
        if not names:
            return []
        results: dict[int, _Found] = {}
        wanted: list[int] = []
        for i, name in enumerate(names):
            kept = self._kept_object(name, check_only)
            if kept is None:
                wanted.append(i)
            else:
                results[i] = kept[0]
        if wanted:
            asked = [names[i] for i in wanted]
            for i, found in zip(wanted, self._cat_file(asked, check_only=check_only), strict=True):
                results[i] = found
                self._keep_object(names[i], found, check_only)
        return [results[i] for i in range(len(names))]

    def _kept_object(self, name: str, check_only: bool) -> tuple[_Found] | None:
        key = (self._key, name)
        for area in (_OBJECTS, _CHECKED) if check_only else (_OBJECTS,):
            kept = cache.get(area, key)
            if kept is not None:
                return kept
        return None

    def _keep_object(self, name: str, found: _Found, check_only: bool) -> None:
        match = _FIXED_NAME_RE.fullmatch(name)
        if match is None:
            return
        if found is None and not cache.get(_KNOWN_COMMITS, (self._key, match.group(1))):
            return
        cache.put(_CHECKED if check_only else _OBJECTS, (self._key, name), (found,))

    def _cat_file(self, names: Sequence[str], *, check_only: bool) -> list[_Found]:
        mode = "--batch-check" if check_only else "--batch"
        out = self._run("cat-file", mode, input="".join(f"{n}\n" for n in names).encode()).stdout
        results: list[_Found] = []
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

    def _fixed(self, *args: str) -> bytes:
        """The output of a git command whose revisions are all full commit ids: asked once."""
        key = (self._key, args)
        kept = cache.get(_ANSWERS, key)
        if kept is None:
            kept = self._run(*args).stdout
            cache.put(_ANSWERS, key, kept)
        return kept

    def _rev_or_head(self, rev: str | None) -> str | None:
        return self.resolve(rev) if rev is not None else self.head()

    def _open(self) -> git.Repo:
        try:
            return git.Repo(self.path, odbt=AtomicObjectDB)
        except (git.NoSuchPathError, git.InvalidGitRepositoryError) as exc:
            raise StoreUnavailable(f"{self.path} is not a git repository") from exc

    # -- repository

    def is_repository(self) -> bool:
        bare = ref_files.is_bare(self.path) if self.path.is_dir() else False
        if not isinstance(bare, ref_files.Unknown):
            return bare
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
        lines = as_text(fsck.stdout + fsck.stderr).splitlines()
        errors = [ln for ln in lines if ln.strip() and not ln.startswith(("dangling", "notice"))]
        found.extend(f"git fsck: {line}" for line in errors)
        if fsck.returncode != 0 and not errors:
            found.append(f"git fsck failed with exit code {fsck.returncode}")
        return found

    def head(self) -> str | None:
        target = ref_files.read_ref(self.path, self.ref)
        if target is None:
            return None
        if not isinstance(target, ref_files.Unknown):
            sha = self._commit_of(target)
            if sha is not None:
                return sha
        return self._head_from_git()

    def _head_from_git(self) -> str | None:
        proc = self._run("rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}", ok=(0, 1))
        sha = as_text(proc.stdout).strip()
        if (
            not sha
            and self._run("show-ref", "--verify", "-q", self.ref, ok=(0, 1, 128)).returncode != 1
        ):
            raise StoreUnavailable(f"{self.ref} points at a missing or invalid commit")
        return sha or None

    def resolve(self, rev: str) -> str:
        check_rev(rev)
        if cache.get(_KNOWN_COMMITS, (self._key, rev)):
            return rev  # a commit id seen before: commits never change
        sha = self._resolve_in_process(rev)
        if sha is not None:
            return sha
        proc = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", ok=(0, 1, 128))
        sha = as_text(proc.stdout).strip()
        if proc.returncode != 0 or not sha:
            raise RevisionNotFound(f"no such revision: {rev}")
        self._know_commit(sha)
        return sha

    def _know_commit(self, sha: str) -> None:
        cache.put(_KNOWN_COMMITS, (self._key, sha), True)

    def _resolve_in_process(self, rev: str) -> str | None:
        """The commit a full id or a ref name means, found without git; None means ask git
        (abbreviated ids, ``main~2``, a name no ref has, anything unusual)."""
        if ref_files.FULL_ID_RE.fullmatch(rev):
            return self._commit_of((rev, None))
        if _SPECIAL_REV_CHARS.intersection(rev):
            return None
        if rev == "HEAD" or rev.startswith("refs/"):
            names = [rev]
        elif rev.isupper():
            return None  # FETCH_HEAD and the like: files git keeps beside the refs
        else:
            names = [f"refs/{rev}", f"refs/tags/{rev}", f"refs/heads/{rev}"]
            names += [f"refs/remotes/{rev}", f"refs/remotes/{rev}/HEAD"]
        for name in names:  # git's own order of lookup
            target = ref_files.read_ref(self.path, name)
            if isinstance(target, ref_files.Unknown):
                return None
            if target is not None:
                return self._commit_of(target)
        return None

    def _commit_of(self, target: ref_files.RefTarget) -> str | None:
        """The commit a ref's target names, peeling annotated tags; None when it is not a
        commit that exists (git then says what is wrong)."""
        sha, peeled = target
        for _ in range(5):
            if peeled is not None:
                sha, peeled = peeled, None
            if cache.get(_KNOWN_COMMITS, (self._key, sha)):
                return sha
            found = self._batch([sha])[0]
            if found is None:
                return None
            if found[1] == "commit":
                self._know_commit(sha)
                return sha
            if found[1] != "tag":
                return None
            inner = tag_target(found[2])
            if inner is None:
                return None
            sha = inner
        return None

    # -- reading

    def read(self, path: str, rev: str | None = None) -> FileVersion:
        check_path(path)
        sha = self._rev_or_head(rev)
        found = self._batch([f"{sha}:{path}"])[0] if sha else None
        if found is None and sha:
            self._check_not_lost(sha, path)
        if found is None or found[1] != "blob":
            raise PathNotFound(f"{path} does not exist at {rev or self.branch}")
        return FileVersion(path=path, blob_id=found[0], data=found[2], commit_id=sha or "")

    def _check_not_lost(self, sha: str, path: str) -> None:
        """A path the commit's tree lists but whose object is gone: damage, not absence."""
        listed = self._run("ls-tree", "-z", sha, "--", path, ok=(0, 128)).stdout
        entry = listed.split(b"\0", 1)[0].split(b"\t", 1)[0].split()
        if len(entry) == 3 and entry[1] == b"blob":
            object_id = entry[2].decode("ascii", "replace")
            raise StoreUnavailable(
                f"The content repository is damaged: {path} at commit {sha[:7]} is git object "
                f"{object_id[:12]}, which is missing."
            )

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
        out = self._fixed("ls-tree", "-r", "-z", "--name-only", sha, *spec)
        names = (as_text(name) for name in out.split(b"\0") if name)
        return sorted(name for name in names if name.startswith(prefix))

    def _log(self, *args: str) -> list[CommitInfo]:
        """``git log`` of full commit ids only, so that its answer can be kept."""
        out = self._fixed("log", "-z", f"--format={LOG_FORMAT}", *args)
        return [parse_commit(as_text(record)) for record in out.split(b"\0") if record.strip()]

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
        return int(as_text(self._fixed("rev-list", "--count", sha, *exclude, *spec)).strip())

    def diff(self, from_rev: str, to_rev: str, path: str | None = None, *, context: int = 3) -> str:
        spec = ["--", check_path(path)] if path else []
        a, b = self.resolve(from_rev), self.resolve(to_rev)
        flags = ["--no-color", "--no-ext-diff", "--no-textconv", f"-U{max(context, 0)}"]
        return as_text(self._fixed("diff", *flags, a, b, *spec))

    def changed_paths(self, from_rev: str, to_rev: str) -> list[str]:
        a, b = self.resolve(from_rev), self.resolve(to_rev)
        out = self._fixed("diff", "--name-only", "-z", "--no-renames", a, b)
        return sorted(as_text(name) for name in out.split(b"\0") if name)

    def maintain(self) -> None:
        """Write a commit-graph with changed-path Bloom filters (per-path history stays
        fast) and remove temporary object files left by writers killed over an hour ago."""
        self._run("commit-graph", "write", "--reachable", "--changed-paths")
        for leftover in (self.path / "objects").glob("obj*"):  # from writers killed mid-store
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)
