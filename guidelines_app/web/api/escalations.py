"""Escalations for tools: the queue, escalating an item, transitions and comments."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user

from guidelines_app.models import Escalation, EscalationStatus, Role
from guidelines_app.models.schemas import (
    CommentCreate,
    CommentPublic,
    EscalationCreate,
    EscalationDetail,
    EscalationPublic,
    EscalationQueue,
    EscalationRow,
    ItemPublic,
    TimelineEntry,
    TransitionConflict,
    TransitionConflictDetail,
    TransitionRequest,
)
from guidelines_app.services import escalations
from guidelines_app.services.escalations import EscalationInput, QueueFilters, Transition
from guidelines_app.services.escalations import TransitionConflict as _TransitionConflict
from guidelines_app.web import context, inputs, links, security
from guidelines_app.web.api.datasets import item_content
from guidelines_app.web.api.operations import PAGE, Answer, Param, operation, path_id

bp = Blueprint("escalations", __name__)

BAD = "Bad input: an unknown dataset, guideline, section or label, named in problems"
ESCALATION_ID = (Param("escalation_id", "path", "integer"),)


def _escalation(row: Escalation, labels: list[str] | None) -> dict[str, Any]:
    url = links.public_url("escalations.show", escalation_id=row.id)
    return EscalationPublic.fields_of(row, labels, url)


@bp.get("/escalations")
@security.requires(Role.VIEWER)
@operation(
    "The queue, oldest first by default",
    {200: EscalationQueue, 422: "Unknown status or sort"},
    params=(
        Param("status", description="active (default), all, or statuses: open,in_review"),
        Param("guideline"),
        Param("section"),
        Param("label"),
        Param("dataset"),
        Param("mine", description="1: only the escalations you raised"),
        Param("sort", enum=("oldest", "newest", "hits")),
        PAGE,
    ),
)
def index() -> EscalationQueue:
    args = request.args
    status = args.get("status", "active")
    statuses = (
        escalations.ACTIVE
        if status == "active"
        else tuple(x for x in status.split(",") if x and x != "all")
    )
    filters = QueueFilters(
        guideline=args.get("guideline") or None,
        section=args.get("section") or None,
        label=args.get("label") or None,
        dataset=args.get("dataset") or None,
        statuses=statuses,
        reporter_id=current_user.user_id if args.get("mine") == "1" else None,
        sort=args.get("sort", "oldest"),
    )
    page = inputs.page_number()
    result = escalations.queue(session=context.db_session(), filters=filters, page=page)
    rows = [EscalationRow(**_escalation(r.escalation, r.labels), hits=r.hits) for r in result.rows]
    return EscalationQueue(escalations=rows, page=result.page, has_next=result.has_next)


@bp.post("/escalations")
@security.requires(Role.ANNOTATOR)
@operation(
    "Escalate an item (created if new); the guideline release in force is recorded",
    {201: EscalationPublic, 413: "Question or item too large", 422: BAD},
    body=EscalationCreate,
)
def create(body: EscalationCreate) -> tuple[EscalationPublic, int]:
    escalation = escalations.create_escalation(
        session=context.db_session(),
        store=context.store(),
        data=EscalationInput(
            dataset=body.dataset,
            external_id=body.external_id,
            question=body.question,
            guideline=body.guideline,
            labels=body.labels or [],
            section_id=body.section_id or None,
            content=item_content(body),
        ),
        reporter_id=current_user.user_id,
    )
    labels = escalations.labels_of(context.db_session(), [escalation.id or 0])
    return EscalationPublic(**_escalation(escalation, labels.get(escalation.id or 0))), 201


@bp.get("/escalations/<escalation_id>")
@security.requires(Role.VIEWER)
@operation(
    "One escalation with its item and timeline",
    {200: EscalationDetail, 404: "No such escalation"},
    params=ESCALATION_ID,
)
def show(escalation_id: str) -> EscalationDetail:
    page = escalations.escalation_page(
        session=context.db_session(), escalation_id=path_id(escalation_id, "escalation")
    )
    timeline = [_timeline_entry(entry) for entry in page.timeline]
    return EscalationDetail(
        **_escalation(page.escalation, page.labels),
        item=ItemPublic.of(page.item, page.dataset.slug),
        timeline=timeline,
    )


def _timeline_entry(entry: escalations.TimelineEntry) -> TimelineEntry:
    event, comment = entry.event, entry.comment
    return TimelineEntry(
        at=entry.at,
        kind=entry.kind,
        actor=entry.actor,
        from_status=_status(event.from_status) if event else None,
        to_status=_status(event.to_status) if event else None,
        text=event.reason if event else (comment.body if comment else ""),
    )


def _status(stored: str | None) -> EscalationStatus | None:
    return None if stored is None else EscalationStatus(stored)


@bp.post("/escalations/<escalation_id>/transition")
@security.requires(Role.LEAD)
@operation(
    "Move an escalation (lead): open -> in_review -> resolved | dismissed | duplicate; reopen",
    {
        200: EscalationPublic,
        404: "No such escalation",
        409: Answer("Not allowed from the current state, or a stale version", TransitionConflict),
        422: "Missing reason, assignee, decision or duplicate target",
    },
    body=TransitionRequest,
    params=ESCALATION_ID,
)
def transition(
    escalation_id: str, body: TransitionRequest
) -> EscalationPublic | tuple[TransitionConflict, int]:
    change = Transition(
        to=body.to.value,
        expected_version=body.version,
        reason=body.reason or "",
        assignee_id=body.assignee_id if body.assignee_id is not None else current_user.user_id,
        decision_id=body.decision_id,
        duplicate_of_id=body.duplicate_of_id,
    )
    try:
        escalation = escalations.transition(
            session=context.db_session(),
            escalation_id=path_id(escalation_id, "escalation"),
            change=change,
            actor_id=current_user.user_id,
        )
    except _TransitionConflict as error:
        conflict = TransitionConflictDetail(
            status=409,
            message=error.message,
            current_status=EscalationStatus(error.current_status),
            current_version=error.current_version,
        )
        return TransitionConflict(error=conflict), 409
    labels = escalations.labels_of(context.db_session(), [escalation.id or 0])
    return EscalationPublic(**_escalation(escalation, labels.get(escalation.id or 0)))


@bp.post("/escalations/<escalation_id>/comments")
@security.requires(Role.ANNOTATOR)
@operation(
    "Comment on an escalation",
    {201: CommentPublic, 404: "No such escalation", 413: "Over 20,000 characters"},
    body=CommentCreate,
    params=ESCALATION_ID,
)
def comment(escalation_id: str, body: CommentCreate) -> tuple[CommentPublic, int]:
    comment = escalations.add_comment(
        session=context.db_session(),
        escalation_id=path_id(escalation_id, "escalation"),
        body=body.body,
        author_id=current_user.user_id,
    )
    return CommentPublic(id=comment.id or 0, body=comment.body), 201
