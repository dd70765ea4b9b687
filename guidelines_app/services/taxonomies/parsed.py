"""Parsed taxonomies, kept by blob id: every page and use case that reads one parses it once.

A 10,000-label taxonomy takes seconds to compose and read from YAML, and ``/taxonomies``,
the taxonomy pages, label pages, diffs and the label menus of other features all need it.
A blob id names one content for ever, so the parse (the taxonomy and its shape problems, or
the reason it cannot be read at all) is kept under it; the cache weighs each entry by its
number of labels, so a handful of very large taxonomies cannot hold a worker's memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guidelines_app import cache
from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.taxonomy import Taxonomy, parse_taxonomy_lenient
from guidelines_app.domain.taxonomy_model import LabelEntry
from guidelines_app.store import FileVersion


@dataclass(frozen=True)
class Parsed:
    """What reading one version gave: a taxonomy and its problems, or why there is none."""

    taxonomy: Taxonomy | None
    #: Shape problems beside the taxonomy, or why there is none (syntax, aliases, tabs).
    problems: tuple[Problem, ...]
    #: The message of the error when there is no taxonomy.
    error: str | None
    label_count: int
    deprecated_count: int
    #: Every label by id (the last of duplicates, as the pages always showed it) with its
    #: place in the tree, and its name: pages look labels up here instead of walking 10,000.
    entries: dict[str, LabelEntry] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def _weigh(parsed: Parsed) -> int:
    return 1 + parsed.label_count


_PARSED: cache.Area[Parsed] = cache.Area(
    "parsed taxonomies by blob id", 256, max_weight=200_000, weigh=_weigh
)


def parse(version: FileVersion) -> Parsed:
    """The parse of ``version``, computed once per blob. A text too large or not UTF-8
    raises TooLarge or UnicodeDecodeError as before, every time (both are found at once)."""
    return cache.lookup(_PARSED, version.blob_id, lambda: _parse(version))


def _parse(version: FileVersion) -> Parsed:
    try:
        taxonomy, problems = parse_taxonomy_lenient(version.text)
    except InvalidInput as error:
        return Parsed(None, tuple(error.problems), error.message, 0, 0)
    walked = list(taxonomy.iter_labels())
    deprecated = sum(1 for entry in walked if entry.label.deprecated)
    entries = {entry.label.id: entry for entry in walked}
    names = {label_id: entry.label.name for label_id, entry in entries.items()}
    return Parsed(taxonomy, tuple(problems), None, len(walked), deprecated, entries, names)


def clear() -> None:
    cache.clear(_PARSED)
