"""The labels of a taxonomy at a revision, as guideline pages and forms need them."""

from __future__ import annotations

from dataclasses import dataclass

from guidelines_app import cache
from guidelines_app.domain.errors import InvalidInput, NotFound
from guidelines_app.domain.taxonomy import Taxonomy, parse_taxonomy_lenient
from guidelines_app.services import documents
from guidelines_app.store import ContentStore, PathNotFound, StoreError


@dataclass(frozen=True)
class LabelInfo:
    id: str
    name: str
    deprecated: bool
    replaced_by: tuple[str, ...]


#: Parsed taxonomies by blob id, which git never reuses for other content.
_PARSED: cache.Area[Taxonomy | None] = cache.Area("parsed taxonomies by blob id", 256)


def load_lenient(store: ContentStore, slug: str, rev: str | None = None) -> Taxonomy | None:
    """The taxonomy at ``rev``, or None when it does not exist or cannot be read at all.

    Parsed taxonomies are cached by blob id (a version that cannot be read, as None).
    """
    try:
        version = store.read(documents.TAXONOMY.path(slug), rev)
    except (PathNotFound, StoreError, NotFound):
        return None

    def parse() -> Taxonomy | None:
        try:
            return parse_taxonomy_lenient(version.text)[0]
        except InvalidInput:
            return None

    return cache.lookup(_PARSED, version.blob_id, parse)


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
