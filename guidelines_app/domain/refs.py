"""References to a revision of a document, read in one place: ``v3`` (a release),
``draft`` (the newest revision) or a commit.

Pages (``?rev=``, ``?release=``, ``?from=``/``?to=``), forms, the API and the command
line all parse with these functions, so ``V3``, ``3`` where only a release can be
meant, and the other names of the draft mean the same thing everywhere.

- ``parse_ref``: any revision. ``vN`` is release N; the draft's names (``draft``,
  ``head``, ``main``, ``unreleased``, ``v0``...) and an empty text the draft; anything
  else is a commit (an id, abbreviated or full), which only the content store can
  resolve. A bare number is a commit here: ``1234`` may be an abbreviated id.
- ``parse_release``: a field that names a release, where no commit can be meant
  (``?release=``, a batch's release, ``--from``): ``3`` is release 3 there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from guidelines_app.domain.errors import NotFound

RELEASE, DRAFT, COMMIT = "release", "draft", "commit"

#: Every spelling of the draft (``v`` and ``vdraft`` came from ``?release=``).
DRAFT_NAMES = frozenset({"draft", "unreleased", "head", "main", "v0", "0", "v", "vdraft"})
VERSION_RE = re.compile(r"v?([1-9][0-9]{0,5})", re.IGNORECASE)
FULL_ID_RE = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class RefSpec:
    """What a reference names; ``str()`` is its canonical spelling (``v3``, ``draft``, or
    the commit as given), which ``parse_ref`` reads back to the same RefSpec."""

    kind: str
    version: int | None = None
    commit: str | None = None

    @property
    def is_release(self) -> bool:
        return self.kind == RELEASE

    @property
    def is_draft(self) -> bool:
        return self.kind == DRAFT

    def __str__(self) -> str:
        if self.kind == RELEASE:
            return f"v{self.version}"
        if self.kind == DRAFT:
            return DRAFT
        return self.commit or ""


def release(version: int) -> RefSpec:
    return RefSpec(RELEASE, version=version)


THE_DRAFT = RefSpec(DRAFT)


def parse_ref(text: str | None, *, bare_number: bool = False) -> RefSpec:
    """Any revision: a release, the draft or a commit (see the module docstring).
    ``bare_number``: ``3`` is release 3 too (only where a commit cannot be meant)."""
    given = (text or "").strip()
    lowered = given.lower()
    if not lowered or lowered in DRAFT_NAMES:
        return THE_DRAFT
    match = VERSION_RE.fullmatch(lowered)
    if match and (bare_number or lowered.startswith("v")):
        return release(int(match.group(1)))
    return RefSpec(COMMIT, commit=given)


def parse_release(text: str | None, *, draft: bool = True) -> RefSpec | None:
    """A release (``v3``, ``3``) or, when ``draft``, the draft; None for an empty text,
    a commit or anything else."""
    if not (text or "").strip():
        return None
    spec = parse_ref(text, bare_number=True)
    if spec.is_release or (spec.is_draft and draft):
        return spec
    return None


def release_number(text: str | None) -> int | None:
    """The N of ``vN`` or ``N``; None for anything else (the draft included)."""
    spec = parse_release(text, draft=False)
    return spec.version if spec else None


def release_ref(text: str) -> RefSpec:
    """A ``?release=`` value: a release or the draft; a name that is neither is a release
    that does not exist (NotFound), as ``v99`` would be."""
    spec = parse_release(text)
    if spec is None:
        raise NotFound(f"no release {text.strip()!r}")
    return spec


def is_full_commit_id(text: str) -> bool:
    """A full commit id names one immutable revision: answers about it can be cached."""
    return FULL_ID_RE.fullmatch(text) is not None
