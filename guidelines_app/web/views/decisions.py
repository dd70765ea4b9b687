"""The decision log: search as you type, one decision, and the lead's tools to keep it true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from guidelines_app.domain.errors import AppError, InvalidInput, Problem
from guidelines_app.models import DecisionStatus, Role
from guidelines_app.services import decisions, guidelines
from guidelines_app.web import context, inputs, security
from guidelines_app.web.errors import status_of
from guidelines_app.web.views._htmx import render_page_or_fragment

bp = Blueprint("decisions", __name__, url_prefix="/decisions")


# --- form helpers shared with the escalation views -----------------------------------------


def messages(error: AppError) -> list[str]:
    problems = getattr(error, "problems", None)
    return [str(p) for p in problems] if problems else [error.message]


def form_list(name: str, source: MultiDict | None = None) -> list[str]:
    """Values of a multi-select, or of a comma-separated text field of the same name."""
    source = request.form if source is None else source
    values = []
    for raw in source.getlist(name):
        values += [part.strip() for part in raw.split(",") if part.strip()]
    return list(dict.fromkeys(values))[:100]


def int_arg(name: str, maximum: int = inputs.MAX_ID) -> int | None:
    return inputs.whole_number(request.args, name, maximum=maximum)


def int_field(name: str) -> int | None:
    return inputs.whole_number(request.form, name, strip="#")


def guideline_facts_or_none(
    slug: str, *, at_release: bool = True
) -> decisions.GuidelineFacts | None:
    if not slug:
        return None
    try:
        return decisions.guideline_facts(context.store(), slug, at_release=at_release)
    except InvalidInput:
        return None


def decision_input() -> decisions.DecisionInput:
    items = []
    for part in form_list("item_ids"):
        if part.lstrip("#").isdigit() and len(part) < 10:
            items.append(int(part.lstrip("#")))
        else:
            raise InvalidInput(problems=[Problem(f"not an item id: {part!r}", "items")])
    return decisions.DecisionInput(
        title=request.form.get("title", ""),
        ruling=request.form.get("ruling", ""),
        rationale=request.form.get("rationale", ""),
        guideline=request.form.get("guideline", ""),
        section_id=request.form.get("section") or None,
        labels=form_list("labels"),
        ruling_labels=form_list("ruling_labels"),
        tags=form_list("tags"),
        item_ids=items,
    )


def _form_as_sent() -> decisions.DecisionInput:
    """What the lead typed, to show again with the problems (item ids that are not numbers
    are dropped here; the message names them)."""
    return decisions.DecisionInput(
        title=request.form.get("title", ""),
        ruling=request.form.get("ruling", ""),
        rationale=request.form.get("rationale", ""),
        guideline=request.form.get("guideline", ""),
        section_id=request.form.get("section") or None,
        labels=form_list("labels"),
        ruling_labels=form_list("ruling_labels"),
        tags=form_list("tags"),
        item_ids=[int(p.lstrip("#")) for p in form_list("item_ids") if p.lstrip("#").isdigit()],
    )


# --- the log ----------------------------------------------------------------------------


def _date(name: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    try:
        return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC) if raw else None
    except ValueError:
        return None


def _filters() -> tuple[decisions.SearchFilters, dict]:
    args = request.args
    status = args.get("status")
    scope = args.get("scope", "")
    if status is None:
        status = "active" if current_user.role == Role.ANNOTATOR else "all"
    statuses = () if status == "all" else tuple(s for s in status.split(",") if s)
    statuses = tuple(s for s in statuses if s in {x.value for x in DecisionStatus})
    guideline = args.get("guideline", "")
    mine: list[str] = []
    if not guideline and current_user.role == Role.ANNOTATOR and scope != "all":
        mine = decisions.guidelines_of_user(
            session=context.db_session(), user_id=current_user.user_id
        )
    until = _date("until")
    filters = decisions.SearchFilters(
        guidelines=(guideline,) if guideline else tuple(mine),
        section=args.get("section") or None,
        label=args.get("label") or None,
        statuses=statuses,
        dataset=args.get("dataset") or None,
        author_id=int_arg("author"),
        since=_date("since"),
        until=until + timedelta(days=1) if until else None,
    )
    return filters, {"status": status, "mine": mine, "scope": scope}


@bp.get("")
@security.requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    filters, view = _filters()
    query = request.args.get("q", "")[:500]
    log = decisions.decision_log(
        session=context.db_session(), query=query, filters=filters, page=int_arg("page") or 1
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_page_or_fragment(
        "decisions/index.html",
        "decisions/_results.html",
        log=log,
        query=query,
        filters=filters,
        view=view,
        args=args,
        guideline_list=guidelines.list_guidelines(
            session=context.db_session(), store=context.store()
        ),
        statuses=[s.value for s in DecisionStatus],
    )


@bp.get("/pending")
@security.requires(Role.LEAD)
def pending() -> ResponseReturnValue:
    found = decisions.not_yet_released(
        session=context.db_session(),
        store=context.store(),
        guideline=request.args.get("guideline") or None,
    )
    return render_template("decisions/pending.html", pending=found)


def _form_page(
    template: str,
    form: decisions.DecisionInput,
    status: int = 200,
    errors: list[str] | None = None,
    **extra: object,
) -> ResponseReturnValue:
    return (
        render_template(
            template,
            form=form,
            facts=guideline_facts_or_none(form.guideline, at_release=False),
            guideline_list=guidelines.list_guidelines(
                session=context.db_session(), store=context.store()
            ),
            errors=errors or [],
            **extra,
        ),
        status,
    )


@bp.get("/new")
@security.requires(Role.LEAD)
def new() -> ResponseReturnValue:
    form = decisions.DecisionInput(
        guideline=request.args.get("guideline", ""),
        section_id=request.args.get("section") or None,
    )
    return _form_page("decisions/new.html", form)


@bp.post("")
@security.requires(Role.LEAD)
def create() -> ResponseReturnValue:
    try:
        form = decision_input()
        decision = decisions.create_decision(
            session=context.db_session(),
            store=context.store(),
            data=form,
            author_id=current_user.user_id,
        )
    except AppError as error:
        return _form_page("decisions/new.html", _form_as_sent(), status_of(error), messages(error))
    flash(f"Decision #{decision.id} recorded.", "success")
    return redirect(url_for("decisions.show", decision_id=decision.id))


def _show(
    decision_id: int, status: int = 200, errors: list[str] | None = None
) -> ResponseReturnValue:
    page = decisions.decision_page(session=context.db_session(), decision_id=decision_id)
    found = decisions.amendments_for(store=context.store(), decision=page.decision)
    d = page.decision
    section_url = None
    if d.section_id and "guidelines.show" in current_app.view_functions:
        section_url = url_for(
            "guidelines.show", slug=d.guideline, rev=d.guideline_commit, _anchor=d.section_id
        )
    edit_url = None
    if "guidelines.edit" in current_app.view_functions:
        edit_url = url_for("guidelines.edit", slug=d.guideline)
    return (
        render_template(
            "decisions/show.html",
            page=page,
            amendments=found,
            section_url=section_url,
            edit_url=edit_url,
            errors=errors or [],
        ),
        status,
    )


@bp.get("/<id:decision_id>")
@security.requires(Role.VIEWER)
def show(decision_id: int) -> ResponseReturnValue:
    return _show(decision_id)


@bp.get("/<id:decision_id>/edit")
@security.requires(Role.LEAD)
def edit(decision_id: int) -> ResponseReturnValue:
    page = decisions.decision_page(session=context.db_session(), decision_id=decision_id)
    return _form_page("decisions/edit.html", decisions.decision_input_of(page), page=page, note="")


@bp.post("/<id:decision_id>")
@security.requires(Role.LEAD)
def update(decision_id: int) -> ResponseReturnValue:
    session = context.db_session()
    try:
        form = decision_input()
        decisions.update_decision(
            session=session,
            store=context.store(),
            decision_id=decision_id,
            data=form,
            expected_version=int_field("version"),
            editor_id=current_user.user_id,
            note=request.form.get("note", ""),
        )
    except AppError as error:
        page = decisions.decision_page(session=session, decision_id=decision_id)
        return _form_page(
            "decisions/edit.html",
            _form_as_sent(),
            status_of(error),
            messages(error),
            page=page,
            note=request.form.get("note", ""),
        )
    flash(f"Decision #{decision_id} updated.", "success")
    return redirect(url_for("decisions.show", decision_id=decision_id))


@bp.post("/<id:decision_id>/supersede")
@security.requires(Role.LEAD)
def supersede(decision_id: int) -> ResponseReturnValue:
    try:
        by_id = int_field("by")
        if by_id is None:
            raise InvalidInput(problems=[Problem("give the number of the new decision", "by")])
        decisions.supersede(
            session=context.db_session(),
            decision_id=decision_id,
            by_id=by_id,
            expected_version=int_field("version"),
            actor_id=current_user.user_id,
        )
    except AppError as error:
        return _show(decision_id, status_of(error), messages(error))
    flash(f"Decision #{decision_id} is superseded by #{by_id}.", "success")
    return redirect(url_for("decisions.show", decision_id=decision_id))


@bp.post("/<id:decision_id>/retire")
@security.requires(Role.LEAD)
def retire(decision_id: int) -> ResponseReturnValue:
    try:
        decisions.retire(
            session=context.db_session(),
            decision_id=decision_id,
            reason=request.form.get("reason", ""),
            expected_version=int_field("version"),
            actor_id=current_user.user_id,
        )
    except AppError as error:
        return _show(decision_id, status_of(error), messages(error))
    flash(f"Decision #{decision_id} is retired.", "success")
    return redirect(url_for("decisions.show", decision_id=decision_id))
