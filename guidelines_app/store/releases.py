"""Releases: annotated tags `release/<path without extension>/v<N>` with the notes as message."""

from __future__ import annotations

import dataclasses
import random
import re
import time
from datetime import datetime
from pathlib import PurePosixPath

from guidelines_app.store import ref_files
from guidelines_app.store.checks import check_author, check_path
from guidelines_app.store.messages import committed_at, parse_tag
from guidelines_app.store.plumbing import (
    RETRYABLE_REF_ERROR,
    WRITE_TIMEOUT_S,
    ZERO_ID,
    as_text,
    utc_at,
)
from guidelines_app.store.repo import Repository
from guidelines_app.store.types import (
    Author,
    InvalidPath,
    Release,
    ReleaseExists,
    RevisionNotFound,
    StoreError,
)

_RELEASE_RE = re.compile(r"release/(.+)/v([1-9][0-9]*)")
_TAGGABLE_STEM_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")
_REF_FORMAT = (
    "%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(taggername)"
    "%00%(taggeremail)%00%(taggerdate:unix)%00%(committerdate:unix)%00%(contents)%00%1e"
)


class Releasing(Repository):
    """Creating and listing releases."""

    def create_release(
        self, path: str, *, rev: str, message: str, tagger: Author, when: datetime | None = None
    ) -> Release:
        """Tag `path` at `rev` as release v<N+1>; ReleaseExists if the latest release
        already has exactly this content of the file."""
        check_path(path)
        check_author(tagger)
        stem = _release_stem(path)
        sha = self.resolve(rev)
        version = self.read(path, sha)
        notes = message.replace("\r\n", "\n").strip()
        deadline = time.monotonic() + WRITE_TIMEOUT_S
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
            error = as_text(moved.stderr).strip()
            if time.monotonic() > deadline or not RETRYABLE_REF_ERROR.search(error):
                raise StoreError(f"could not create {tag}: {error}")
            time.sleep(random.uniform(0.002, 0.02))

    def _refs(self, pattern: str) -> list[tuple[str, int, Release]]:
        """(stem, version, release with path=stem) for every release tag under `pattern`."""
        found = []
        for fields in self._tag_records(pattern):
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
                tagged_at=utc_at(tagged if annotated else committed),
            )
            found.append((match.group(1), release.version, release))
        return sorted(found, key=lambda item: (item[0], item[1]))

    def _tag_records(self, pattern: str) -> list[list[str]]:
        """The fields of `_REF_FORMAT` for each ref under `pattern`: the refs read from the
        repository's files and their objects (kept by id) when it can, else `for-each-ref`."""
        refs = ref_files.list_refs(self.path, pattern)
        if isinstance(refs, ref_files.Unknown):
            out = self._run("for-each-ref", f"--format={_REF_FORMAT}", pattern).stdout
            split = (as_text(record).split("\0") for record in out.split(b"\0\x1e\n"))
            return [fields for fields in split if len(fields) == 9]
        objects = self._batch([sha for sha, _peeled in refs.values()])
        records: list[list[str]] = []
        for (ref, (sha, _peeled)), found in zip(refs.items(), objects, strict=True):
            if found is None:
                continue  # a ref to a missing object: for-each-ref skips it too, with a warning
            kind, raw = found[1], found[2]
            if kind == "tag":
                tag = parse_tag(raw)
                tagger = [tag.tagger_name, f"<{tag.tagger_email}>", tag.tagged_at]
                records.append([ref, kind, sha, tag.target, *tagger, "", tag.message])
            else:
                committed = committed_at(raw) if kind == "commit" else ""
                records.append([ref, kind, sha, "", "", "", "", committed, ""])
        return records

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
            names.append(as_text(raw[space + 1 : nul]))
        pos = nul + 21
    return names
