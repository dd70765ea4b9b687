"""Importing annotation files as batches: all rows or none, in short transactions.

The file is read and checked completely before the database is touched (format,
labels against the taxonomy, lengths, formula-like values, a file imported before);
then ``writing`` stores the batch as ``importing`` (invisible to every read below),
its new items and annotations a chunk per transaction, and makes it ``imported`` last.
Every query here on batches and annotations sees imported batches only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from guidelines_app.db import session_scope
from guidelines_app.domain.errors import Conflict, NotFound
from guidelines_app.domain.formats.annotations import AnnotationFile
from guidelines_app.models import Annotation, AnnotationBatch, Dataset, User
from guidelines_app.services import audit
from guidelines_app.services.annotations import context as annotation_context
from guidelines_app.services.annotations import writing
from guidelines_app.services.annotations.checks import check_dataset_slug, read_file
from guidelines_app.services.annotations.writing import CHUNK, IMPORTING, AfterChunk
from guidelines_app.store import ContentStore

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
#: The condition every read of batches adds: a batch still being written is not there yet.
VISIBLE = col(AnnotationBatch.status) != IMPORTING


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def _nothing_after(_done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class ImportOutcome:
    batch: AnnotationBatch
    warnings: list[str]
    #: The table that was written (labels as stored), for figures without reading it back.
    frame: pd.DataFrame | None = None


def find_duplicate(session: Session, dataset: str, sha256: str) -> AnnotationBatch | None:
    return session.exec(
        select(AnnotationBatch)
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(Dataset.slug == dataset, AnnotationBatch.sha256 == sha256)
    ).first()


def duplicate_conflict(batch: AnnotationBatch, dataset: str) -> Conflict:
    if batch.status == IMPORTING:
        return Conflict(
            f"this file is being imported into {dataset} (batch #{batch.id}, begun "
            f"{batch.imported_at:%Y-%m-%d %H:%M} UTC); wait for that import to finish"
        )
    return Conflict(
        f"this file was already imported into {dataset} as batch #{batch.id} "
        f"({batch.file_name}, {batch.imported_at:%Y-%m-%d %H:%M} UTC)"
    )


def import_annotations(
    *,
    session: Session,
    store: ContentStore,
    data: bytes | IO[bytes],
    file_name: str,
    dataset: str,
    format: str = "auto",
    guideline: str | None = None,
    release: int | None = None,
    taxonomy: str | None = None,
    map_labels: bool = False,
    importer_id: int | None = None,
    doccano_annotator: str = "",
    columns: Mapping[str, str] | None = None,
    progress: Progress = _no_progress,
    job_id: int | None = None,
    chunk_size: int = CHUNK,
    after_chunk: AfterChunk = _nothing_after,
) -> ImportOutcome:
    """Read, check and store one file as a batch; raises before writing anything on bad input.

    Raises InvalidInput (422: unreadable file, unknown labels, unknown guideline, release
    or taxonomy), TooLarge (413) and Conflict (409: the same file in the same dataset).
    The rows are written ``chunk_size`` at a time, each chunk in its own short transaction
    (``writing``), so the caller's ``session`` is committed first and holds no lock
    meanwhile; ``after_chunk`` is called between chunks. The batch is returned detached.
    ``job_id`` is the background import this runs for: its row names the batch in the
    transaction that creates the batch, so a removal can refuse it while it is imported.
    """
    session.commit()  # the caller's transaction must not hold the lock the chunks need
    checked = check_annotations(
        session=session,
        store=store,
        data=data,
        file_name=file_name,
        dataset=dataset,
        format=format,
        guideline=guideline,
        release=release,
        taxonomy=taxonomy,
        map_labels=map_labels,
        doccano_annotator=doccano_annotator,
        columns=columns,
        progress=progress,
    )
    engine = session.get_bind().engine
    batch_id = write_checked(
        engine,
        checked,
        importer_id,
        progress,
        chunk_size=chunk_size,
        after_chunk=after_chunk,
        job_id=job_id,
    )
    with session_scope(engine, write=False) as reading:  # ``session`` stays out of a transaction
        batch = reading.get(AnnotationBatch, batch_id)
        assert batch is not None
        reading.expunge(batch)
    return ImportOutcome(batch, checked.warnings, checked.frame)


@dataclass
class CheckedFile:
    """A file read and checked against its context: what the writing needs, nothing more."""

    parsed: AnnotationFile
    frame: pd.DataFrame
    dataset: str
    file_name: str
    context: annotation_context.BatchContext
    n_mapped: int

    @property
    def warnings(self) -> list[str]:
        return self.parsed.warnings + self.context.notes


def check_annotations(
    *,
    session: Session,
    store: ContentStore,
    data: bytes | IO[bytes],
    file_name: str,
    dataset: str,
    format: str = "auto",
    guideline: str | None = None,
    release: int | None = None,
    taxonomy: str | None = None,
    map_labels: bool = False,
    doccano_annotator: str = "",
    columns: Mapping[str, str] | None = None,
    progress: Progress = _no_progress,
) -> CheckedFile:
    """Everything that can refuse a file, before anything is written (see import_annotations)."""
    dataset = check_dataset_slug(dataset)
    file_name = (file_name or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:500]
    progress("reading the file", 0, 0)
    parsed = read_file(
        data, file_name=file_name, format=format, annotator=doccano_annotator, columns=columns
    )
    frame = parsed.annotations
    progress("checking labels against the taxonomy", 0, len(frame))
    with session_scope(session.get_bind().engine, write=False) as reading:  # takes no lock
        earlier = find_duplicate(reading, dataset, parsed.sha256)
    if earlier is not None:
        raise duplicate_conflict(earlier, dataset)
    context = annotation_context.resolve(
        store=store,
        guideline=guideline or None,
        release=release,
        taxonomy=taxonomy or None,
        timestamps=frame["created_at"],
    )
    labels, originals, n_mapped = annotation_context.check_labels(
        frame["label"].astype(str), context, map_labels=map_labels, filename=file_name
    )
    frame = frame.assign(label=labels, original_label=originals)
    parsed.annotations = frame  # one table, not two: the reader's is let go
    return CheckedFile(parsed, frame, dataset, file_name, context, n_mapped)


def _new_batch(checked: CheckedFile, dataset_id: int, importer_id: int | None) -> AnnotationBatch:
    frame, context, parsed = checked.frame, checked.context, checked.parsed
    dated = frame["created_at"].dropna()
    return AnnotationBatch(
        dataset_id=dataset_id,
        source_format=parsed.format,
        file_name=checked.file_name,
        sha256=parsed.sha256,
        importer_id=importer_id,
        guideline=context.guideline,
        guideline_version=context.release.version if context.release else None,
        guideline_commit=context.release.commit_id if context.release else None,
        release_rule=context.rule.value,
        taxonomy=context.taxonomy,
        taxonomy_commit=context.taxonomy_commit,
        first_annotated_at=dated.min().to_pydatetime() if len(dated) else None,
        last_annotated_at=dated.max().to_pydatetime() if len(dated) else None,
        n_annotations=len(frame),
        n_items=int(frame["item"].nunique()),
        n_annotators=int(frame["annotator"].nunique()),
        n_mapped=checked.n_mapped,
        notes=list(dict.fromkeys(context.notes)),
    )


def write_checked(
    engine: Engine,
    checked: CheckedFile,
    importer_id: int | None,
    progress: Progress = _no_progress,
    *,
    chunk_size: int = CHUNK,
    after_chunk: AfterChunk = _nothing_after,
    job_id: int | None = None,
) -> int:
    """Write a checked file as a batch in short transactions; its id. All rows or none:
    on any failure (or interruption) what was written is deleted before raising."""
    total = len(checked.frame)
    progress("writing items", 0, total)
    dataset_id, dataset_created = writing.ensure_dataset(engine, checked.dataset)
    try:
        batch_id = writing.create_batch(
            engine, _new_batch(checked, dataset_id, importer_id), job_id=job_id
        )
    except IntegrityError:
        if dataset_created:
            writing.discard(engine, writing.Pending(0, dataset_id, True, []))
        with session_scope(engine, write=False) as session:
            earlier = find_duplicate(session, checked.dataset, checked.parsed.sha256)
        if earlier is not None:
            raise duplicate_conflict(earlier, checked.dataset) from None
        raise
    pending = writing.Pending(batch_id, dataset_id, dataset_created, [])
    try:
        external = checked.frame["item"].astype(str)
        codes, uniques = pd.factorize(external)
        ids = writing.write_items(
            engine,
            pending,
            list(uniques),
            checked.parsed.items,
            chunk_size=chunk_size,
            after_chunk=after_chunk,
        )
        by_code = np.fromiter((ids[u] for u in uniques), dtype=np.int64, count=len(uniques))
        del external, uniques, ids
        writing.write_annotations(
            engine,
            pending,
            checked.frame,
            by_code[codes],
            chunk_size=chunk_size,
            progress=progress,
            after_chunk=after_chunk,
        )
        writing.publish(
            engine, batch_id, lambda session: _audit(session, checked, batch_id, importer_id)
        )
    except BaseException:
        try:
            writing.discard(engine, pending, chunk_size=chunk_size)
        except Exception:  # the first error is the one to report; this one is logged
            log.exception("batch #%s was not taken back: discard_abandoned will", batch_id)
        raise
    return batch_id


def _audit(session: Session, checked: CheckedFile, batch_id: int, importer_id: int | None) -> None:
    audit.record(
        session,
        actor_id=importer_id,
        action="annotations.import",
        object_type="annotation_batch",
        object_id=batch_id,
        summary=(
            f"imported {len(checked.frame):,} annotations from {checked.file_name} "
            f"into {checked.dataset}"
        ),
        detail={"sha256": checked.parsed.sha256, "format": checked.parsed.format},
    )


def importer_id_for(session: Session, username: str | None) -> int | None:
    if not username:
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user.id


def list_batches(session: Session, *, limit: int = 200) -> list[tuple[AnnotationBatch, str]]:
    rows = session.exec(
        select(AnnotationBatch, Dataset.slug)
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(VISIBLE)
        .order_by(col(AnnotationBatch.id).desc())
        .limit(limit)
    )
    return list(rows)


def get_batch(session: Session, batch_id: int) -> tuple[AnnotationBatch, str]:
    row = session.exec(
        select(AnnotationBatch, Dataset.slug)
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(AnnotationBatch.id == batch_id, VISIBLE)
    ).first()
    if row is None:
        raise NotFound(f"no annotation batch #{batch_id}")
    return row


def count_batches(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AnnotationBatch).where(VISIBLE)).one())


def annotations_of_item(
    session: Session, item_id: int, *, limit: int = 500
) -> list[tuple[Annotation, AnnotationBatch]]:
    """An item's annotations with their batches, newest batch first (for the item page)."""
    rows = session.exec(
        select(Annotation, AnnotationBatch)
        .join(AnnotationBatch, col(AnnotationBatch.id) == col(Annotation.batch_id))
        .where(Annotation.item_id == item_id, VISIBLE)
        .order_by(col(AnnotationBatch.id).desc(), col(Annotation.id))
        .limit(limit)
    )
    return list(rows)
