"""Annotation files sent by the upload page or the API: saved to the data folder, then
imported by the same background job, so no request waits for (or dies with) an import."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import AnnotationImport
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.web import context
from guidelines_app.web.errors import status_of


def save_upload(upload: FileStorage, file_name: str) -> Path:
    """The upload as a file of its own in ``<DATA_DIR>/uploads``; InvalidInput when empty."""
    folder = Path(current_app.config["DATA_DIR"]) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.upload"
    try:
        upload.save(path)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: let it go now
    if path.stat().st_size == 0:
        path.unlink()
        raise InvalidInput(problems=[Problem("the file is empty", path=file_name)])
    return path


def start_import(options: annotation_batches.ImportOptions, path: Path) -> AnnotationImport:
    """Record the job and run it in a thread of this worker; the saved file is its input
    (and is deleted when the job ends, or now if the job cannot be recorded)."""
    try:
        job = annotation_batches.create_job(session=context.db_session(), options=options)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    annotation_batches.start(
        engine=context.engine(),
        store=context.store(),
        job_id=job.id or 0,
        path=path,
        options=options,
        status_of=status_of,
    )
    return job
