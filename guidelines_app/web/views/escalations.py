"""Escalations: escalate an item, the queues, one escalation with its timeline and workflow."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.errors import AppError, InvalidInput, Problem, TooLarge
from guidelines_app.models import EscalationStatus, Role
from guidelines_app.services import datasets, decisions, escalations, guidelines
from guidelines_app.services.datasets import ItemContent
from guidelines_app.services.escalations import (
    EscalationInput,
    QueueFilters,
    Transition,
    TransitionConflict,
)
from guidelines_app.web import context, security
from guidelines_app.web.errors import status_of
from guidelines_app.web.views._htmx import render_page_or_fragment
from guidelines_app.web.views.decisions import (
    decision_input,
    form_list,
    guideline_facts_or_none,
    int_arg,
    int_field,
    messages,
)

bp = Blueprint("escalations", __name__, url_prefix="/escalations")
FORM_FIELDS = ("dataset", "external_id", "guideline", "section", "question", "item_text")


def _queue_filters() -> QueueFilters:
    args = request.args
    mine = args.get("view", "mine" if current_user.role == Role.ANNOTATOR else "all") == "mine"
    status = args.get("status", "active")
    statuses = (
        escalations.ACTIVE
        if status == "active"
        else ()
        if status == "all"
        else tuple(s for s in status.split(",") if s)
    )
    assignee = args.get("assignee", "")
    return QueueFilters(
        guideline=args.get("guideline") or None,
        section=args.get("section") or None,
        label=args.get("label") or None,
        dataset=args.get("dataset") or None,
        statuses=statuses,
        assignee_id=current_user.user_id if assignee == "me" else int_arg("assignee"),
        reporter_id=current_user.user_id if mine else None,
        older_than_days=int_arg("age"),
        sort=args.get("sort", "oldest"),
    )


@bp.get("")
@security.requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    session = context.db_session()
    try:
        filters = escalations.check_queue_filters(_queue_filters())
    except InvalidInput as error:
        flash(messages(error)[0], "error")
        return redirect(url_for("escalations.index"))
    result = escalations.queue(session=session, filters=filters, page=int_arg("page") or 1)
    spots = escalations.weak_spots(session=session, guideline=filters.guideline)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_page_or_fragment(
        "escalations/index.html",
        "escalations/_queue.html",
        result=result,
        spots=spots,
        filters=filters,
        args=args,
        mine=filters.reporter_id is not None,
        guideline_list=guidelines.list_guidelines(session=session, store=context.store()),
        statuses=[s.value for s in EscalationStatus],
    )


def _new_form(
    form: dict, status: int = 200, errors: list[str] | None = None
) -> ResponseReturnValue:
    session, store = context.db_session(), context.store()
    facts = guideline_facts_or_none(form.get("guideline", ""))
    suggestions = None
    if form.get("question") or form.get("item_text"):
        suggestions = _suggest(form)
    page = render_template(
        "escalations/new.html",
        form=form,
        chosen=form.get("labels", []),
        facts=facts,
        guideline_list=guidelines.list_guidelines(session=session, store=store),
        datasets=_datasets(),
        suggestions=suggestions,
        errors=errors or [],
    )
    return page, status


def _datasets() -> list:
    return [d for d, _n in datasets.list_datasets(session=context.db_session())]


@bp.get("/new")
@security.requires(Role.ANNOTATOR)
def new() -> ResponseReturnValue:
    form: dict[str, str | list[str]] = {key: request.args.get(key, "") for key in FORM_FIELDS}
    form["labels"] = form_list("labels", source=request.args)
    return _new_form(form)


def _suggest(form: dict) -> decisions.LogPage:
    text = " ".join([form.get("question", ""), form.get("item_text", ""), *form.get("labels", [])])
    filters = decisions.SearchFilters(
        guidelines=(form["guideline"],) if form.get("guideline") else (),
        statuses=("active",),
    )
    return decisions.decision_log(
        session=context.db_session(), query=text, filters=filters, match_any=True, per_page=5
    )


@bp.get("/suggestions")
@security.requires(Role.ANNOTATOR)
def suggestions() -> ResponseReturnValue:
    form: dict[str, str | list[str]] = {
        key: request.args.get(key, "")[:20_000] for key in FORM_FIELDS
    }
    form["labels"] = form_list("labels", source=request.args)
    return render_template("escalations/_suggestions.html", suggestions=_suggest(form), form=form)


@bp.get("/labels")
@security.requires(Role.ANNOTATOR)
def labels() -> ResponseReturnValue:
    """The label and section pickers for the chosen guideline (htmx swaps them in)."""
    facts = guideline_facts_or_none(request.args.get("guideline", ""))
    return render_template(
        "escalations/_pickers.html",
        facts=facts,
        chosen=form_list("labels", source=request.args),
        form={"section": request.args.get("section", "")},
    )


def _content_from_form() -> ItemContent:
    return ItemContent(
        text=request.form.get("item_text") or None,
        media_url=request.form.get("media_url") or None,
    )


@bp.post("")
@security.requires(Role.ANNOTATOR)
def create() -> ResponseReturnValue:
    fields = {key: request.form.get(key, "") for key in FORM_FIELDS}
    chosen = form_list("labels")
    form: dict[str, str | list[str]] = {**fields, "labels": chosen}
    data = EscalationInput(
        dataset=fields["dataset"],
        external_id=fields["external_id"],
        question=fields["question"],
        guideline=fields["guideline"],
        labels=chosen,
        section_id=fields["section"] or None,
        content=_content_from_form(),
    )
    try:
        escalation = escalations.create_escalation(
            session=context.db_session(),
            store=context.store(),
            data=data,
            reporter_id=current_user.user_id,
        )
    except TooLarge as error:
        return _new_form(form, 413, [error.message])
    except InvalidInput as error:
        return _new_form(form, 422, messages(error))
    flash(f"Escalation #{escalation.id} is in the queue.", "success")
    return redirect(url_for("escalations.show", escalation_id=escalation.id))


@bp.post("/answered")
@security.requires(Role.ANNOTATOR)
def answered() -> ResponseReturnValue:
    """'This answers my question': link the item to the decision instead of escalating."""
    decision_id = int_field("decision_id")
    if decision_id is None:
        raise InvalidInput(problems=[Problem("choose the decision that answers it", "decision")])
    decisions.answer_with_decision(
        session=context.db_session(),
        dataset=request.form.get("dataset", ""),
        external_id=request.form.get("external_id", ""),
        content=_content_from_form(),
        decision_id=decision_id,
        actor_id=current_user.user_id,
    )
    flash(f"Linked the item to decision #{decision_id}; nothing was escalated.", "success")
    return redirect(url_for("decisions.show", decision_id=decision_id))


def _show(
    escalation_id: int, status: int = 200, errors: list[str] | None = None, **extra: object
) -> ResponseReturnValue:
    page = escalations.escalation_page(session=context.db_session(), escalation_id=escalation_id)
    leads = escalations.leads(session=context.db_session())
    return (
        render_template(
            "escalations/show.html", page=page, leads=leads, errors=errors or [], **extra
        ),
        status,
    )


@bp.get("/<id:escalation_id>")
@security.requires(Role.VIEWER)
def show(escalation_id: int) -> ResponseReturnValue:
    return _show(escalation_id)


@bp.post("/<id:escalation_id>/comments")
@security.requires(Role.ANNOTATOR)
def comment(escalation_id: int) -> ResponseReturnValue:
    try:
        escalations.add_comment(
            session=context.db_session(),
            escalation_id=escalation_id,
            body=request.form.get("body", ""),
            author_id=current_user.user_id,
        )
    except (InvalidInput, TooLarge) as error:
        return _show(
            escalation_id, status_of(error), messages(error), comment=request.form.get("body")
        )
    return redirect(url_for("escalations.show", escalation_id=escalation_id, _anchor="timeline"))


@bp.post("/<id:escalation_id>/transition")
@security.requires(Role.LEAD)
def transition(escalation_id: int) -> ResponseReturnValue:
    to = request.form.get("to", "")
    version = int_field("version")
    if version is None:
        raise InvalidInput(problems=[Problem("the form lacks the version you saw", "version")])
    assignee = int_field("assignee_id")
    change = Transition(
        to=to,
        expected_version=version,
        reason=request.form.get("reason", ""),
        assignee_id=assignee if assignee is not None else current_user.user_id,
        decision_id=int_field("decision_id"),
        duplicate_of_id=int_field("duplicate_of_id"),
    )
    try:
        escalations.transition(
            session=context.db_session(),
            escalation_id=escalation_id,
            change=change,
            actor_id=current_user.user_id,
        )
    except TransitionConflict as error:
        return _show(escalation_id, 409, [error.message])
    except AppError as error:
        return _show(escalation_id, status_of(error), messages(error))
    flash(f"Escalation #{escalation_id} is now {to.replace('_', ' ')}.", "success")
    return redirect(url_for("escalations.show", escalation_id=escalation_id))


@bp.get("/<id:escalation_id>/rule")
@security.requires(Role.LEAD)
def rule_form(escalation_id: int) -> ResponseReturnValue:
    page = escalations.escalation_page(session=context.db_session(), escalation_id=escalation_id)
    e = page.escalation
    form = decisions.DecisionInput(
        title="",
        ruling="",
        guideline=e.guideline,
        section_id=e.section_id,
        labels=page.labels,
        item_ids=[e.item_id],
    )
    return _rule_page(page, form)


def _rule_page(
    page: escalations.EscalationPage,
    form: decisions.DecisionInput,
    status: int = 200,
    errors: list[str] | None = None,
) -> ResponseReturnValue:
    return (
        render_template(
            "escalations/rule.html",
            page=page,
            form=form,
            facts=guideline_facts_or_none(form.guideline, at_release=False),
            errors=errors or [],
        ),
        status,
    )


@bp.post("/<id:escalation_id>/rule")
@security.requires(Role.LEAD)
def rule(escalation_id: int) -> ResponseReturnValue:
    session = context.db_session()
    form = decision_input()
    version = int_field("version")
    try:
        if version is None:
            raise InvalidInput(problems=[Problem("the form lacks the version you saw", "version")])
        _e, decision = escalations.resolve_with_new_decision(
            session=session,
            store=context.store(),
            escalation_id=escalation_id,
            expected_version=version,
            data=form,
            actor_id=current_user.user_id,
        )
    except AppError as error:
        page = escalations.escalation_page(session=session, escalation_id=escalation_id)
        return _rule_page(page, form, status_of(error), messages(error))
    flash(f"Escalation #{escalation_id} resolved by decision #{decision.id}.", "success")
    return redirect(url_for("decisions.show", decision_id=decision.id))
