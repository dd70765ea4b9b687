"""The label tree in pages: 10,000 labels stay usable, whole top-level subtrees per page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from guidelines_app.domain.taxonomy import Label, Taxonomy

TREE_PAGE_LABELS = 400  # about this many labels per page


@dataclass(frozen=True)
class TreePage:
    labels: tuple[Label, ...]
    page: int
    pages: int
    total: int


def tree_page(taxonomy: Taxonomy, page: int = 1, per_page: int = TREE_PAGE_LABELS) -> TreePage:
    """Top-level subtrees grouped into pages of about ``per_page`` labels each."""
    groups: list[list[Label]] = [[]]
    count = 0
    for label in taxonomy.labels:
        size = 1 + sum(1 for _ in _descendants(label))
        if groups[-1] and count + size > per_page:
            groups.append([])
            count = 0
        groups[-1].append(label)
        count += size
    page = min(max(1, page), len(groups))
    return TreePage(tuple(groups[page - 1]), page, len(groups), len(taxonomy.labels))


def _descendants(label: Label) -> Iterator[Label]:
    stack = list(label.children)
    while stack:
        child = stack.pop()
        yield child
        stack.extend(child.children)


def label_page_number(taxonomy: Taxonomy, label_id: str, per_page: int = TREE_PAGE_LABELS) -> int:
    top = {
        e.label.id: (e.ancestors[0] if e.ancestors else e.label.id) for e in taxonomy.iter_labels()
    }
    root = top.get(label_id)
    first = tree_page(taxonomy, 1, per_page)
    for number in range(1, first.pages + 1):
        found = tree_page(taxonomy, number, per_page) if number > 1 else first
        if any(label.id == root for label in found.labels):
            return number
    return 1
