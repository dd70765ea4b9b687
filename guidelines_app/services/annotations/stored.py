"""Agreement figures of imported batches, computed once and kept (per dimension and
figures version) so the batch page and the API never recompute them per request.

The figures are a cache of the batch: they are kept with ``db.write_aside``, never in
the transaction of the request that read them, so a batch page read while another
connection writes still answers (and computes them again next time if they could not
be kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from guidelines_app.db import session_scope, write_aside
from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Annotation, AnnotationBatch, BatchFigures, Item
from guidelines_app.services.annotations import importing
from guidelines_app.services.annotations.compute import (
    FIGURES_VERSION,
    figures,
    relevant_columns,
)

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


def _cached(session: Session, batch_id: int, dimension: str) -> dict[str, Any] | None:
    found = session.get(BatchFigures, (batch_id, dimension, FIGURES_VERSION))
    return None if found is None else found.figures


def batch_figures(*, session: Session, batch_id: int, dimension: str | None = None) -> BatchReport:
    """The figures of one dimension of a batch (the first by default), computed once."""
    batch, dataset = importing.get_batch(session, batch_id)
    found = dimensions(session, batch_id)
    chosen = found[0] if dimension is None and found else (dimension or "")
    if found and chosen not in found:
        raise InvalidInput(
            problems=[Problem(f"batch #{batch_id} has no dimension {chosen!r}", path="dimension")]
        )
    kept = _cached(session, batch_id, chosen)
    if kept is None:
        kept = _compute(session, batch_id, chosen)
    return BatchReport(batch, dataset, chosen, found, kept)


def _compute(session: Session, batch_id: int, dimension: str) -> dict[str, Any]:
    """Compute the figures from the batch as ``session`` sees it and keep them aside.

    The figures are deterministic (a fixed seed), so when another worker kept the same
    row meanwhile theirs equals ours.
    """
    frame = batch_frame(session, batch_id, dimension)
    return _keep(session, batch_id, dimension, frame)


def _keep(bind: Session | Engine, batch_id: int, dimension: str, frame: pd.DataFrame) -> dict:
    result = figures(frame, bootstrap=BOOTSTRAP, seed=SEED)
    row = BatchFigures(
        batch_id=batch_id, dimension=dimension, figures_version=FIGURES_VERSION, figures=result
    )
    write_aside(bind, lambda aside: aside.add(row))
    return result


def keep_figures(*, engine: Engine, batch_id: int, frame: pd.DataFrame) -> int:
    """Compute and keep the figures of every dimension from the table just written.

    The same figures as ``precompute`` (the table is the batch's rows, in their order),
    without reading millions of rows back from the database into Python objects.
    """
    table = relevant_columns(frame)
    dimension = table["dimension"].astype(str)
    found = sorted(pd.unique(dimension))
    for name in found:
        part = table if len(found) == 1 else table[dimension == name]
        _keep(engine, batch_id, name, part.reset_index(drop=True))
    return len(found)


def precompute(*, session: Session, batch_id: int) -> int:
    """Compute and keep the figures of every dimension of a batch; how many were computed.

    Called right after an import committed the batch, with the importer's session: the
    annotations are read in a short read transaction of its own, so that session (a
    writer's) does not begin a transaction and hold SQLite's write lock meanwhile.
    """
    computed = 0
    with session_scope(session.get_bind().engine, write=False) as reading:
        for dimension in dimensions(reading, batch_id):
            if _cached(reading, batch_id, dimension) is None:
                _compute(reading, batch_id, dimension)
                computed += 1
    return computed
