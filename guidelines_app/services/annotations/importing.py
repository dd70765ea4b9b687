"""Importing annotation files as batches: one transaction per file, all rows or none.

The file is read and checked completely before the database is touched (format,
labels against the taxonomy, lengths, formula-like values, a file imported before);
then the dataset, the missing items, the batch and its annotations are written in one
transaction with bulk inserts in chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

import pandas as pd
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from guidelines_app.db import saved_id, utcnow
from guidelines_app.domain.errors import Conflict, NotFound
from guidelines_app.domain.formats.annotations import AnnotationFile
from guidelines_app.models import (
    Annotation,
    AnnotationBatch,
    AnnotationImport,
    Dataset,
    Item,
    User,
)
from guidelines_app.services import audit
from guidelines_app.services.annotations import context as annotation_context
from guidelines_app.services.annotations.checks import check_dataset_slug, read_file
from guidelines_app.store import ContentStore

CHUNK = 10_000
LOOKUP_CHUNK = 900

Progress = Callable[[str, int, int], None]
# Core tables: bulk inserts through them skip the ORM's per-row bookkeeping.
ITEMS = Item.__table__  # type: ignore[attr-defined]
ANNOTATIONS = Annotation.__table__  # type: ignore[attr-defined]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class ImportOutcome:
    batch: AnnotationBatch
    warnings: list[str]


def find_duplicate(session: Session, dataset: str, sha256: str) -> AnnotationBatch | None:
    return session.exec(
        select(AnnotationBatch)
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(Dataset.slug == dataset, AnnotationBatch.sha256 == sha256)
    ).first()


def duplicate_conflict(batch: AnnotationBatch, dataset: str) -> Conflict:
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
) -> ImportOutcome:
    """Read, check and store one file as a batch; raises before writing anything on bad input.

    Raises InvalidInput (422: unreadable file, unknown labels, unknown guideline, release
    or taxonomy), TooLarge (413) and Conflict (409: the same file in the same dataset).
    ``job_id`` is the background import this runs for: its row names the batch in the
    batch's own transaction, so no one sees the batch without knowing it is still being
    imported (its figures follow), and a removal can refuse it meanwhile.
    """
    dataset = check_dataset_slug(dataset)
    file_name = (file_name or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:500]
    progress("reading the file", 0, 0)
    parsed = read_file(
        data, file_name=file_name, format=format, annotator=doccano_annotator, columns=columns
    )
    frame = parsed.annotations
    progress("checking labels against the taxonomy", 0, len(frame))
    earlier = find_duplicate(session, dataset, parsed.sha256)
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
    try:
        batch = _write(session, parsed, frame, dataset, context, n_mapped, importer_id, progress)
        batch.file_name = file_name
        audit.record(
            session,
            actor_id=importer_id,
            action="annotations.import",
            object_type="annotation_batch",
            object_id=batch.id or 0,
            summary=f"imported {batch.n_annotations:,} annotations from {file_name} into {dataset}",
            detail={"sha256": parsed.sha256, "format": parsed.format},
        )
        if job_id is not None:
            session.execute(
                update(AnnotationImport)
                .where(col(AnnotationImport.id) == job_id)
                .values(batch_id=batch.id)
            )
        session.commit()
    except IntegrityError:
        session.rollback()
        earlier = find_duplicate(session, dataset, parsed.sha256)
        if earlier is not None:
            raise duplicate_conflict(earlier, dataset) from None
        raise
    except BaseException:
        session.rollback()
        raise
    return ImportOutcome(batch, parsed.warnings + context.notes)


def _dataset(session: Session, slug: str) -> Dataset:
    found = session.exec(select(Dataset).where(Dataset.slug == slug)).first()
    if found is None:
        found = Dataset(slug=slug, name=slug)
        session.add(found)
        session.flush()
    return found


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def item_ids(
    session: Session, dataset: Dataset, parsed: AnnotationFile, external_ids: list[str]
) -> dict[str, int]:
    """Item ids by external id, creating the items this dataset does not have yet."""
    found: dict[str, int] = {}
    for chunk in _chunks(external_ids, LOOKUP_CHUNK):
        rows = session.exec(
            select(Item.external_id, Item.id).where(
                Item.dataset_id == dataset.id, col(Item.external_id).in_(chunk)
            )
        )
        found.update({external_id: item_id or 0 for external_id, item_id in rows})
    missing = [external_id for external_id in external_ids if external_id not in found]
    now = utcnow()
    rows_to_add = []
    for external_id in missing:
        snapshot = parsed.items.get(external_id) or None
        text = snapshot.get("text") if snapshot else None
        rows_to_add.append(
            {
                "dataset_id": dataset.id,
                "external_id": external_id,
                "text": text if isinstance(text, str) else None,
                "payload": snapshot,
                "media_url": None,
                "meta": {},
                "created_at": now,
                "created_by": None,
            }
        )
    for chunk in _chunks(rows_to_add, CHUNK):
        session.execute(insert(ITEMS), chunk)
    for chunk in _chunks(missing, LOOKUP_CHUNK):
        rows = session.exec(
            select(Item.external_id, Item.id).where(
                Item.dataset_id == dataset.id, col(Item.external_id).in_(chunk)
            )
        )
        found.update({external_id: item_id or 0 for external_id, item_id in rows})
    return found


def _nullable(series: pd.Series) -> list[Any]:
    return series.astype(object).where(series.notna(), None).tolist()


def _write(
    session: Session,
    parsed: AnnotationFile,
    frame: pd.DataFrame,
    dataset_slug: str,
    context: annotation_context.BatchContext,
    n_mapped: int,
    importer_id: int | None,
    progress: Progress,
) -> AnnotationBatch:
    total = len(frame)
    progress("writing items", 0, total)
    dataset = _dataset(session, dataset_slug)
    external = frame["item"].astype(str)
    ids = item_ids(session, dataset, parsed, list(pd.unique(external)))
    dated = frame["created_at"].dropna()
    notes = list(dict.fromkeys(context.notes))
    batch = AnnotationBatch(
        dataset_id=saved_id(dataset),
        source_format=parsed.format,
        file_name="",
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
        n_annotations=total,
        n_items=len(ids),
        n_annotators=int(frame["annotator"].nunique()),
        n_mapped=n_mapped,
        notes=notes,
    )
    return _insert_batch(session, batch, frame, external, ids, progress)


def _insert_batch(
    session: Session,
    batch: AnnotationBatch,
    frame: pd.DataFrame,
    external: pd.Series,
    ids: dict[str, int],
    progress: Progress,
) -> AnnotationBatch:
    session.add(batch)
    session.flush()
    total = len(frame)
    created = frame["created_at"].astype(object).where(frame["created_at"].notna(), None)
    columns = {
        "batch_id": [batch.id] * total,
        "item_id": external.map(ids).tolist(),
        "annotator": frame["annotator"].astype(str).tolist(),
        "label": frame["label"].astype(str).tolist(),
        "original_label": _nullable(frame["original_label"]),
        "dimension": frame["dimension"].fillna("").astype(str).tolist(),
        "created_at": [None if v is None else v.to_pydatetime() for v in created],
        "gold": frame["gold"].astype(bool).tolist(),
        "span_start": _nullable(frame["start"]),
        "span_end": _nullable(frame["end"]),
    }
    names = list(columns)
    for start in range(0, total, CHUNK):
        stop = min(start + CHUNK, total)
        rows = [
            dict(zip(names, values, strict=True))
            for values in zip(*(columns[n][start:stop] for n in names), strict=True)
        ]
        session.execute(insert(ANNOTATIONS), rows)
        progress("writing annotations", stop, total)
    return batch


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
        .order_by(col(AnnotationBatch.id).desc())
        .limit(limit)
    )
    return list(rows)


def get_batch(session: Session, batch_id: int) -> tuple[AnnotationBatch, str]:
    row = session.exec(
        select(AnnotationBatch, Dataset.slug)
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(AnnotationBatch.id == batch_id)
    ).first()
    if row is None:
        raise NotFound(f"no annotation batch #{batch_id}")
    return row


def count_batches(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AnnotationBatch)).one())


def annotations_of_item(
    session: Session, item_id: int, *, limit: int = 500
) -> list[tuple[Annotation, AnnotationBatch]]:
    """An item's annotations with their batches, newest batch first (for the item page)."""
    rows = session.exec(
        select(Annotation, AnnotationBatch)
        .join(AnnotationBatch, col(AnnotationBatch.id) == col(Annotation.batch_id))
        .where(Annotation.item_id == item_id)
        .order_by(col(AnnotationBatch.id).desc(), col(Annotation.id))
        .limit(limit)
    )
    return list(rows)
