"""Writing a checked file as a batch in short transactions, still all rows or none.

One transaction for a whole file held SQLite's write lock for minutes, so every
sign-in, comment or save behind it waited out the busy timeout. Here the batch row is
created first with status ``importing``, which every read ignores; the new items and
the annotations follow in chunks, each committed in its own short transaction (another
writer waits for one chunk at most); one last short transaction makes the batch
``imported``. On any failure the rows written so far are deleted, in chunks too. A
batch left ``importing`` by a process that was killed is found by ``abandoned_imports``
and deleted by ``discard_abandoned`` (for ``guidelines check --repair``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, exists, insert, update
from sqlmodel import Session, col, select

from guidelines_app.db import session_scope, utcnow
from guidelines_app.models import (
    Annotation,
    AnnotationBatch,
    AnnotationImport,
    BatchFigures,
    BatchStatus,
    Dataset,
    DecisionItem,
    Escalation,
    Item,
)

#: Rows per write transaction: a few hundred milliseconds of SQLite's lock at most.
CHUNK = 5_000
LOOKUP_CHUNK = 900
#: The status of a batch being written: every read of batches and annotations skips it.
IMPORTING = BatchStatus.IMPORTING.value
#: The status of a batch whose every row is written.
IMPORTED = BatchStatus.IMPORTED.value
#: An ``importing`` batch older than this was left by a process that stopped.
ABANDONED_AFTER = timedelta(hours=1)

#: Called after each committed chunk with (rows done, rows in all); tests write beside it.
AfterChunk = Callable[[int, int], None]
Progress = Callable[[str, int, int], None]
# Core tables: bulk inserts through them skip the ORM's per-row bookkeeping.
ITEMS = Item.__table__  # type: ignore[attr-defined]
ANNOTATIONS = Annotation.__table__  # type: ignore[attr-defined]


def _nothing_after(_done: int, _total: int) -> None:
    return None


@dataclass
class Pending:
    """What an import has written so far, so that a failure can take all of it back."""

    batch_id: int
    dataset_id: int
    dataset_created: bool
    items_created: list[int]


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def ensure_dataset(engine: Engine, slug: str) -> tuple[int, bool]:
    """The dataset's id and whether this call created it (its own short transaction)."""
    with session_scope(engine) as session:
        found = session.exec(select(Dataset.id).where(Dataset.slug == slug)).first()
        if found is not None:
            return found, False
        dataset = Dataset(slug=slug, name=slug)
        session.add(dataset)
        session.commit()
        return dataset.id or 0, True


def create_batch(engine: Engine, batch: AnnotationBatch, *, job_id: int | None = None) -> int:
    """Insert the batch row as ``importing``; raises IntegrityError for the same file. The
    background import ``job_id`` names the batch in the same transaction, so there is no
    moment when the batch exists and its import does not say it is writing it."""
    batch.status = IMPORTING
    with session_scope(engine) as session:
        session.add(batch)
        session.flush()
        if job_id is not None:
            session.execute(
                update(AnnotationImport)
                .where(col(AnnotationImport.id) == job_id)
                .values(batch_id=batch.id)
            )
        session.commit()
        return batch.id or 0


