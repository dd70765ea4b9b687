"""Uploads processed in the background: a row in ``annotation_imports`` the page polls.

The upload is saved to a file in the data folder first; a thread then runs the same
use case as ``guidelines import`` (``import_batch``: the batch in short transactions,
then its figures) and records each stage, and the rows written after each chunk, on
the row. The row names the batch in the transaction that creates it, so until the job
ends (its figures computed) ``running_import`` finds it and the batch cannot be removed
under it. The uploaded file is deleted in every case.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from guidelines_app.db import saved_id, session_scope, utcnow
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
INTERRUPTED = (
    "The import stopped without finishing (was the server restarted?). "
    "Nothing from this file was imported: upload it again."
)


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
    if _is_unfinished(job) and not _alive(job):
        job.status, job.stage = ImportStatus.FAILED.value, "interrupted"
        job.message = INTERRUPTED
    return job


def _is_unfinished(job: AnnotationImport) -> bool:
    return job.status in (ImportStatus.QUEUED.value, ImportStatus.RUNNING.value)


def _alive(job: AnnotationImport) -> bool:
    """Running in this process, or moved recently enough to be running in another one."""
    return job.id in _LIVE or utcnow() - job.updated_at <= STALE_AFTER


def running_import(session: Session, batch_id: int) -> AnnotationImport | None:
    """The background import still writing this batch (its figures, once the batch is
    committed), if any; an import that was interrupted (``get_job`` shows it so) is not."""
    jobs = session.exec(
        select(AnnotationImport).where(
            col(AnnotationImport.batch_id) == batch_id,
            col(AnnotationImport.status).in_(
                (ImportStatus.QUEUED.value, ImportStatus.RUNNING.value)
            ),
        )
    ).all()
    return next((job for job in jobs if _alive(job)), None)


def _unfinished(cutoff: datetime) -> Any:
    return (
        col(AnnotationImport.status).in_([ImportStatus.QUEUED.value, ImportStatus.RUNNING.value]),
        col(AnnotationImport.updated_at) < cutoff,
    )


def stuck_imports(engine: Engine, *, now: datetime | None = None) -> list[AnnotationImport]:
    """Imports still queued or running that have not moved for ``STALE_AFTER``: the process
    that ran them died (``guidelines check`` asks; a page shows them as interrupted)."""
    cutoff = (now or utcnow()) - STALE_AFTER
    with session_scope(engine, write=False) as session:
        rows = session.exec(
            select(AnnotationImport).where(*_unfinished(cutoff)).order_by(col(AnnotationImport.id))
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def live_imports_since(engine: Engine, *, now: datetime | None = None) -> datetime | None:
    """When the oldest import still alive (queued or running, not stuck) was created."""
    cutoff = (now or utcnow()) - STALE_AFTER
    with session_scope(engine, write=False) as session:
        return session.exec(
            select(func.min(AnnotationImport.created_at)).where(
                col(AnnotationImport.status).in_(
                    [ImportStatus.QUEUED.value, ImportStatus.RUNNING.value]
                ),
                col(AnnotationImport.updated_at) >= cutoff,
            )
        ).one()


def mark_interrupted(engine: Engine, *, now: datetime | None = None) -> list[int]:
    """Fail the stuck imports for good, as their pages already show them; their ids."""
    moment = now or utcnow()
    stuck = [saved_id(row) for row in stuck_imports(engine, now=moment)]
    if stuck:
        with session_scope(engine) as session:
            session.execute(
                update(AnnotationImport)
                .where(col(AnnotationImport.id).in_(stuck), *_unfinished(moment - STALE_AFTER))
                .values(
                    status=ImportStatus.FAILED.value,
                    stage="interrupted",
                    message=INTERRUPTED,
                    updated_at=moment,
                )
            )
            session.commit()
    return stuck


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
        own = dataclasses.replace(options, job_id=job_id)  # the job row names the batch
        with session_scope(engine) as session, path.open("rb") as handle:
            outcome = import_batch(
                session=session, store=store, data=handle, options=own, progress=progress
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
