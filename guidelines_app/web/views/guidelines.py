"""Guidelines: index, read, edit with preview, history, diff, releases, acknowledgments."""

from __future__ import annotations

from typing import TypedDict

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain import refs
from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Role
from guidelines_app.services import decisions, documents, guidelines
from guidelines_app.services.documents import EditConflict, Ref
from guidelines_app.web import context, inputs, security
from guidelines_app.web.views._htmx import is_htmx, render_page_or_fragment

bp = Blueprint("guidelines", __name__, url_prefix="/guidelines")


def _author() -> documents.Author:
    return documents.author_for(current_user.username, current_user.display_name)


def label_url(taxonomy: str, label_id: str) -> str:
    return (
        url_for("taxonomies.label", slug=taxonomy, label_id=label_id)
        if _has_taxonomy_pages()
        else f"#label-{label_id}"
    )


def _has_taxonomy_pages() -> bool:
    return "taxonomies.label" in current_app.view_functions


def section_url(ref: Ref, section_id: str) -> str:
    slug = request.view_args.get("slug", "") if request.view_args else ""
    if ref.release is not None:
        return url_for(
            "guidelines.show", slug=slug, release=f"v{ref.release.version}", _anchor=section_id
        )
    return url_for("guidelines.show", slug=slug, rev=ref.commit_id, _anchor=section_id)


@bp.get("")
@security.requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    show_archived = request.args.get("archived") == "1"
    entries = guidelines.list_guidelines(
        session=context.db_session(), store=context.store(), include_archived=show_archived
    )
    pending = {}
    if current_user.role == Role.ANNOTATOR:
        pending = {
            p.slug: p
            for p in guidelines.pending_for_user(
                session=context.db_session(), store=context.store(), user_id=current_user.user_id
            )
        }
    return render_template(
        "guidelines/index.html", entries=entries, pending=pending, show_archived=show_archived
    )


@bp.get("/new")
@security.requires(Role.LEAD)
def new() -> ResponseReturnValue:
    return render_template("guidelines/new.html", form={})


@bp.post("")
@security.requires(Role.LEAD)
def create() -> ResponseReturnValue:
    form = {key: request.form.get(key, "").strip() for key in ("slug", "title", "taxonomy")}
    try:
        guidelines.create_guideline(
            session=context.db_session(),
            store=context.store(),
            slug=form["slug"],
            title=form["title"],
            taxonomy=form["taxonomy"],
            author=_author(),
            owners=[current_user.username],
            actor_id=current_user.user_id,
        )
    except InvalidInput as error:
        return render_template(
            "guidelines/new.html", form=form, errors=[str(p) for p in error.problems]
        ), 422
    flash("Guideline created from the template. Write it, then release it.", "success")
    return redirect(url_for("guidelines.edit", slug=form["slug"]))


def _ref_from_args(slug: str) -> str:
    release = request.args.get("release", "").strip()
    if release:
        return str(refs.release_ref(release))
    rev = request.args.get("rev", "").strip()
    if rev:
        return rev
    return guidelines.default_ref(
        context.store(), slug, prefer_release=not current_user.can(Role.LEAD)
    )


@bp.get("/<slug>")
@security.requires(Role.VIEWER)
def show(slug: str) -> ResponseReturnValue:
    page = guidelines.show(
        store=context.store(),
        slug=slug,
        ref=_ref_from_args(slug),
        label_url=label_url,
        section_url=section_url,
    )
    session = context.db_session()
    pending = last_ack = None
    if current_user.can(Role.ANNOTATOR):
        pending = guidelines.pending(
            session=session, store=context.store(), user_id=current_user.user_id, slug=slug
        )
        last_ack = guidelines.last_acknowledged(
            session=session, user_id=current_user.user_id, slug=slug
        )
    notes = decisions.for_guideline_sections(session=session, guideline=slug)
    return render_template(
        "guidelines/show.html", page=page, pending=pending, last_ack=last_ack, notes=notes
    )


