"""The label tree in pages: 10,000 labels stay usable, whole top-level subtrees per page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from guidelines_app.domain.taxonomy import Label, Taxonomy
from guidelines_app.domain.taxonomy_model import LabelEntry

TREE_PAGE_LABELS = 400  # about this many labels per page


@dataclass(frozen=True)
class TreePage:
    labels: tuple[Label, ...]
    page: int
    pages: int
    total: int


def tree_page(taxonomy: Taxonomy, page: int = 1, per_page: int = TREE_PAGE_LABELS) -> TreePage:
    """Top-level subtrees grouped into pages of about ``per_page`` labels each."""
    groups = _groups(taxonomy, per_page)
    page = min(max(1, page), len(groups))
    return TreePage(tuple(groups[page - 1]), page, len(groups), len(taxonomy.labels))


def _groups(taxonomy: Taxonomy, per_page: int) -> list[list[Label]]:
    groups: list[list[Label]] = [[]]
    count = 0
    for label in taxonomy.labels:
        size = 1 + sum(1 for _ in _descendants(label))
        if groups[-1] and count + size > per_page:
            groups.append([])
            count = 0
        groups[-1].append(label)
        count += size
    return groups


def _descendants(label: Label) -> Iterator[Label]:
    stack = list(label.children)
    while stack:
        child = stack.pop()
        yield child
        stack.extend(child.children)


def label_page_number(
    taxonomy: Taxonomy,
    label_id: str,
    per_page: int = TREE_PAGE_LABELS,
    entries: Mapping[str, LabelEntry] | None = None,
) -> int:
    """The page of the tree that shows ``label_id``: one pass over the pages, not one per
    page (``entries``, the label index of the page, spares walking the tree for its root)."""
    if entries is None:
        entries = {e.label.id: e for e in taxonomy.iter_labels()}
    entry = entries.get(label_id)
    if entry is None:
        return 1
    root = entry.ancestors[0] if entry.ancestors else entry.label.id
    for number, group in enumerate(_groups(taxonomy, per_page), start=1):
        if any(label.id == root for label in group):
            return number
    return 1
