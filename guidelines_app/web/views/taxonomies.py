"""Taxonomies: index, the label tree, label permalinks, edit (YAML and forms), history, releases.

Diff, migration map, export and import are in ``taxonomy_changes``, on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain import refs
from guidelines_app.domain.errors import InvalidInput, NotFound
from guidelines_app.domain.formats import EXPORT_FORMATS
from guidelines_app.models import Role
from guidelines_app.services import documents, taxonomies
from guidelines_app.services.documents import TAXONOMY, EditConflict
from guidelines_app.web import context, inputs, security
from guidelines_app.web.views import taxonomy_changes
from guidelines_app.web.views._htmx import render_page_or_fragment

bp = Blueprint("taxonomies", __name__, url_prefix="/taxonomies")
bp.register_blueprint(taxonomy_changes.bp)

OPERATION_FIELDS = (
    "id",
    "name",
    "parent",
    "description",
    "value",
    "replaced_by",
    "into_id",
    "into_name",
)


def _author() -> documents.Author:
    return documents.author_for(current_user.username, current_user.display_name)


def ref_from_args(slug: str) -> str:
    release = request.args.get("release", "").strip()
    if release:
        return str(refs.release_ref(release))
    rev = request.args.get("rev", "").strip()
    if rev:
        return rev
    return taxonomies.default_ref(
        context.store(), slug, prefer_release=not current_user.can(Role.LEAD)
    )


def _problems(error: InvalidInput) -> list[str]:
    return [str(p) for p in error.problems] or [error.message]


@bp.get("")
@security.requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    entries = taxonomies.list_taxonomies(store=context.store())
    return render_template("taxonomies/index.html", entries=entries)


@bp.get("/<slug>")
@security.requires(Role.VIEWER)
def show(slug: str) -> ResponseReturnValue:
    page = taxonomies.show(store=context.store(), slug=slug, ref=ref_from_args(slug))
    tree = taxonomies.tree_page(page.taxonomy, inputs.page_number())
    return render_template(
        "taxonomies/show.html",
        page=page,
        tree=tree,
        slug=slug,
        formats=EXPORT_FORMATS,
    )


@bp.get("/<slug>/labels/<label_id>")
@security.requires(Role.VIEWER)
def label(slug: str, label_id: str) -> ResponseReturnValue:
    """A label's permalink: in the release in force (the draft before the first release)."""
    page = taxonomies.show(store=context.store(), slug=slug, ref=ref_from_args(slug))
    entries = page.entries
    entry = entries.get(label_id)
    if entry is None:
        raise NotFound(f"{slug} has no label {label_id!r} at {page.ref.label}")
    return render_template(
        "taxonomies/label.html",
        page=page,
        slug=slug,
        entry=entry,
        entries=entries,
        tree_page=taxonomies.label_page_number(page.taxonomy, label_id, entries=entries),
    )


def _editor(
    slug: str, *, text: str, base: str, message: str = "", status: int = 200, **extra: object
) -> ResponseReturnValue:
    store = context.store()
    problems = taxonomies.check_text(store=store, slug=slug, text=text, base=base or None)
    try:
        taxonomy, _ = taxonomies.load(store, slug, base or None)
        labels = [e for e in taxonomy.iter_labels()]
    except (InvalidInput, NotFound):
        labels = []
    return (
        render_template(
            "taxonomies/edit.html",
            slug=slug,
            text=text,
            base=base,
            message=message,
            problems=problems,
            labels=labels,
            form=extra.pop("form", {}),
            **extra,
        ),
        status,
    )


@bp.get("/<slug>/edit")
@security.requires(Role.LEAD)
def edit(slug: str) -> ResponseReturnValue:
    version = documents.read(context.store(), TAXONOMY, slug)
    return _editor(slug, text=documents.readable_text(version.data), base=version.commit_id)


@bp.post("/<slug>/check")
@security.requires(Role.LEAD)
def check(slug: str) -> ResponseReturnValue:
    """Validation as you type: the problems the YAML would be refused for."""
    problems = taxonomies.check_text(
        store=context.store(),
        slug=slug,
        text=request.form.get("text", ""),
        base=request.form.get("base", "").strip() or None,
    )
    return render_template("taxonomies/_problems.html", problems=problems, checked=True)


@bp.post("/<slug>/edit")
@security.requires(Role.LEAD)
def update(slug: str) -> ResponseReturnValue:
    form = request.form
    keep = {
        "text": form.get("text", ""),
        "base": form.get("base", "").strip(),
        "message": form.get("message", ""),
    }
    try:
        outcome = taxonomies.save_taxonomy(
            session=context.db_session(),
            store=context.store(),
            slug=slug,
            text=keep["text"],
            base=keep["base"] or None,
            author=_author(),
            message=keep["message"],
            actor_id=current_user.user_id,
        )
    except EditConflict as error:
        return _conflict(slug, error, keep["message"])
    except InvalidInput as error:
        return _editor(slug, status=422, errors=_problems(error), **keep)
    return _saved(slug, outcome, keep)


