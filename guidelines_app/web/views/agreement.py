"""Annotation batches and their agreement figures; uploads processed in the background."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain import refs
from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.multilabel import MULTILABEL_METRICS
from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats.annotations import ANNOTATION_FORMATS, FORMATS
from guidelines_app.models import ImportStatus, Role
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.services import documents
from guidelines_app.web import context, security, uploads
from guidelines_app.web.views._htmx import is_htmx, render_page_or_fragment

bp = Blueprint("agreement", __name__, url_prefix="/agreement")
FORM_FIELDS = ("dataset", "format", "guideline", "release", "taxonomy")


def _index_page(status: int = 200, **extra: object) -> ResponseReturnValue:
    session = context.db_session()
    batches = annotation_batches.list_batches(session)
    guidelines = documents.slugs(context.store(), documents.GUIDELINE)
    return (
        render_template(
            "agreement/index.html",
            batches=batches,
            formats=ANNOTATION_FORMATS,
            guidelines=guidelines,
            form=extra.pop("form", {}),
            **extra,
        ),
        status,
    )


@bp.get("")
@security.requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    return _index_page()


def upload_options(form: dict[str, str], file_name: str) -> annotation_batches.ImportOptions:
    """The upload form as import options; InvalidInput listing every field problem."""
    problems = []
    if not file_name:
        problems.append(Problem("choose a file to upload", path="file"))
    if form["format"] not in ("auto", *FORMATS):
        problems.append(Problem(f"unknown format {form['format']!r}", path="format"))
    release = None
    if form["release"]:
        release = refs.release_number(form["release"])
        if release is None:
            problems.append(Problem("a release looks like v3", path="release"))
    try:
        annotation_batches.check_dataset_slug(form["dataset"])
    except InvalidInput as error:
        problems += error.problems
    if problems:
        raise InvalidInput(problems=problems)
    return annotation_batches.ImportOptions(
        dataset=form["dataset"].strip(),
        file_name=file_name,
        format=form["format"],
        guideline=form["guideline"] or None,
        release=release,
        taxonomy=form["taxonomy"] or None,
        map_labels=request.form.get("map_labels") == "on",
        importer_id=current_user.user_id,
    )


@bp.post("/uploads")
@security.requires(Role.LEAD)
def create_upload() -> ResponseReturnValue:
    form = {key: request.form.get(key, "").strip() for key in FORM_FIELDS}
    form["format"] = form["format"] or "auto"
    upload = request.files.get("file")
    file_name = (upload.filename or "").strip() if upload else ""
    try:
        options = upload_options(form, file_name)
    except InvalidInput as error:
        return _index_page(422, errors=[str(p) for p in error.problems], form=form)
    try:
        path = uploads.save_upload(upload, file_name)  # type: ignore[arg-type]
    except InvalidInput as error:
        return _index_page(422, errors=[str(p) for p in error.problems], form=form)
    job = uploads.start_import(options, path)
    return redirect(url_for("agreement.upload", job_id=job.id), 303)


@bp.get("/uploads/<id:job_id>")
@security.requires(Role.LEAD)
def upload(job_id: int) -> ResponseReturnValue:
    job = annotation_batches.get_job(context.db_session(), job_id)
    finished = job.status in (ImportStatus.DONE.value, ImportStatus.FAILED.value)
    if is_htmx() and finished:
        target = url_for("agreement.batch", batch_id=job.batch_id) if job.batch_id else None
        header = (
            {"HX-Redirect": target} if target and job.status == "done" else {"HX-Refresh": "true"}
        )
        return "", 200, header
    code = job.status_code or 0
    status = code if job.status == ImportStatus.FAILED.value and 400 <= code < 500 else 200
    body = render_page_or_fragment("agreement/upload.html", "agreement/_progress.html", job=job)
    return body, status, {"Vary": "HX-Request"}


@bp.post("/batches/<id:batch_id>/release")
@security.requires(Role.LEAD)
def set_release(batch_id: int) -> ResponseReturnValue:
    """Override the release a batch counts under (or infer it from timestamps again)."""
    updated = annotation_batches.set_batch_release(
        session=context.db_session(),
        store=context.store(),
        batch_id=batch_id,
        release=request.form.get("release", "")[:20],
        actor_id=current_user.user_id,
    )
    version = f"v{updated.guideline_version}" if updated.guideline_version else "no release"
    flash(f"Batch #{batch_id} now counts under {version} ({updated.release_rule}).", "success")
    return redirect(url_for("agreement.batch", batch_id=batch_id))


@bp.post("/batches/<id:batch_id>/remove")
@security.requires(Role.LEAD)
def remove(batch_id: int) -> ResponseReturnValue:
    """Remove a batch with its figures and dependent reports, once the box is ticked."""
    if request.form.get("confirm") != "yes":
        message = (
            "Nothing was removed: tick the box to confirm that this batch, its annotations "
            "and its figures should go."
        )
        return _batch_page(batch_id, status=422, errors=[message])
    try:
        removed = annotation_batches.remove_batch(
            session=context.db_session(), batch_id=batch_id, actor_id=current_user.user_id
        )
    except annotation_batches.BatchStillImporting as error:
        return _batch_page(batch_id, status=409, errors=[error.message])
    summary = removed.summary()
    flash(f"{summary[0].upper()}{summary[1:]}.", "success")
    return redirect(url_for("agreement.index"), 303)


def _batch_page(
    batch_id: int,
    *,
    dimension: str | None = None,
    status: int = 200,
    errors: list[str] | None = None,
) -> ResponseReturnValue:
    report = annotation_batches.batch_figures(
        session=context.db_session(), batch_id=batch_id, dimension=dimension
    )
    page = render_template(
        "agreement/batch.html",
        report=report,
        figures=report.figures,
        metric_title=metrics.title,
        multilabel_metrics=MULTILABEL_METRICS,
        show_annotators=current_user.can(Role.LEAD),
        errors=errors or [],
    )
    return page, status


@bp.get("/batches/<id:batch_id>")
@security.requires(Role.VIEWER)
def batch(batch_id: int) -> ResponseReturnValue:
    return _batch_page(batch_id, dimension=request.args.get("dimension"))
