"""Annotation batches over the API: upload one (imported with its figures), list, show."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.models import AnnotationBatch, Role
from guidelines_app.services import annotations, documents
from guidelines_app.web import context, security

#: Figures that name annotators: only for leads, as on the batch page.
PERSONAL = ("annotators", "pairwise_cohen_kappa", "pairwise_common_items")


bp = Blueprint("batches", __name__)


def batch_json(batch: AnnotationBatch, dataset: str) -> dict[str, Any]:
    return {
        "id": batch.id,
        "dataset": dataset,
        "file_name": batch.file_name,
        "source_format": batch.source_format,
        "sha256": batch.sha256,
        "imported_at": batch.imported_at.isoformat(),
        "guideline": batch.guideline,
        "guideline_version": batch.guideline_version,
        "guideline_commit": batch.guideline_commit,
        "release_rule": batch.release_rule,
        "taxonomy": batch.taxonomy,
        "taxonomy_commit": batch.taxonomy_commit,
        "first_annotated_at": _iso(batch.first_annotated_at),
        "last_annotated_at": _iso(batch.last_annotated_at),
        "counts": {
            "annotations": batch.n_annotations,
            "items": batch.n_items,
            "annotators": batch.n_annotators,
            "mapped": batch.n_mapped,
        },
        "notes": batch.notes,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@bp.post("/annotation-batches")
@security.requires(Role.LEAD)
def create_batch() -> ResponseReturnValue:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(problems=[Problem("a multipart field 'file' is required", path="file")])
    raw_release = request.form.get("release", "").strip()
    release = documents.parse_version(raw_release) if raw_release else None
    if raw_release and release is None:
        raise InvalidInput(problems=[Problem("a release looks like v3", path="release")])
    outcome = annotations.import_batch(
        session=context.db_session(),
        store=context.store(),
        data=upload.stream,
        options=annotations.ImportOptions(
            dataset=request.form.get("dataset", ""),
            file_name=upload.filename,
            format=request.form.get("format", "auto") or "auto",
            guideline=request.form.get("guideline") or None,
            release=release,
            taxonomy=request.form.get("taxonomy") or None,
            map_labels=request.form.get("map_labels", "").lower() in ("1", "true", "on", "yes"),
            importer_id=current_user.user_id,
            doccano_annotator=request.form.get("annotator", ""),
        ),
    )
    batch, dataset = annotations.get_batch(context.db_session(), outcome.batch.id or 0)
    body = batch_json(batch, dataset) | {"warnings": outcome.warnings}
    return jsonify(body), 201, {"Location": f"/api/v1/annotation-batches/{batch.id}"}


@bp.get("/annotation-batches")
@security.requires(Role.VIEWER)
def list_batches() -> ResponseReturnValue:
    rows = annotations.list_batches(context.db_session())
    return jsonify({"batches": [batch_json(batch, dataset) for batch, dataset in rows]})


@bp.get("/annotation-batches/<batch_id>")
@security.requires(Role.VIEWER)
def show_batch(batch_id: str) -> ResponseReturnValue:
    if not batch_id.isdigit() or len(batch_id) > 12:
        raise NotFound(f"no annotation batch {batch_id!r}")
    report = annotations.batch_figures(
        session=context.db_session(),
        batch_id=int(batch_id),
        dimension=request.args.get("dimension"),
    )
    figures = dict(report.figures)
    if not current_user.can(Role.LEAD):
        for key in PERSONAL:
            figures.pop(key, None)
    return jsonify(
        batch_json(report.batch, report.dataset)
        | {"dimension": report.dimension, "dimensions": report.dimensions, "figures": figures}
    )