def _conflict(slug: str, error: EditConflict, message: str) -> ResponseReturnValue:
    return _editor(
        slug,
        status=409,
        errors=[error.message],
        conflict=True,
        text=error.merged_text,
        base=error.head_id,
        message=message,
    )


def _saved(slug: str, outcome: documents.SaveOutcome, keep: dict) -> ResponseReturnValue:
    if not outcome.changed or outcome.result is None:
        return _editor(slug, notice="Nothing changed: there is nothing to save.", **keep)
    if outcome.merged:
        flash("Someone else saved meanwhile; your edit was merged with theirs cleanly.", "warning")
    else:
        flash("Saved.", "success")
    return redirect(url_for("taxonomies.show", slug=slug, rev=outcome.result.commit.id))


@bp.post("/<slug>/operations/<operation>")
@security.requires(Role.LEAD)
def operate(slug: str, operation: str) -> ResponseReturnValue:
    form = request.form
    params: dict[str, object] = {key: form.get(key, "") for key in OPERATION_FIELDS}
    params["sources"] = [s for s in form.getlist("sources") if s.strip()] or form.get(
        "sources_text", ""
    )
    params["part_id"] = form.getlist("part_id")
    params["part_name"] = form.getlist("part_name")
    base = form.get("base", "").strip()
    message = form.get("message", "")
    version = documents.read(context.store(), TAXONOMY, slug, None)
    keep = {"text": version.text, "base": version.commit_id, "message": ""}
    if base and base != version.commit_id:
        try:  # a failed form keeps the editor on the revision it was opened on
            keep["text"] = documents.read(context.store(), TAXONOMY, slug, base).text
            keep["base"] = base
        except NotFound:
            pass
    try:
        outcome = taxonomies.apply_operation(
            session=context.db_session(),
            store=context.store(),
            slug=slug,
            operation=operation,
            params=params,
            base=base or None,
            author=_author(),
            message=message,
            actor_id=current_user.user_id,
        )
    except EditConflict as error:
        return _conflict(slug, error, message)
    except InvalidInput as error:
        form_state: dict[str, str | list[str]] = {
            **{k: form.get(k, "") for k in form},
            "operation": operation,
        }
        form_state["message"] = message
        form_state["part_id"] = form.getlist("part_id")
        form_state["part_name"] = form.getlist("part_name")
        return _editor(
            slug, status=422, errors=_problems(error), form=form_state, open_op=operation, **keep
        )
    return _saved(slug, outcome, keep)


@bp.get("/<slug>/history")
@security.requires(Role.VIEWER)
def history(slug: str) -> ResponseReturnValue:
    page = documents.history(context.store(), TAXONOMY, slug, page=inputs.page_number())
    draft = taxonomies.problems_at(store=context.store(), slug=slug)
    return render_page_or_fragment(
        "taxonomies/history.html",
        "taxonomies/_history_rows.html",
        slug=slug,
        history=page,
        draft=draft,
    )


@bp.get("/<slug>/releases")
@security.requires(Role.VIEWER)
def releases(slug: str) -> ResponseReturnValue:
    return _releases_page(slug)


def _releases_page(slug: str, status: int = 200, **extra: object) -> ResponseReturnValue:
    store = context.store()
    documents.read(store, TAXONOMY, slug)  # 404 for an unknown taxonomy
    found = documents.releases(store, TAXONOMY, slug)
    latest = found[-1] if found else None
    return (
        render_template(
            "taxonomies/releases.html",
            slug=slug,
            releases=list(reversed(found)),
            ahead=documents.changes_since(store, TAXONOMY, slug, latest),
            checks=taxonomies.release_checks(store=store, slug=slug),
            **extra,
        ),
        status,
    )


@bp.post("/<slug>/releases")
@security.requires(Role.LEAD)
def create_release(slug: str) -> ResponseReturnValue:
    notes = request.form.get("notes", "")
    try:
        release = taxonomies.release_taxonomy(
            session=context.db_session(),
            store=context.store(),
            slug=slug,
            notes=notes,
            author=_author(),
            actor_id=current_user.user_id,
        )
    except InvalidInput as error:
        return _releases_page(slug, 422, errors=_problems(error), notes=notes)
    flash(f"Released v{release.version} of the taxonomy.", "success")
    return redirect(url_for("taxonomies.releases", slug=slug))