@bp.get("/<slug>/sections/<section_id>")
@security.requires(Role.VIEWER)
def section(slug: str, section_id: str) -> ResponseReturnValue:
    """A permalink to a section in the release in force (the draft before the first release)."""
    ref = guidelines.default_ref(context.store(), slug, prefer_release=True)
    if ref == "draft":
        return redirect(url_for("guidelines.show", slug=slug, _anchor=section_id))
    return redirect(url_for("guidelines.show", slug=slug, release=ref, _anchor=section_id))


class _Draft(TypedDict):
    """What the editor form sends back, shown again when the save does not go through."""

    text: str
    base: str
    message: str
    decisions: str


def _editor(
    slug: str,
    *,
    text: str,
    base: str,
    message: str = "",
    decisions: str = "",
    status: int = 200,
    **extra: object,
) -> ResponseReturnValue:
    rendered, problems = guidelines.preview(store=context.store(), text=text, label_url=label_url)
    return (
        render_template(
            "guidelines/edit.html",
            slug=slug,
            text=text,
            base=base,
            message=message,
            decisions=decisions,
            rendered=rendered,
            problems=problems,
            **extra,
        ),
        status,
    )


@bp.get("/<slug>/edit")
@security.requires(Role.LEAD)
def edit(slug: str) -> ResponseReturnValue:
    version = documents.read(context.store(), documents.GUIDELINE, slug)
    return _editor(slug, text=documents.readable_text(version.data), base=version.commit_id)


@bp.post("/<slug>/preview")
@security.requires(Role.LEAD)
def preview(slug: str) -> ResponseReturnValue:
    rendered, problems = guidelines.preview(
        store=context.store(), text=request.form.get("text", ""), label_url=label_url
    )
    return render_template("guidelines/_preview.html", rendered=rendered, problems=problems)


@bp.post("/<slug>/edit")
@security.requires(Role.LEAD)
def update(slug: str) -> ResponseReturnValue:
    form = request.form
    text = form.get("text", "")
    base = form.get("base", "").strip() or None
    message = form.get("message", "")
    decisions = form.get("decisions", "")
    keep: _Draft = {"text": text, "base": base or "", "message": message, "decisions": decisions}
    if form.get("action") == "preview":
        return _editor(slug, **keep)
    try:
        outcome = guidelines.save_guideline(
            session=context.db_session(),
            store=context.store(),
            slug=slug,
            text=text,
            base=base,
            author=_author(),
            message=message,
            decisions=guidelines.parse_decision_ids(decisions),
            confirm_removed_sections=form.get("confirm_removed_sections") == "1",
            actor_id=current_user.user_id,
        )
    except guidelines.SectionsStillReferenced as error:
        return _editor(
            slug, status=422, errors=[error.message], referenced=error.referenced, **keep
        )
    except EditConflict as error:
        return _editor(
            slug,
            status=409,
            errors=[error.message],
            conflict=True,
            text=error.merged_text,
            base=error.head_id,
            message=message,
            decisions=decisions,
        )
    except InvalidInput as error:
        return _editor(
            slug, status=422, errors=[str(p) for p in error.problems] or [error.message], **keep
        )
    if not outcome.changed or outcome.result is None:
        return _editor(slug, notice="Nothing changed: there is nothing to save.", **keep)
    if outcome.merged:
        flash("Someone else saved meanwhile; your edit was merged with theirs cleanly.", "warning")
    else:
        flash("Saved.", "success")
    return redirect(url_for("guidelines.show", slug=slug, rev=outcome.result.commit.id))


@bp.post("/<slug>/archive")
@security.requires(Role.LEAD)
def archive(slug: str) -> ResponseReturnValue:
    archived = request.form.get("archived", "1") == "1"
    guidelines.set_archived(
        session=context.db_session(),
        store=context.store(),
        slug=slug,
        archived=archived,
        author=_author(),
        actor_id=current_user.user_id,
    )
    flash(
        "Archived: hidden from the index, kept in history."
        if archived
        else "Restored to the index.",
        "info",
    )
    return redirect(url_for("guidelines.show", slug=slug))


@bp.get("/<slug>/history")
@security.requires(Role.VIEWER)
def history(slug: str) -> ResponseReturnValue:
    page = documents.history(context.store(), documents.GUIDELINE, slug, page=inputs.page_number())
    draft = guidelines.problems_at(store=context.store(), slug=slug)
    return render_page_or_fragment(
        "guidelines/history.html",
        "guidelines/_history_rows.html",
        slug=slug,
        history=page,
        draft=draft,
    )


