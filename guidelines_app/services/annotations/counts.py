"""How many stored annotations carry each label of a taxonomy, per dataset: the dry run of a
migration map (applying a map never rewrites stored annotations)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from guidelines_app.models import Annotation, AnnotationBatch, Dataset
from guidelines_app.services.taxonomies import diffs as taxonomy_diffs


def count_by_dataset(
    session: Session, slug: str, label_ids: list[str]
) -> dict[str, dict[str, int]]:
    if not label_ids:
        return {}
    rows = session.exec(
        select(Dataset.slug, Annotation.label, func.count())
        .select_from(Annotation)
        .join(AnnotationBatch, col(AnnotationBatch.id) == col(Annotation.batch_id))
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(AnnotationBatch.taxonomy == slug, col(Annotation.label).in_(label_ids))
        .group_by(col(Dataset.slug), col(Annotation.label))
    ).all()
    found: dict[str, dict[str, int]] = {}
    for dataset, label, count in rows:
        found.setdefault(dataset, {})[label] = int(count)
    return found


taxonomy_diffs.ANNOTATION_COUNTERS.append(count_by_dataset)
