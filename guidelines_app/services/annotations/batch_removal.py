"""Removing a batch imported by mistake: its annotations, figures and dependent reports.

A batch is one file, so it goes as one: its annotations, its stored figures and the cached
release reports of the guideline it counted for are deleted, and an audit row says what
went, in one transaction, so nothing is ever half removed. Items and datasets stay: they
belong to the dataset, escalations and decisions may point at them, and importing the file
again finds them by their external ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Delete, delete, update
from sqlmodel import Session, col, select

from guidelines_app.domain.errors import Conflict, NotFound
from guidelines_app.models import Annotation, AnnotationBatch, AnnotationImport, BatchFigures
from guidelines_app.services import audit, reports
from guidelines_app.services.annotations import importing, jobs


class BatchStillImporting(Conflict):
    """The batch's background import has not finished (its figures are being computed)."""


@dataclass(frozen=True)
class RemovedBatch:
    """What went: shown to the person who removed it and kept in the audit row."""

    batch_id: int
    file_name: str
    dataset: str
    guideline: str | None
    n_annotations: int
    n_figures: int
    n_reports: int

    def summary(self) -> str:
        where = f", counted for {self.guideline}" if self.guideline else ""
        return (
            f"removed batch #{self.batch_id} ({self.file_name}) from {self.dataset}{where}: "
            f"{self.n_annotations:,} annotations"
        )


def _deleted(session: Session, statement: Delete) -> int:
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def remove_batch(*, session: Session, batch_id: int, actor_id: int | None = None) -> RemovedBatch:
    """Delete batch ``batch_id`` with everything computed from it, and record who did.

    Raises NotFound (404) for an unknown batch and BatchStillImporting (409) while the
    upload that is writing it has not finished; nothing is removed then. The batch's row
    is locked first (PostgreSQL; SQLite serialises writers), so of two removals at once
    the second finds no batch rather than recording a removal of nothing.
    """
    locked = session.exec(
        select(AnnotationBatch.id).where(col(AnnotationBatch.id) == batch_id).with_for_update()
    ).first()
    if locked is None:
        raise NotFound(f"no annotation batch #{batch_id}")
    batch, dataset = importing.get_batch(session, batch_id)
    running = jobs.running_import(session, batch_id)
    if running is not None:
        raise BatchStillImporting(
            f"batch #{batch_id} is still being imported (upload #{running.id}: "
            f"{running.stage}); remove it once the import has finished"
        )
    try:
        n_annotations = _deleted(
            session, delete(Annotation).where(col(Annotation.batch_id) == batch_id)
        )
        n_figures = _deleted(
            session, delete(BatchFigures).where(col(BatchFigures.batch_id) == batch_id)
        )
        n_reports = reports.forget(session, guideline=batch.guideline) if batch.guideline else 0
        session.execute(
            update(AnnotationImport)
            .where(col(AnnotationImport.batch_id) == batch_id)
            .values(batch_id=None)
        )
        removed = RemovedBatch(
            batch_id=batch_id,
            file_name=batch.file_name,
            dataset=dataset,
            guideline=batch.guideline,
            n_annotations=n_annotations,
            n_figures=n_figures,
            n_reports=n_reports,
        )
        audit.record(
            session,
            actor_id=actor_id,
            action="annotations.remove",
            object_type="annotation_batch",
            object_id=batch_id,
            summary=removed.summary(),
            detail={
                "file_name": batch.file_name,
                "dataset": dataset,
                "annotations": n_annotations,
                "sha256": batch.sha256,
                "guideline": batch.guideline,
                "guideline_version": batch.guideline_version,
                "release_rule": batch.release_rule,
                "figures": n_figures,
                "reports": n_reports,
            },
        )
        session.execute(delete(AnnotationBatch).where(col(AnnotationBatch.id) == batch_id))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return removed
