"""The labels of a taxonomy at a revision, as guideline pages and forms need them."""

from __future__ import annotations

from dataclasses import dataclass

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.taxonomy import Taxonomy, parse_taxonomy_lenient
from guidelines_app.services import documents
from guidelines_app.store import ContentStore, PathNotFound, StoreError


@dataclass(frozen=True)
class LabelInfo:
    id: str
    name: str
    deprecated: bool
    replaced_by: tuple[str, ...]


def load(store: ContentStore, slug: str, rev: str | None = None) -> Taxonomy | None:
    """The taxonomy at ``rev``, or None when it does not exist or cannot be read at all."""
    try:
        text = store.read(documents.TAXONOMY.path(slug), rev).text
        taxonomy, _problems = parse_taxonomy_lenient(text)
    except (PathNotFound, InvalidInput, StoreError):
        return None
    return taxonomy


def labels(store: ContentStore, slug: str, rev: str | None = None) -> dict[str, LabelInfo] | None:
    taxonomy = load(store, slug, rev)
    if taxonomy is None:
        return None
    return {
        entry.label.id: LabelInfo(
            id=entry.label.id,
            name=entry.label.name,
            deprecated=bool(entry.label.deprecated),
            replaced_by=tuple(entry.label.replaced_by or ()),
        )
        for entry in taxonomy.iter_labels()
    }
