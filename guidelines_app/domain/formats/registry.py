"""Finding a format by the name a person typed: one spelling per key, old spellings kept.

Each kind of format (taxonomy exchange formats, annotation readers) is one tuple of
entries; an entry's ``key`` is its one spelling in URLs, options, JSON and the audit
log. People also type ``label-studio`` or ``Label_Studio``: names are compared with
case, hyphens and underscores ignored, so every spelling that worked before still works.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from guidelines_app.domain.errors import InvalidInput, Problem


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


F = TypeVar("F", bound=Keyed)


def plain_name(name: str) -> str:
    """A format name with case, spaces, hyphens and underscores ignored."""
    return "".join(ch for ch in name.strip().lower() if ch not in "-_ ")


def find_format(entries: Iterable[F], name: str, *, path: str = "format") -> F:
    """The entry ``name`` spells, or InvalidInput listing the keys there are."""
    choices = tuple(entries)
    wanted = plain_name(name or "")
    for entry in choices:
        if plain_name(entry.key) == wanted:
            return entry
    known = ", ".join(entry.key for entry in choices)
    raise InvalidInput(problems=[Problem(f"unknown format {name!r} (one of: {known})", path)])
