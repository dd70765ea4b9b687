"""Taxonomies for tools: the label tree, semantic diff, migration map and exports."""

from __future__ import annotations

from flask import Blueprint, Response, request

from guidelines_app.domain import refs
from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats import EXPORT_FORMATS, EXPORT_KEYS
from guidelines_app.models import Role
from guidelines_app.models.schemas import (
    MigrationPublic,
    TaxonomyDiffPublic,
    TaxonomyList,
    TaxonomyPublic,
    TaxonomySummary,
)
from guidelines_app.services import documents, taxonomies
from guidelines_app.services.documents import TAXONOMY
from guidelines_app.web import context, security
from guidelines_app.web.api.operations import Answer, Param, operation

bp = Blueprint("taxonomies", __name__)

SLUG = Param("slug", "path", description="the taxonomy's slug")
REVISION = (
    Param("rev", description="a commit id or draft (the default)"),
    Param("release", description="a release: v2 or 2"),
)
RANGE = (
    Param("from", description="vN, draft or a commit id (default: the release in force)"),
    Param("to", description="vN, draft or a commit id (default: the draft)"),
)
UNKNOWN = "No such taxonomy or revision"


def _ref() -> str | None:
    release = request.args.get("release", "").strip()
    if release:
        return str(refs.release_ref(release))
    return request.args.get("rev", "").strip() or None


@bp.get("/taxonomies")
@security.requires(Role.VIEWER)
@operation(
    "Taxonomies: kind, label count, release in force, governing guidelines", {200: TaxonomyList}
)
def taxonomy_index() -> TaxonomyList:
    entries = taxonomies.list_taxonomies(store=context.store())
    return TaxonomyList(
        taxonomies=[
            TaxonomySummary(
                slug=e.slug,
                name=e.name,
                kind=e.kind,
                labels=e.label_count,
                latest_release=e.latest_release.version if e.latest_release else None,
                ahead=e.ahead,
                governed_by=[g.slug for g in e.governed_by],
                error=e.error,
            )
            for e in entries
        ]
    )


@bp.get("/taxonomies/<slug>")
@security.requires(Role.VIEWER)
@operation(
    "A taxonomy's label tree at a revision (default: the draft)",
    {200: TaxonomyPublic, 404: UNKNOWN},
    params=(SLUG, *REVISION),
)
def taxonomy_show(slug: str) -> TaxonomyPublic:
    page = taxonomies.show(store=context.store(), slug=slug, ref=_ref())
    return TaxonomyPublic.model_validate(taxonomies.taxonomy_json(page))


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
@operation(
    "Semantic diff between two revisions: added, removed, renamed, moved, redefined, ...",
    {200: TaxonomyDiffPublic, 404: UNKNOWN, 422: "A revision cannot be read"},
    params=(SLUG, *RANGE),
)
def taxonomy_diff(slug: str) -> TaxonomyDiffPublic:
    return TaxonomyDiffPublic.model_validate(taxonomies.diff_json(_change(slug)))


@bp.get("/taxonomies/<slug>/migration")
@security.requires(Role.VIEWER)
@operation(
    "Migration map: each old label id to its new id(s); splits need relabelling",
    {200: MigrationPublic, 404: UNKNOWN, 422: "A revision cannot be read"},
    params=(SLUG, *RANGE),
)
def taxonomy_migration(slug: str) -> MigrationPublic:
    change = _change(slug)
    counts = taxonomies.annotation_counts(
        context.db_session(), slug, list(change.migration.entries)
    )
    return MigrationPublic.model_validate(taxonomies.migration_json(change, counts))


@bp.get("/taxonomies/<slug>/export")
@security.requires(Role.VIEWER)
@operation(
    "Export for a labeling tool",
    {
        200: Answer(
            "The file, with its media type and file name",
            media_types=tuple(dict.fromkeys(f.media_type for f in EXPORT_FORMATS)),
        ),
        404: UNKNOWN,
        422: "Unknown format, or the taxonomy cannot be exported",
    },
    params=(
        SLUG,
        Param("to", required=True, enum=EXPORT_KEYS),
        *REVISION,
    ),
)
def taxonomy_export(slug: str) -> Response:
    fmt = request.args.get("to", "").strip()
    if not fmt:
        formats = ", ".join(EXPORT_KEYS)
        raise InvalidInput(problems=[Problem(f"choose a format with ?to= (one of: {formats})")])
    result = taxonomies.export(store=context.store(), slug=slug, fmt=fmt, ref=_ref())
    return Response(
        result.text,
        content_type=result.media_type,
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )
