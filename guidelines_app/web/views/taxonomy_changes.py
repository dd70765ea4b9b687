"""Taxonomy pages about change and exchange: semantic diff, migration map, export, import.

Routes on the ``taxonomies`` blueprint (imported at the end of ``views.taxonomies``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats import EXPORT_KEYS, IMPORT_FORMATS
from guidelines_app.models import Role
from guidelines_app.services import documents, taxonomies
from guidelines_app.services.documents import TAXONOMY, EditConflict
from guidelines_app.web import context, security

#: Nested in the taxonomies blueprint: same URLs under /taxonomies, endpoints
#: ``taxonomies.changes.*``.
bp = Blueprint("changes", __name__)


def wants_json() -> bool:
    if request.args.get("format", "").lower() == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _range(slug: str) -> tuple[str, str]:
    old, new = taxonomies.default_range(context.store(), slug)
    return (
        request.args.get("from", "").strip() or old,
        request.args.get("to", "").strip() or new,
    )


def _compare(slug: str) -> taxonomies.TaxonomyChange:
    documents.read(context.store(), TAXONOMY, slug)  # 404 for an unknown taxonomy first
    old, new = _range(slug)
    return taxonomies.compare(store=context.store(), slug=slug, old=old, new=new)


@bp.get("/<slug>/diff")
@security.requires(Role.VIEWER)
def diff(slug: str) -> ResponseReturnValue:
    change = _compare(slug)
    if wants_json():
        return jsonify(taxonomies.diff_json(change))
    releases = documents.releases(context.store(), TAXONOMY, slug)
    return render_template(
        "taxonomies/diff.html", slug=slug, change=change, diff=change.diff, releases=releases
    )


@bp.get("/<slug>/migration")
@security.requires(Role.VIEWER)
def migration(slug: str) -> ResponseReturnValue:
    change = _compare(slug)
    counts = taxonomies.annotation_counts(
        context.db_session(), slug, list(change.migration.entries)
    )
    if wants_json():
        return jsonify(taxonomies.migration_json(change, counts))
    releases = documents.releases(context.store(), TAXONOMY, slug)
    return render_template(
        "taxonomies/migration.html",
        slug=slug,
        change=change,
        counts=counts,
        releases=releases,
        old_labels=change.diff.old.by_id(),
        new_labels=change.diff.new.by_id(),
    )


@bp.get("/<slug>/export")
@security.requires(Role.VIEWER)
def export(slug: str) -> ResponseReturnValue:
    if not request.args.get("to", "").strip():
        raise InvalidInput(
            problems=[Problem(f"choose a format with ?to= (one of: {', '.join(EXPORT_KEYS)})")]
        )
    result = taxonomies.export(
        store=context.store(),
        slug=slug,
        fmt=request.args["to"],
        ref=request.args.get("rev", "").strip() or request.args.get("release", "").strip() or None,
    )
    return Response(
        result.text,
        mimetype=None,
        content_type=result.media_type,
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )


def _import_page(status: int = 200, **extra: object) -> ResponseReturnValue:
    return (
        render_template(
            "taxonomies/import.html",
            formats=IMPORT_FORMATS,
            slugs=documents.slugs(context.store(), TAXONOMY),
            form=extra.pop("form", {}),
            **extra,
        ),
        status,
    )


@bp.get("/import")
@security.requires(Role.LEAD)
def import_form() -> ResponseReturnValue:
    return _import_page(form={"slug": request.args.get("slug", "")})


@bp.post("/import")
@security.requires(Role.LEAD)
def import_upload() -> ResponseReturnValue:
    form = {key: request.form.get(key, "").strip() for key in ("slug", "format", "message")}
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput(problems=[Problem("choose a file to upload", "file")])
        result = taxonomies.import_taxonomy(
            session=context.db_session(),
            store=context.store(),
            slug=form["slug"],
            fmt=form["format"],
            data=upload.read(),
            author=documents.author_for(current_user.username, current_user.display_name),
            message=form["message"],
            actor_id=current_user.user_id,
        )
    except EditConflict as error:
        return _import_page(409, form=form, errors=[error.message])
    except InvalidInput as error:
        problems = [str(p) for p in error.problems] or [error.message]
        return _import_page(422, form=form, errors=problems)
    if not result.outcome.changed:
        flash("The file holds the same taxonomy: nothing changed.", "info")
        return redirect(url_for("taxonomies.show", slug=form["slug"]))
    flash(
        "Imported as a new taxonomy." if result.created else "Imported as a new revision.",
        "success",
    )
    commit = result.outcome.result.commit if result.outcome.result else None
    if result.created or commit is None or not commit.parents:
        return redirect(url_for("taxonomies.show", slug=form["slug"]))
    earlier: dict[str, Any] = {"from": commit.parents[0]}  # "from" is a keyword in Python
    return redirect(url_for("taxonomies.changes.diff", slug=form["slug"], to=commit.id, **earlier))
