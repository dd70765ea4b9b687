"""Opening and reading the content repository: revisions, files, trees, history, diffs."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import git

from guidelines_app import cache
from guidelines_app.store.checks import check_path, check_rev
from guidelines_app.store.messages import LOG_FORMAT, parse_commit
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
            return git.Repo(self.path, odbt=AtomicObjectDB)
        except (git.NoSuchPathError, git.InvalidGitRepositoryError) as exc:
            raise StoreUnavailable(f"{self.path} is not a git repository") from exc

    # -- repository

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
        lines = as_text(fsck.stdout + fsck.stderr).splitlines()
        errors = [ln for ln in lines if ln.strip() and not ln.startswith(("dangling", "notice"))]
        found.extend(f"git fsck: {line}" for line in errors)
        if fsck.returncode != 0 and not errors:
            found.append(f"git fsck failed with exit code {fsck.returncode}")
        return found

    def head(self) -> str | None:
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
        proc = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", ok=(0, 1, 128))
        sha = as_text(proc.stdout).strip()
        if proc.returncode != 0 or not sha:
            raise RevisionNotFound(f"no such revision: {rev}")
        cache.put(_KNOWN_COMMITS, (self._key, sha), True)
        return sha

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
        out = self._run("ls-tree", "-r", "-z", "--name-only", sha, *spec).stdout
        names = (as_text(name) for name in out.split(b"\0") if name)
        return sorted(name for name in names if name.startswith(prefix))

    def _log(self, *args: str) -> list[CommitInfo]:
        out = self._run("log", "-z", f"--format={LOG_FORMAT}", *args).stdout
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
        return int(self._out("rev-list", "--count", sha, *exclude, *spec))

    def diff(self, from_rev: str, to_rev: str, path: str | None = None, *, context: int = 3) -> str:
        spec = ["--", check_path(path)] if path else []
        a, b = self.resolve(from_rev), self.resolve(to_rev)
        flags = ["--no-color", "--no-ext-diff", "--no-textconv", f"-U{max(context, 0)}"]
        return as_text(self._run("diff", *flags, a, b, *spec).stdout)

    def changed_paths(self, from_rev: str, to_rev: str) -> list[str]:
        a, b = self.resolve(from_rev), self.resolve(to_rev)
        out = self._run("diff", "--name-only", "-z", "--no-renames", a, b).stdout
        return sorted(as_text(name) for name in out.split(b"\0") if name)

    def maintain(self) -> None:
        """Write a commit-graph with changed-path Bloom filters (per-path history stays
        fast) and remove temporary object files left by writers killed over an hour ago."""
        self._run("commit-graph", "write", "--reachable", "--changed-paths")
        for leftover in (self.path / "objects").glob("obj*"):  # from writers killed mid-store
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)