def _lookup(session: Session, dataset_id: int, external_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(external_ids, LOOKUP_CHUNK):
        rows = session.exec(
            select(Item.external_id, Item.id).where(
                Item.dataset_id == dataset_id, col(Item.external_id).in_(chunk)
            )
        )
        found.update({external_id: item_id or 0 for external_id, item_id in rows})
    return found


def write_items(
    engine: Engine,
    pending: Pending,
    external_ids: list[str],
    snapshots: dict[str, dict[str, Any]],
    *,
    chunk_size: int,
    after_chunk: AfterChunk,
) -> dict[str, int]:
    """Item ids by external id; the missing items are created, a chunk per transaction."""
    with session_scope(engine, write=False) as session:
        found = _lookup(session, pending.dataset_id, external_ids)
    missing = [external_id for external_id in external_ids if external_id not in found]
    for chunk in _chunks(missing, chunk_size):
        now = utcnow()
        rows = []
        for external_id in chunk:
            snapshot = snapshots.get(external_id) or None
            text = snapshot.get("text") if snapshot else None
            rows.append(
                {
                    "dataset_id": pending.dataset_id,
                    "external_id": external_id,
                    "text": text if isinstance(text, str) else None,
                    "payload": snapshot,
                    "media_url": None,
                    "meta": {},
                    "created_at": now,
                    "created_by": None,
                }
            )
        with session_scope(engine) as session:
            session.execute(insert(ITEMS), rows)
            session.commit()
        with session_scope(engine, write=False) as session:  # outside the write transaction
            created = _lookup(session, pending.dataset_id, chunk)
        found.update(created)
        pending.items_created.extend(created.values())
        after_chunk(0, 0)
    return found


def _nullable(values: pd.Series) -> list[Any]:
    return values.astype(object).where(values.notna(), None).tolist()


def _rows(batch_id: int, frame: pd.DataFrame, item_ids: np.ndarray) -> list[dict[str, Any]]:
    """One chunk of the long table as insert parameters (only this chunk becomes objects)."""
    created = frame["created_at"]
    stamps = [None if pd.isna(v) else v.to_pydatetime() for v in created]
    columns = {
        "item_id": item_ids.tolist(),
        "annotator": frame["annotator"].astype(str).tolist(),
        "label": frame["label"].astype(str).tolist(),
        "original_label": _nullable(frame["original_label"]),
        "dimension": frame["dimension"].fillna("").astype(str).tolist(),
        "created_at": stamps,
        "gold": frame["gold"].astype(bool).tolist(),
        "span_start": _nullable(frame["start"]),
        "span_end": _nullable(frame["end"]),
    }
    names = list(columns)
    return [
        {"batch_id": batch_id, **dict(zip(names, values, strict=True))}
        for values in zip(*(columns[n] for n in names), strict=True)
    ]


def write_annotations(
    engine: Engine,
    pending: Pending,
    frame: pd.DataFrame,
    item_ids: np.ndarray,
    *,
    chunk_size: int,
    progress: Progress,
    after_chunk: AfterChunk,
) -> None:
    """The annotations, ``chunk_size`` rows per transaction, in the file's order."""
    total = len(frame)
    for start in range(0, total, chunk_size):
        stop = min(start + chunk_size, total)
        rows = _rows(pending.batch_id, frame.iloc[start:stop], item_ids[start:stop])
        with session_scope(engine) as session:
            session.execute(insert(ANNOTATIONS), rows)
            session.commit()
        del rows
        progress("writing annotations", stop, total)
        after_chunk(stop, total)


def publish(engine: Engine, batch_id: int, record: Callable[[Session], object]) -> None:
    """Make the batch visible to every read, with its audit event, in one short transaction."""
    with session_scope(engine) as session:
        session.execute(
            update(AnnotationBatch)
            .where(col(AnnotationBatch.id) == batch_id)
            .values(status=IMPORTED, imported_at=utcnow())
        )
        record(session)
        session.commit()


def _unreferenced(candidates: Any) -> Any:
    """Items among ``candidates`` that no annotation, escalation or decision points at."""
    return candidates.where(
        ~exists().where(col(Annotation.item_id) == col(Item.id)),
        ~exists().where(col(Escalation.item_id) == col(Item.id)),
        ~exists().where(col(DecisionItem.item_id) == col(Item.id)),
    )


def _delete_annotations(engine: Engine, batch_id: int, chunk_size: int) -> None:
    while True:
        with session_scope(engine) as session:
            ids = session.exec(
                select(Annotation.id).where(Annotation.batch_id == batch_id).limit(chunk_size)
            ).all()
            if not ids:
                return
            session.execute(delete(ANNOTATIONS).where(col(Annotation.id).in_(ids)))
            session.commit()


def _delete_items(engine: Engine, candidates: Any, chunk_size: int) -> None:
    """Delete the unreferenced items ``candidates`` selects, a chunk per transaction."""
    while True:
        with session_scope(engine) as session:
            ids = session.exec(_unreferenced(candidates).limit(chunk_size)).all()
            if not ids:
                return
            session.execute(delete(ITEMS).where(col(Item.id).in_(ids)))
            session.commit()


def _delete_dataset_if_empty(engine: Engine, dataset_id: int) -> None:
    with session_scope(engine) as session:
        session.execute(
            delete(Dataset).where(
                col(Dataset.id) == dataset_id,
                ~exists().where(col(Item.dataset_id) == dataset_id),
                ~exists().where(col(AnnotationBatch.dataset_id) == dataset_id),
            )
        )
        session.commit()


def _delete_batch(engine: Engine, batch_id: int, chunk_size: int) -> None:
    _delete_annotations(engine, batch_id, chunk_size)
    with session_scope(engine) as session:
        session.execute(delete(BatchFigures).where(col(BatchFigures.batch_id) == batch_id))
        session.execute(delete(AnnotationBatch).where(col(AnnotationBatch.id) == batch_id))
        session.commit()


def discard(engine: Engine, pending: Pending, *, chunk_size: int = CHUNK) -> None:
    """Take back everything a failed import wrote: its annotations, batch, new items, dataset."""
    _delete_batch(engine, pending.batch_id, chunk_size)
    for chunk in _chunks(pending.items_created, LOOKUP_CHUNK):
        _delete_items(engine, select(Item.id).where(col(Item.id).in_(chunk)), chunk_size)
    if pending.dataset_created:
        _delete_dataset_if_empty(engine, pending.dataset_id)


def abandoned_imports(
    session: Session, *, older_than: timedelta = ABANDONED_AFTER
) -> list[AnnotationBatch]:
    """Batches still ``importing`` that began longer ago than ``older_than``: the process
    that wrote them stopped (killed, restarted) before it could finish or take them back."""
    cutoff = utcnow() - older_than
    return list(
        session.exec(
            select(AnnotationBatch)
            .where(AnnotationBatch.status == IMPORTING, col(AnnotationBatch.imported_at) < cutoff)
            .order_by(col(AnnotationBatch.id))
        ).all()
    )


def discard_abandoned(
    engine: Engine, *, older_than: timedelta = ABANDONED_AFTER, chunk_size: int = CHUNK
) -> list[int]:
    """Delete the abandoned imports (their annotations, and the items they created that
    nothing else uses); the ids of the batches deleted. Safe to run beside the app."""
    with session_scope(engine, write=False) as session:
        found = [
            (b.id or 0, b.dataset_id, b.imported_at)
            for b in abandoned_imports(session, older_than=older_than)
        ]
    for batch_id, dataset_id, began in found:
        _delete_batch(engine, batch_id, chunk_size)
        created = select(Item.id).where(
            Item.dataset_id == dataset_id,
            col(Item.created_by).is_(None),
            col(Item.created_at) >= began,
        )
        _delete_items(engine, created, chunk_size)
    return [batch_id for batch_id, _, _ in found]