@bp.get("/<slug>/diff")
@security.requires(Role.VIEWER)
def diff(slug: str) -> ResponseReturnValue:
    store = context.store()
    latest = documents.latest_release(store, documents.GUIDELINE, slug)
    old = request.args.get("from", "").strip() or (f"v{latest.version}" if latest else "")
    new = request.args.get("to", "").strip() or "draft"
    if not old:
        old = documents.previous_revision(store, documents.GUIDELINE, slug) or "draft"
    result = guidelines.diff(store=store, slug=slug, old=old, new=new)
    releases = documents.releases(store, documents.GUIDELINE, slug)
    return render_template("guidelines/diff.html", slug=slug, diff=result, releases=releases)


@bp.get("/<slug>/releases")
@security.requires(Role.VIEWER)
def releases(slug: str) -> ResponseReturnValue:
    return _releases_page(slug)


def _releases_page(slug: str, status: int = 200, **extra: object) -> ResponseReturnValue:
    store = context.store()
    documents.read(store, documents.GUIDELINE, slug)  # 404 for an unknown guideline
    acks = []
    if current_user.can(Role.LEAD):
        acks = guidelines.status(session=context.db_session(), store=store, slug=slug)
    found = documents.releases(store, documents.GUIDELINE, slug)
    latest = found[-1] if found else None
    return (
        render_template(
            "guidelines/releases.html",
            slug=slug,
            releases=list(reversed(found)),
            acks=acks,
            ahead=documents.changes_since(store, documents.GUIDELINE, slug, latest),
            checks=guidelines.release_checks(store=store, slug=slug),
            **extra,
        ),
        status,
    )


@bp.post("/<slug>/releases")
@security.requires(Role.LEAD)
def create_release(slug: str) -> ResponseReturnValue:
    notes = request.form.get("notes", "")
    try:
        release = guidelines.release_guideline(
            session=context.db_session(),
            store=context.store(),
            slug=slug,
            notes=notes,
            author=_author(),
            actor_id=current_user.user_id,
        )
    except InvalidInput as error:
        return _releases_page(slug, 422, errors=[str(p) for p in error.problems], notes=notes)
    flash(f"Released v{release.version}. Annotators will be asked to acknowledge it.", "success")
    return redirect(url_for("guidelines.releases", slug=slug))


@bp.get("/<slug>/acknowledge")
@security.requires(Role.ANNOTATOR)
def acknowledge_page(slug: str) -> ResponseReturnValue:
    store = context.store()
    session = context.db_session()
    pending = guidelines.pending(
        session=session, store=store, user_id=current_user.user_id, slug=slug
    )
    if pending is None:
        documents.read(store, documents.GUIDELINE, slug)
        flash("You are up to date with this guideline.", "info")
        return redirect(url_for("guidelines.show", slug=slug))
    change = None
    if pending.last_acknowledged is not None:
        change = guidelines.diff(
            store=store,
            slug=slug,
            old=f"v{pending.last_acknowledged}",
            new=f"v{pending.release.version}",
        )
    page = None
    if change is None:
        page = guidelines.show(
            store=store, slug=slug, ref=f"v{pending.release.version}", label_url=label_url
        )
    return render_template(
        "guidelines/acknowledge.html", slug=slug, pending=pending, diff=change, page=page
    )


@bp.post("/<slug>/acknowledge")
@security.requires(Role.ANNOTATOR)
def acknowledge(slug: str) -> ResponseReturnValue:
    version = documents.parse_version(request.form.get("version", ""))
    if version is None:
        raise InvalidInput(problems=[Problem("which release? e.g. v3", "version")])
    guidelines.acknowledge(
        session=context.db_session(),
        store=context.store(),
        user_id=current_user.user_id,
        slug=slug,
        version=version,
    )
    if is_htmx():
        return render_template("guidelines/_acknowledged.html", slug=slug, version=version)
    flash(f"Thank you: v{version} acknowledged.", "success")
    return redirect(url_for("guidelines.show", slug=slug))
