"""Uploads processed in the background: a row in ``annotation_imports`` the page polls.

The upload is saved to a file in the data folder first; a thread then runs the same
use case as ``guidelines import`` (``import_batch``: the batch in short transactions,
then its figures) and records each stage, and the rows written after each chunk, on
the row. The uploaded file is deleted in every case.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from guidelines_app.db import session_scope, utcnow
from guidelines_app.domain.errors import AppError, InvalidInput, NotFound
from guidelines_app.models import AnnotationImport, ImportStatus
from guidelines_app.services.annotations import checks
from guidelines_app.services.annotations.batch_import import (
    ImportOptions,
    import_batch,
)
from guidelines_app.store import ContentStore

log = logging.getLogger(__name__)
StatusOf = Callable[[BaseException], int]
_LIVE: dict[int, tuple[str, int, int]] = {}
_LIVE_LOCK = threading.Lock()
#: A job that has not moved for this long while not running in this process was lost.
STALE_AFTER = timedelta(hours=1)


def create_job(*, session: Session, options: ImportOptions) -> AnnotationImport:
    checks.check_dataset_slug(options.dataset)
    job = AnnotationImport(
        dataset=options.dataset,
        file_name=options.file_name[:500],
        created_by=options.importer_id,
    )
    session.add(job)
    session.commit()
    return job


def get_job(session: Session, job_id: int) -> AnnotationImport:
    job = session.get(AnnotationImport, job_id)
    if job is None:
        raise NotFound(f"no import #{job_id}")
    session.refresh(job)
    session.expunge(job)  # the live figures below are for display, never written back
    live = _LIVE.get(job_id)
    if live is not None and job.status == ImportStatus.RUNNING.value:
        job.stage, job.done, job.total = live
    unfinished = job.status in (ImportStatus.QUEUED.value, ImportStatus.RUNNING.value)
    if unfinished and live is None and utcnow() - job.updated_at > STALE_AFTER:
        job.status, job.stage = ImportStatus.FAILED.value, "interrupted"
        job.message = (
            "The import stopped without finishing (was the server restarted?). "
            "Nothing from this file was imported: upload it again."
        )
    return job


def _update(engine: Engine, job_id: int, **values: Any) -> None:
    with session_scope(engine) as session:
        job = session.get(AnnotationImport, job_id)
        if job is None:
            return
        for key, value in values.items():
            setattr(job, key, value)
        job.updated_at = utcnow()
        session.commit()


def run_job(
    *,
    engine: Engine,
    store: ContentStore,
    job_id: int,
    path: Path,
    options: ImportOptions,
    status_of: StatusOf,
) -> None:
    """Run one import to its end, recording success or every problem on the job row.

    ``status_of`` is the web's answer to an error (errors carry no status), kept on the row
    so that the page that polls the job answers a refused import with it.
    """

    def progress(stage: str, done: int, total: int) -> None:
        with _LIVE_LOCK:
            _LIVE[job_id] = (stage, done, total)
        # Each chunk is its own short transaction, so the row moves between them and a
        # worker other than this one (the API's status endpoint) sees the progress.
        _update(engine, job_id, stage=stage, done=done, total=total)

    try:
        _update(engine, job_id, status=ImportStatus.RUNNING.value, stage="reading the file")
        with session_scope(engine) as session, path.open("rb") as handle:
            outcome = import_batch(
                session=session, store=store, data=handle, options=options, progress=progress
            )
            batch_id = outcome.batch.id
        _update(
            engine,
            job_id,
            status=ImportStatus.DONE.value,
            stage="done",
            batch_id=batch_id,
            message="\n".join(outcome.warnings),
        )
    except AppError as error:
        problems = [str(p) for p in error.problems] if isinstance(error, InvalidInput) else []
        _update(
            engine,
            job_id,
            status=ImportStatus.FAILED.value,
            stage="refused",
            message=error.message,
            problems=problems[:200],
            status_code=status_of(error),
        )
    except Exception:  # never leave a job running forever; the log has the trace
        log.exception("annotation import #%s failed", job_id)
        _update(
            engine,
            job_id,
            status=ImportStatus.FAILED.value,
            stage="failed",
            message="The import failed unexpectedly; nothing was imported. The error was logged.",
            status_code=500,
        )
    finally:
        with _LIVE_LOCK:
            _LIVE.pop(job_id, None)
        path.unlink(missing_ok=True)


def start(
    *,
    engine: Engine,
    store: ContentStore,
    job_id: int,
    path: Path,
    options: ImportOptions,
    status_of: StatusOf,
) -> threading.Thread:
    thread = threading.Thread(
        target=run_job,
        kwargs={
            "engine": engine,
            "store": store,
            "job_id": job_id,
            "path": path,
            "options": options,
            "status_of": status_of,
        },
        name=f"annotation-import-{job_id}",
        daemon=True,
    )
    thread.start()
    return thread
