"""Taxonomies for tools: the label tree, semantic diff, migration map and exports."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from guidelines_app.domain import refs
from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Role
from guidelines_app.services import documents, taxonomies
from guidelines_app.services.documents import TAXONOMY
from guidelines_app.web import context, security

bp = Blueprint("taxonomies", __name__)


def _ref() -> str | None:
    release = request.args.get("release", "").strip()
    if release:
        return str(refs.release_ref(release))
    return request.args.get("rev", "").strip() or None


@bp.get("/taxonomies")
@security.requires(Role.VIEWER)
def taxonomy_index() -> ResponseReturnValue:
    entries = taxonomies.list_taxonomies(store=context.store())
    return jsonify(
        {
            "taxonomies": [
                {
                    "slug": e.slug,
                    "name": e.name,
                    "kind": e.kind,
                    "labels": e.label_count,
                    "latest_release": e.latest_release.version if e.latest_release else None,
                    "ahead": e.ahead,
                    "governed_by": [g.slug for g in e.governed_by],
                    "error": e.error,
                }
                for e in entries
            ]
        }
    )


@bp.get("/taxonomies/<slug>")
@security.requires(Role.VIEWER)
def taxonomy_show(slug: str) -> ResponseReturnValue:
    page = taxonomies.show(store=context.store(), slug=slug, ref=_ref())
    return jsonify(taxonomies.taxonomy_json(page))


def _change(slug: str) -> taxonomies.TaxonomyChange:
    documents.read(context.store(), TAXONOMY, slug)  # 404 for an unknown taxonomy first
    old, new = taxonomies.default_range(context.store(), slug)
    return taxonomies.compare(
        store=context.store(),
        slug=slug,
        old=request.args.get("from", "").strip() or old,
        new=request.args.get("to", "").strip() or new,
    )


@bp.get("/taxonomies/<slug>/diff")
@security.requires(Role.VIEWER)
def taxonomy_diff(slug: str) -> ResponseReturnValue:
    return jsonify(taxonomies.diff_json(_change(slug)))


@bp.get("/taxonomies/<slug>/migration")
@security.requires(Role.VIEWER)
def taxonomy_migration(slug: str) -> ResponseReturnValue:
    change = _change(slug)
    counts = taxonomies.annotation_counts(
        context.db_session(), slug, list(change.migration.entries)
    )
    return jsonify(taxonomies.migration_json(change, counts))


@bp.get("/taxonomies/<slug>/export")
@security.requires(Role.VIEWER)
def taxonomy_export(slug: str) -> ResponseReturnValue:
    fmt = request.args.get("to", "").strip()
    if not fmt:
        formats = ", ".join(taxonomies.EXPORT_FORMATS)
        raise InvalidInput(problems=[Problem(f"choose a format with ?to= (one of: {formats})")])
    result = taxonomies.export(store=context.store(), slug=slug, fmt=fmt, ref=_ref())
    return Response(
        result.text,
        content_type=result.media_type,
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )
