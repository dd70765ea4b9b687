"""Annotation batches over the API: upload one (imported by a job, polled at
``/annotation-imports/<id>``), list, show, remove."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Role
from guidelines_app.models.schemas import (
    BatchCreated,
    BatchFiguresPublic,
    BatchList,
    BatchPublic,
    BatchUpload,
    ImportPublic,
)
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.services import documents
from guidelines_app.web import context, links, security, uploads
from guidelines_app.web.api.operations import Answer, Param, no_content, operation, path_id

#: Figures that name annotators: only for leads, as on the batch page.
PERSONAL = ("annotators", "pairwise_cohen_kappa", "pairwise_common_items")

bp = Blueprint("batches", __name__)


@bp.post("/annotation-batches")
@security.requires(Role.LEAD)
@operation(
    "Import an annotation file as one batch (lead), as a job: answers 202 with the job to "
    "poll; all of the file or nothing, figures computed. `?wait=true` imports before "
    "answering (201 with the batch), for small files",
    {
        201: BatchCreated,
        202: ImportPublic,
        409: "The same file was already imported into this dataset (with ?wait=true)",
        413: "The file or its decompressed content is too large",
        422: "The file is empty or a field is invalid; with ?wait=true also: the file cannot "
        "be read, or its labels are not in the taxonomy",
    },
    form=BatchUpload,
    files=("file",),
    params=(
        Param(
            "wait",
            description="true: import within the request and answer 201 with the batch",
            enum=("true", "false"),
        ),
    ),
)
def create_batch(
    form: BatchUpload,
) -> tuple[BatchCreated, int, dict[str, str]] | tuple[ImportPublic, int, dict[str, str]]:
    release = documents.parse_version(form.release) if form.release else None
    if form.release and release is None:
        raise InvalidInput(problems=[Problem("a release looks like v3", path="release")])
    upload = request.files["file"]
    options = annotation_batches.ImportOptions(
        dataset=form.dataset,
        file_name=upload.filename or "",
        format=form.format,
        guideline=form.guideline,
        release=release,
        taxonomy=form.taxonomy,
        map_labels=form.map_labels,
        importer_id=current_user.user_id,
        doccano_annotator=form.annotator,
    )
    if request.args.get("wait", "").lower() == "true":
        return _import_now(upload, options)
    annotation_batches.check_dataset_slug(options.dataset)
    path = uploads.save_upload(upload, options.file_name)
    job = uploads.start_import(options, path)
    body = ImportPublic.of(job)
    return body, 202, {"Location": body.url}


def _import_now(
    upload: FileStorage, options: annotation_batches.ImportOptions
) -> tuple[BatchCreated, int, dict[str, str]]:
    """The synchronous import tools relied on before jobs: the same chunked use case, in
    this request (so bound by the worker's timeout: for small files)."""
    outcome = annotation_batches.import_batch(
        session=context.db_session(), store=context.store(), data=upload.stream, options=options
    )
    batch, dataset = annotation_batches.get_batch(context.db_session(), outcome.batch.id or 0)
    body = BatchCreated(**BatchPublic.fields_of(batch, dataset), warnings=outcome.warnings)
    return body, 201, {"Location": links.public_url("api.batches.show_batch", batch_id=batch.id)}


@bp.get("/annotation-imports/<job_id>")
@security.requires(Role.LEAD)
@operation(
    "An import job (lead): its status and stage, rows done, the batch once done, every "
    "problem once refused",
    {200: ImportPublic, 404: "No such import"},
    params=(Param("job_id", "path", "integer"),),
)
def show_import(job_id: str) -> ImportPublic:
    job = annotation_batches.get_job(context.db_session(), path_id(job_id, "import"))
    return ImportPublic.of(job)


@bp.get("/annotation-batches")
@security.requires(Role.VIEWER)
@operation("Imported annotation batches, newest first", {200: BatchList})
def list_batches() -> BatchList:
    rows = annotation_batches.list_batches(context.db_session())
    return BatchList(batches=[BatchPublic.of(batch, dataset) for batch, dataset in rows])


@bp.get("/annotation-batches/<batch_id>")
@security.requires(Role.VIEWER)
@operation(
    "A batch with its agreement figures (annotator figures for leads only)",
    {
        200: BatchFiguresPublic,
        404: "No such batch",
        422: "No such dimension in the batch",
    },
    params=(
        Param("batch_id", "path", "integer"),
        Param("dimension", description="one dimension of a multi-dimension batch"),
    ),
)
def show_batch(batch_id: str) -> BatchFiguresPublic:
    report = annotation_batches.batch_figures(
        session=context.db_session(),
        batch_id=path_id(batch_id, "annotation batch"),
        dimension=request.args.get("dimension"),
    )
    figures = dict(report.figures)
    if not current_user.can(Role.LEAD):
        for key in PERSONAL:
            figures.pop(key, None)
    return BatchFiguresPublic(
        **BatchPublic.fields_of(report.batch, report.dataset),
        dimension=report.dimension,
        dimensions=report.dimensions,
        figures=figures,
    )


@bp.delete("/annotation-batches/<batch_id>")
@security.requires(Role.LEAD)
@operation(
    "Remove a batch (lead): its annotations, figures and the cached reports that counted it",
    {
        204: Answer("Removed, with an audit row; the items stay", media_types=()),
        404: "No such batch",
        409: "The batch's upload is still being imported",
    },
    params=(Param("batch_id", "path", "integer"),),
)
def remove_batch(batch_id: str) -> ResponseReturnValue:
    annotation_batches.remove_batch(
        session=context.db_session(),
        batch_id=path_id(batch_id, "annotation batch"),
        actor_id=current_user.user_id,
    )
    return no_content()
