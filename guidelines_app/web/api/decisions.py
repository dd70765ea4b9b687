"""Decisions for tools: search the log, record, read, supersede and retire decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user

from guidelines_app.db import saved_id
from guidelines_app.models import Decision, Role
from guidelines_app.models.schemas import (
    Amendment,
    DecisionCreate,
    DecisionDetail,
    DecisionHit,
    DecisionLog,
    DecisionPublic,
    RetireRequest,
    SupersedeRequest,
)
from guidelines_app.services import decisions
from guidelines_app.web import context, inputs, links, security
from guidelines_app.web.api.operations import PAGE, Param, operation, path_id

bp = Blueprint("decisions", __name__)

BAD = "Bad input: an unknown guideline, section, label or item, named in problems"
DECISION_ID = (Param("decision_id", "path", "integer"),)


def _decision(row: Decision, labels: list[str]) -> dict[str, Any]:
    url = links.public_url("decisions.show", decision_id=row.id)
    return DecisionPublic.fields_of(row, labels, url)


@bp.get("/decisions")
@security.requires(Role.VIEWER)
@operation(
    'Search the decision log (words, "phrases", prefix*) or list it newest first',
    {200: DecisionLog},
    params=(
        Param("q", description="words to search; title_html and snippet_html mark them"),
        Param("guideline"),
        Param("section"),
        Param("label"),
        Param("status", description="all (default), or statuses: active,superseded"),
        Param("dataset"),
        PAGE,
    ),
)
def index() -> DecisionLog:
    args = request.args
    status = args.get("status", "all")
    filters = decisions.SearchFilters(
        guidelines=(args["guideline"],) if args.get("guideline") else (),
        section=args.get("section") or None,
        label=args.get("label") or None,
        statuses=() if status == "all" else tuple(s for s in status.split(",") if s),
        dataset=args.get("dataset") or None,
    )
    log = decisions.decision_log(
        session=context.db_session(),
        query=args.get("q", "")[:500],
        filters=filters,
        page=inputs.page_number(),
    )
    hits = [
        DecisionHit(
            **_decision(e.decision, e.labels),
            title_html=str(e.title_html) if e.title_html else None,
            snippet_html=str(e.snippet_html) if e.snippet_html else None,
        )
        for e in log.entries
    ]
    return DecisionLog(decisions=hits, page=log.page, has_next=log.has_next)


@bp.post("/decisions")
@security.requires(Role.LEAD)
@operation(
    "Record a decision (lead)",
    {201: DecisionPublic, 413: "Ruling or rationale too long", 422: BAD},
    body=DecisionCreate,
)
def create(body: DecisionCreate) -> tuple[DecisionPublic, int]:
    data = decisions.DecisionInput(
        title=body.title,
        ruling=body.ruling,
        rationale=body.rationale or "",
        guideline=body.guideline,
        section_id=body.section_id or None,
        labels=body.labels or [],
        ruling_labels=body.ruling_labels or [],
        tags=body.tags or [],
        item_ids=body.item_ids or [],
    )
    decision = decisions.create_decision(
        session=context.db_session(),
        store=context.store(),
        data=data,
        author_id=current_user.user_id,
    )
    labels = decisions.labels_of(context.db_session(), [decision.id or 0])
    return DecisionPublic(**_decision(decision, labels.get(decision.id or 0, []))), 201


@bp.get("/decisions/<decision_id>")
@security.requires(Role.VIEWER)
@operation(
    "One decision with its labels, items and amendments (commit, release)",
    {200: DecisionDetail, 404: "No such decision"},
    params=DECISION_ID,
)
def show(decision_id: str) -> DecisionDetail:
    page = decisions.decision_page(
        session=context.db_session(), decision_id=path_id(decision_id, "decision")
    )
    amendments = [
        Amendment(
            guideline=a.guideline,
            commit=a.commit.id,
            release=a.release.version if a.release else None,
        )
        for a in decisions.amendments_for(store=context.store(), decision=page.decision)
    ]
    return DecisionDetail(
        **_decision(page.decision, [x.label for x in page.labels]),
        ruling_labels=[x.label for x in page.labels if x.applies],
        tags=page.tags,
        item_ids=[saved_id(item) for item, _slug in page.items],
        amendments=amendments,
    )


@bp.post("/decisions/<decision_id>/supersede")
@security.requires(Role.LEAD)
@operation(
    "Supersede a decision by another (lead)",
    {
        200: DecisionPublic,
        404: "No such decision",
        409: "Not active, or a stale version",
        422: BAD,
    },
    body=SupersedeRequest,
    params=DECISION_ID,
)
def supersede(decision_id: str, body: SupersedeRequest) -> DecisionPublic:
    decision = decisions.supersede(
        session=context.db_session(),
        decision_id=path_id(decision_id, "decision"),
        by_id=body.by,
        expected_version=body.version,
        actor_id=current_user.user_id,
    )
    return DecisionPublic(**_decision(decision, []))


@bp.post("/decisions/<decision_id>/retire")
@security.requires(Role.LEAD)
@operation(
    "Retire a decision with a reason (lead)",
    {
        200: DecisionPublic,
        404: "No such decision",
        409: "Not active, or a stale version",
        422: "A reason is required",
    },
    body=RetireRequest,
    params=DECISION_ID,
)
def retire(decision_id: str, body: RetireRequest) -> DecisionPublic:
    decision = decisions.retire(
        session=context.db_session(),
        decision_id=path_id(decision_id, "decision"),
        reason=body.reason,
        expected_version=body.version,
        actor_id=current_user.user_id,
    )
    return DecisionPublic(**_decision(decision, []))
