"""What changed between two revisions of a taxonomy: semantic diff and migration map."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from guidelines_app import cache
from guidelines_app.domain.taxonomy import (
    Label,
    MigrationMap,
    TaxonomyDiff,
    migration_map,
    semantic_diff,
)
from guidelines_app.models import Annotation, AnnotationBatch, BatchStatus, Dataset
from guidelines_app.services import documents
from guidelines_app.services.documents import TAXONOMY, Ref
from guidelines_app.services.taxonomies import taxonomy as taxonomies
from guidelines_app.store import ContentStore

#: The semantic diff and migration map of two versions, by their blob ids (None: no file yet).
_CHANGES: cache.Area[tuple[TaxonomyDiff, MigrationMap]] = cache.Area(
    "taxonomy diffs by blob ids", 64
)


@dataclass(frozen=True)
class TaxonomyChange:
    slug: str
    old: Ref
    new: Ref
    diff: TaxonomyDiff
    migration: MigrationMap


def compare(*, store: ContentStore, slug: str, old: str, new: str) -> TaxonomyChange:
    """Any two revisions: releases (``v2``), ``draft`` or commit ids."""
    TAXONOMY.path(slug)  # a slug that cannot exist is not found
    old_ref = documents.resolve(store, TAXONOMY, slug, old, before_ok=True)
    new_ref = documents.resolve(store, TAXONOMY, slug, new)
    new_blob = documents.read(store, TAXONOMY, slug, new_ref.commit_id).blob_id
    old_blob = (
        documents.read(store, TAXONOMY, slug, old_ref.commit_id).blob_id if old_ref.exists else None
    )

    def changes() -> tuple[TaxonomyDiff, MigrationMap]:
        after, _ = taxonomies.load(store, slug, new_ref.commit_id)
        if old_ref.exists:
            before, _ = taxonomies.load(store, slug, old_ref.commit_id)
        else:  # the first revision: every label is new
            before = replace(after, labels=())
        change = semantic_diff(before, after)
        return change, migration_map(change)

    change, migration = cache.lookup(_CHANGES, (old_blob, new_blob), changes)
    return TaxonomyChange(slug, old_ref, new_ref, change, migration)


def default_range(store: ContentStore, slug: str) -> tuple[str, str]:
    """The release in force against the draft, or the two newest releases when they agree."""
    found = documents.releases(store, TAXONOMY, slug)
    if not found:
        return documents.previous_revision(store, TAXONOMY, slug) or "draft", "draft"
    latest = found[-1]
    if documents.changes_since(store, TAXONOMY, slug, latest) == 0 and len(found) > 1:
        return f"v{found[-2].version}", f"v{latest.version}"
    return f"v{latest.version}", "draft"


def annotation_counts(
    session: Session, slug: str, label_ids: list[str]
) -> dict[str, dict[str, int]]:
    """{dataset: {old label id: annotations}}: how many stored annotations carry each label.

    The dry run of a migration map: applying a map never rewrites stored annotations.
    """
    if not label_ids:
        return {}
    rows = session.exec(
        select(Dataset.slug, Annotation.label, func.count())
        .select_from(Annotation)
        .join(AnnotationBatch, col(AnnotationBatch.id) == col(Annotation.batch_id))
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(
            AnnotationBatch.taxonomy == slug,
            AnnotationBatch.status != BatchStatus.IMPORTING,
            col(Annotation.label).in_(label_ids),
        )
        .group_by(col(Dataset.slug), col(Annotation.label))
    ).all()
    found: dict[str, dict[str, int]] = {}
    for dataset, label, count in rows:
        found.setdefault(dataset, {})[label] = int(count)
    return found


def _ref_json(ref: Ref) -> dict[str, Any]:
    return {
        "label": ref.label,
        "commit": ref.commit_id,
        "release": ref.release.version if ref.release else None,
    }


def diff_json(change: TaxonomyChange) -> dict[str, Any]:
    return {
        "taxonomy": change.slug,
        "from": _ref_json(change.old),
        "to": _ref_json(change.new),
        "empty": change.diff.is_empty,
        "changes": change.diff.to_dict(),
    }


def migration_json(
    change: TaxonomyChange, counts: dict[str, dict[str, int]] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "taxonomy": change.slug,
        "from": _ref_json(change.old),
        "to": _ref_json(change.new),
        "map": change.migration.to_dict(),
        "needs_relabel": change.migration.needs_relabel(),
        "unmapped": change.migration.unmapped(),
    }
    if counts is not None:
        data["annotation_counts"] = counts
    return data


def label_json(label: Label) -> dict[str, Any]:
    return {
        "id": label.id,
        "name": label.name,
        "description": label.description,
        "examples": list(label.examples),
        "counter_examples": list(label.counter_examples),
        "synonyms": list(label.synonyms),
        "color": label.color,
        "hint": label.hint,
        "value": label.value,
        "deprecated": label.deprecated,
        "replaced_by": list(label.replaced_by),
        "children": [label_json(child) for child in label.children],
    }


def taxonomy_json(page: taxonomies.TaxonomyPage) -> dict[str, Any]:
    return {
        "slug": page.slug,
        "revision": _ref_json(page.ref),
        "name": page.taxonomy.name,
        "description": page.taxonomy.description,
        "kind": page.taxonomy.kind,
        "labels": [label_json(label) for label in page.taxonomy.labels],
        "problems": [str(p) for p in page.problems],
        "governed_by": [g.slug for g in page.governed_by],
    }
