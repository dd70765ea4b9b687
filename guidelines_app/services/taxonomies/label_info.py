"""The labels of a taxonomy at a revision, as guideline pages and forms need them."""

from __future__ import annotations

from dataclasses import dataclass

from guidelines_app.domain.errors import NotFound
from guidelines_app.domain.taxonomy import Taxonomy
from guidelines_app.services import documents
from guidelines_app.services.taxonomies import parsed as parsed_taxonomies
from guidelines_app.store import ContentStore, PathNotFound, StoreError


@dataclass(frozen=True)
class LabelInfo:
    id: str
    name: str
    deprecated: bool
    replaced_by: tuple[str, ...]


def load_lenient(store: ContentStore, slug: str, rev: str | None = None) -> Taxonomy | None:
    """The taxonomy at ``rev``, or None when it does not exist or cannot be read at all.

    Parsed taxonomies are cached by blob id (a version that cannot be read, as None).
    """
    try:
        version = store.read(documents.TAXONOMY.path(slug), rev)
    except (PathNotFound, StoreError, NotFound):
        return None

    return parsed_taxonomies.parse(version).taxonomy


def labels(store: ContentStore, slug: str, rev: str | None = None) -> dict[str, LabelInfo] | None:
    taxonomy = load_lenient(store, slug, rev)
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
