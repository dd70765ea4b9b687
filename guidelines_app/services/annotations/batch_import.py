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


def import_batch(
    *,
    session: Session,
    store: ContentStore,
    data: bytes | IO[bytes],
    options: ImportOptions,
    progress: Progress = _no_progress,
) -> ImportOutcome:
    """Import one file as a batch (all rows or none), then compute and keep its figures.

    The batch is committed first, in one transaction; the figures are a cache of it,
    committed per dimension after. Raises what ``import_annotations`` raises on bad input
    (422, 413, 409), before anything is written.
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
    )
    progress(COMPUTING, 0, 0)
    agreement.precompute(session=session, batch_id=outcome.batch.id or 0)
    return outcome
