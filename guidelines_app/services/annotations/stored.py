"""Agreement figures of imported batches, computed once and kept (per dimension and
figures version) so the batch page and the API never recompute them per request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Annotation, AnnotationBatch, BatchFigures, Item
from guidelines_app.services.annotations import importing
from guidelines_app.services.annotations.compute import FIGURES_VERSION, figures

BOOTSTRAP = 1000
SEED = 0


@dataclass(frozen=True)
class BatchReport:
    batch: AnnotationBatch
    dataset: str
    dimension: str
    dimensions: list[str]
    figures: dict[str, Any]


def batch_frame(session: Session, batch_id: int, dimension: str | None = None) -> pd.DataFrame:
    """The batch's annotations as the long table the agreement engine reads."""
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
            Item.external_id,
            Annotation.annotator,
            Annotation.label,
            Annotation.created_at,
            Annotation.gold,
            Annotation.dimension,
            Annotation.span_start,
            Annotation.span_end,
        )
        .join(Item, col(Item.id) == col(Annotation.item_id))
        .where(Annotation.batch_id == batch_id)
        .order_by(col(Annotation.id))
    )
    if dimension is not None:
        query = query.where(Annotation.dimension == dimension)
    rows = session.exec(query).all()
    names = ["item", "annotator", "label", "created_at", "gold", "dimension", "start", "end"]
    frame = pd.DataFrame.from_records(rows, columns=names)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True).dt.as_unit("ns")
    frame["gold"] = frame["gold"].astype(bool)
    for name in ("start", "end"):
        frame[name] = frame[name].astype("Int64")
    return frame


def dimensions(session: Session, batch_id: int) -> list[str]:
    found = session.exec(
        select(Annotation.dimension).where(Annotation.batch_id == batch_id).distinct()
    ).all()
    return sorted(found)


def _cached(session: Session, batch_id: int, dimension: str) -> BatchFigures | None:
    return session.get(BatchFigures, (batch_id, dimension, FIGURES_VERSION))


def batch_figures(*, session: Session, batch_id: int, dimension: str | None = None) -> BatchReport:
    """The figures of one dimension of a batch (the first by default), computed once."""
    batch, dataset = importing.get_batch(session, batch_id)
    found = dimensions(session, batch_id)
    chosen = found[0] if dimension is None and found else (dimension or "")
    if found and chosen not in found:
        raise InvalidInput(
            problems=[Problem(f"batch #{batch_id} has no dimension {chosen!r}", path="dimension")]
        )
    cached = _cached(session, batch_id, chosen)
    if cached is None:
        cached = _compute(session, batch_id, chosen)
    return BatchReport(batch, dataset, chosen, found, cached.figures)


def _compute(session: Session, batch_id: int, dimension: str) -> BatchFigures:
    frame = batch_frame(session, batch_id, dimension)
    result = figures(frame, bootstrap=BOOTSTRAP, seed=SEED)
    row = BatchFigures(
        batch_id=batch_id, dimension=dimension, figures_version=FIGURES_VERSION, figures=result
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # computed meanwhile by another request: keep theirs
        session.rollback()
        existing = _cached(session, batch_id, dimension)
        if existing is None:
            raise
        return existing
    return row


def precompute(*, session: Session, batch_id: int) -> int:
    """Compute and keep the figures of every dimension of a batch; how many were computed."""
    computed = 0
    for dimension in dimensions(session, batch_id):
        if _cached(session, batch_id, dimension) is None:
            _compute(session, batch_id, dimension)
            computed += 1
    return computed
