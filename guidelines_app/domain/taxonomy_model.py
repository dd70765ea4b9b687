"""The taxonomy model: immutable labels in a tree, and the walks every other module relies on.

Import from ``guidelines_app.domain.taxonomy``, which re-exports this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

KINDS = ("single-choice", "multi-choice", "spans", "ordinal", "pairwise-preference")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]*")
COLOR_PATTERN = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
MAX_TEXT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    description: str = ""
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    color: str | None = None
    hint: str = ""
    value: int | float | None = None
    deprecated: bool = False
    replaced_by: tuple[str, ...] = ()
    children: tuple[Label, ...] = ()
    # Where the label starts in the YAML it came from; not part of its identity.
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Taxonomy:
    name: str
    description: str = ""
    kind: str = "single-choice"
    labels: tuple[Label, ...] = ()

    def iter_labels(self) -> Iterator[LabelEntry]:
        return iter_labels(self.labels)

    def by_id(self) -> dict[str, Label]:
        """Every label by id; with duplicate ids the first in document order wins."""
        found: dict[str, Label] = {}
        for entry in self.iter_labels():
            found.setdefault(entry.label.id, entry.label)
        return found

    def active_labels(self) -> list[Label]:
        return [e.label for e in self.iter_labels() if not e.label.deprecated]

    def leaf_labels(self) -> list[Label]:
        return [e.label for e in self.iter_labels() if not e.label.children]

    def parent_ids(self) -> dict[str, str | None]:
        return {e.label.id: e.parent_id for e in self.iter_labels()}


class LabelEntry(NamedTuple):
    """One label met in a depth-first walk, with where it sits."""

    label: Label
    parent_id: str | None
    path: str  # e.g. "labels[2].children[0]"
    ancestors: tuple[str, ...]  # ids from the root down to the parent

    @property
    def depth(self) -> int:
        return len(self.ancestors)


def iter_labels(labels: tuple[Label, ...]) -> Iterator[LabelEntry]:
    """Depth-first, parents before children, in document order; iterative so depth is unbounded."""
    stack: list[tuple[Label, str | None, str, tuple[str, ...]]] = [
        (label, None, f"labels[{i}]", ()) for i, label in reversed(list(enumerate(labels)))
    ]
    while stack:
        label, parent_id, path, ancestors = stack.pop()
        yield LabelEntry(label, parent_id, path, ancestors)
        below = (*ancestors, label.id)
        for i in range(len(label.children) - 1, -1, -1):
            stack.append((label.children[i], label.id, f"{path}.children[{i}]", below))


def name_key(name: str) -> str:
    """The form under which two names count as the same: NFKC with case folding, trimmed."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()


def slug_id(text: str, taken: set[str] | None = None) -> str:
    """A valid label id made from free text (an imported name), unique among ``taken``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_.-]+", "-", ascii_text.lower()).strip("-_.")
    slug = re.sub(r"-{2,}", "-", slug)[:80].rstrip("-_.") or "label"
    if taken is None:
        return slug
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate
