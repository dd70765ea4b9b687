"""The one use case that imports an annotation file: the batch, then its figures.

The upload page (through a background job), ``POST /api/v1/annotation-batches`` and
``guidelines import`` all call ``import_batch``, so a batch is never left without its
agreement figures depending on how it arrived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from sqlmodel import Session

from guidelines_app.services.annotations import importing
from guidelines_app.services.annotations import stored as agreement
from guidelines_app.services.annotations.importing import ImportOutcome, Progress
from guidelines_app.services.annotations.writing import CHUNK, AfterChunk
from guidelines_app.store import ContentStore

#: The stage reported while the figures are computed, after the batch is committed.
COMPUTING = "computing agreement"


@dataclass(frozen=True)
class ImportOptions:
    """What a person or tool says about a file: everything but its bytes."""

    dataset: str
    file_name: str
    format: str = "auto"
    guideline: str | None = None
    release: int | None = None
    taxonomy: str | None = None
    map_labels: bool = False
    importer_id: int | None = None
    doccano_annotator: str = ""
    columns: Mapping[str, str] | None = None
    job_id: int | None = None  # the background import writing the batch, if any


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def _nothing_after(_done: int, _total: int) -> None:
    return None


def import_batch(
    *,
    session: Session,
    store: ContentStore,
    data: bytes | IO[bytes],
    options: ImportOptions,
    progress: Progress = _no_progress,
    chunk_size: int = CHUNK,
    after_chunk: AfterChunk = _nothing_after,
) -> ImportOutcome:
    """Import one file as a batch (all rows or none), then compute and keep its figures.

    The batch is written first, ``chunk_size`` rows per short transaction, and seen by
    reads only once complete; the figures are a cache of it, kept per dimension after.
    Raises what ``import_annotations`` raises on bad input (422, 413, 409), before
    anything is written.
    """
    outcome = importing.import_annotations(
        session=session,
        store=store,
        data=data,
        file_name=options.file_name,
        dataset=options.dataset,
        format=options.format,
        guideline=options.guideline,
        release=options.release,
        taxonomy=options.taxonomy,
        map_labels=options.map_labels,
        importer_id=options.importer_id,
        doccano_annotator=options.doccano_annotator,
        columns=options.columns,
        progress=progress,
        job_id=options.job_id,
        chunk_size=chunk_size,
        after_chunk=after_chunk,
    )
    progress(COMPUTING, 0, 0)
    batch_id = outcome.batch.id or 0
    if outcome.frame is not None:
        agreement.keep_figures(
            engine=session.get_bind().engine, batch_id=batch_id, frame=outcome.frame
        )
    else:
        agreement.precompute(session=session, batch_id=batch_id)
    return ImportOutcome(outcome.batch, outcome.warnings)
