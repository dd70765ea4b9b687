"""JSON API for datasets and items, escalations and decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.models import Role
from guidelines_app.services import datasets, decisions, escalations
from guidelines_app.services.datasets import ItemContent
from guidelines_app.services.escalations import EscalationInput, QueueFilters, Transition
from guidelines_app.services.escalations import TransitionConflict as _TransitionConflict
from guidelines_app.web import context, security
from guidelines_app.web.errors import status_of

bp = Blueprint("cases", __name__)


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(
            problems=[Problem("send a JSON object (Content-Type: application/json)")]
        )
    return data


def _text(data: dict, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(problems=[Problem("must be a string", key)])
    return value


def _strings(data: dict, key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(problems=[Problem("must be a list of strings", key)])
    return value


def _int(data: dict, key: str, *, required: bool = False) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(problems=[Problem("must be a non-negative integer", key)])
    return value


def _path_id(raw: str, noun: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(f"no {noun} {raw!r}")
    return int(raw)


def _content(data: dict) -> ItemContent:
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise InvalidInput(problems=[Problem("must be an object", "meta")])
    return ItemContent(
        text=_text(data, "text") or None,
        payload=data.get("payload"),
        media_url=_text(data, "media_url") or None,
        meta=meta,
    )


def _item_json(item: Any, dataset: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "dataset": dataset,
        "external_id": item.external_id,
        "text": item.text,
        "payload": item.payload,
        "media_url": item.media_url,
        "meta": item.meta,
        "created_at": item.created_at.isoformat(),
    }


def _escalation_json(e: Any, labels: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": e.id,
        "item_id": e.item_id,
        "guideline": e.guideline,
        "section_id": e.section_id,
        "release_version": e.release_version,
        "release_commit": e.release_commit,
        "question": e.question,
        "labels": labels or [],
        "status": e.status,
        "version": e.version,
        "reporter_id": e.reporter_id,
        "assignee_id": e.assignee_id,
        "decision_id": e.decision_id,
        "duplicate_of_id": e.duplicate_of_id,
        "reason": e.reason,
        "created_at": e.created_at.isoformat(),
        "url": url_for("escalations.show", escalation_id=e.id, _external=True),
    }


def _decision_json(d: Any, labels: list[str]) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "ruling": d.ruling,
        "rationale": d.rationale,
        "guideline": d.guideline,
        "section_id": d.section_id,
        "guideline_commit": d.guideline_commit,
        "labels": labels,
        "status": d.status,
        "version": d.version,
        "superseded_by_id": d.superseded_by_id,
        "created_at": d.created_at.isoformat(),
        "url": url_for("decisions.show", decision_id=d.id, _external=True),
    }


# --- datasets and items -------------------------------------------------------------------


@bp.get("/datasets")
@security.requires(Role.VIEWER)
def api_datasets() -> ResponseReturnValue:
    found = datasets.list_datasets(session=context.db_session())
    return jsonify(
        [
            {"slug": d.slug, "name": d.name, "url_template": d.url_template, "items": n}
            for d, n in found
        ]
    )


@bp.post("/datasets")
@security.requires(Role.LEAD)
def api_create_dataset() -> ResponseReturnValue:
    data = _body()
    dataset = datasets.create_dataset(
        session=context.db_session(),
        slug=_text(data, "slug"),
        name=_text(data, "name"),
        url_template=_text(data, "url_template") or None,
        actor_id=current_user.user_id,
    )
    return jsonify({"slug": dataset.slug, "name": dataset.name}), 201


@bp.get("/items")
@security.requires(Role.VIEWER)
def api_item() -> ResponseReturnValue:
    page = datasets.item_page(
        session=context.db_session(),
        dataset_slug=request.args.get("dataset", ""),
        external_id=request.args.get("external_id", ""),
    )
    body = _item_json(page.item, page.dataset.slug)
    body["escalations"] = [e.id for e in page.escalations]
    body["decisions"] = [d.id for d in page.decisions]
    return jsonify(body)


@bp.post("/items")
@security.requires(Role.ANNOTATOR)
def api_create_item() -> ResponseReturnValue:
    data = _body()
    item, created = datasets.create_item(
        session=context.db_session(),
        dataset_slug=_text(data, "dataset"),
        external_id=_text(data, "external_id"),
        content=_content(data),
        actor_id=current_user.user_id,
    )
    return jsonify(_item_json(item, _text(data, "dataset"))), 201 if created else 200


# --- escalations --------------------------------------------------------------------------


@bp.get("/escalations")
@security.requires(Role.VIEWER)
def api_escalations() -> ResponseReturnValue:
    args = request.args
    status = args.get("status", "active")
    statuses = (
        escalations.ACTIVE
        if status == "active"
        else tuple(x for x in status.split(",") if x and x != "all")
    )
    page_number = int(args["page"]) if args.get("page", "").isdigit() else 1
    filters = QueueFilters(
        guideline=args.get("guideline") or None,
        section=args.get("section") or None,
        label=args.get("label") or None,
        dataset=args.get("dataset") or None,
        statuses=statuses,
        reporter_id=current_user.user_id if args.get("mine") == "1" else None,
        sort=args.get("sort", "oldest"),
    )
    result = escalations.queue(session=context.db_session(), filters=filters, page=page_number)
    return jsonify(
        {
            "escalations": [
                {**_escalation_json(r.escalation, r.labels), "hits": r.hits} for r in result.rows
            ],
            "page": result.page,
            "has_next": result.has_next,
        }
    )


@bp.post("/escalations")
@security.requires(Role.ANNOTATOR)
def api_create_escalation() -> ResponseReturnValue:
    data = _body()
    escalation = escalations.create_escalation(
        session=context.db_session(),
        store=context.store(),
        data=EscalationInput(
            dataset=_text(data, "dataset"),
            external_id=_text(data, "external_id"),
            question=_text(data, "question"),
            guideline=_text(data, "guideline"),
            labels=_strings(data, "labels"),
            section_id=_text(data, "section_id") or None,
            content=_content(data),
        ),
        reporter_id=current_user.user_id,
    )
    labels = escalations.labels_of(context.db_session(), [escalation.id or 0])
    return jsonify(_escalation_json(escalation, labels.get(escalation.id or 0))), 201


@bp.get("/escalations/<escalation_id>")
@security.requires(Role.VIEWER)
def api_escalation(escalation_id: str) -> ResponseReturnValue:
    page = escalations.escalation_page(
        session=context.db_session(), escalation_id=_path_id(escalation_id, "escalation")
    )
    body = _escalation_json(page.escalation, page.labels)
    body["item"] = _item_json(page.item, page.dataset.slug)
    body["timeline"] = [
        {
            "at": entry.at.isoformat(),  # type: ignore[attr-defined]
            "kind": entry.kind,
            "actor": entry.actor,
            "from": entry.event.from_status if entry.event else None,
            "to": entry.event.to_status if entry.event else None,
            "text": (entry.event.reason if entry.event else entry.comment.body)
            if (entry.event or entry.comment)
            else "",
        }
        for entry in page.timeline
    ]
    return jsonify(body)


@bp.post("/escalations/<escalation_id>/transition")
@security.requires(Role.LEAD)
def api_transition(escalation_id: str) -> ResponseReturnValue:
    data = _body()
    assignee = _int(data, "assignee_id")
    change = Transition(
        to=_text(data, "to"),
        expected_version=_int(data, "version", required=True) or 0,
        reason=_text(data, "reason"),
        assignee_id=assignee if assignee is not None else current_user.user_id,
        decision_id=_int(data, "decision_id"),
        duplicate_of_id=_int(data, "duplicate_of_id"),
    )
    try:
        escalation = escalations.transition(
            session=context.db_session(),
            escalation_id=_path_id(escalation_id, "escalation"),
            change=change,
            actor_id=current_user.user_id,
        )
    except _TransitionConflict as error:
        status = status_of(error)
        body = {
            "status": status,
            "message": error.message,
            "current_status": error.current_status,
            "current_version": error.current_version,
        }
        return jsonify({"error": body}), status
    labels = escalations.labels_of(context.db_session(), [escalation.id or 0])
    return jsonify(_escalation_json(escalation, labels.get(escalation.id or 0)))


@bp.post("/escalations/<escalation_id>/comments")
@security.requires(Role.ANNOTATOR)
def api_comment(escalation_id: str) -> ResponseReturnValue:
    data = _body()
    comment = escalations.add_comment(
        session=context.db_session(),
        escalation_id=_path_id(escalation_id, "escalation"),
        body=_text(data, "body"),
        author_id=current_user.user_id,
    )
    return jsonify({"id": comment.id, "body": comment.body}), 201


# --- decisions ----------------------------------------------------------------------------


@bp.get("/decisions")
@security.requires(Role.VIEWER)
def api_decisions() -> ResponseReturnValue:
    args = request.args
    status = args.get("status", "all")
    filters = decisions.SearchFilters(
        guidelines=(args["guideline"],) if args.get("guideline") else (),
        section=args.get("section") or None,
        label=args.get("label") or None,
        statuses=() if status == "all" else tuple(s for s in status.split(",") if s),
        dataset=args.get("dataset") or None,
    )
    page_number = int(args["page"]) if args.get("page", "").isdigit() else 1
    log = decisions.decision_log(
        session=context.db_session(),
        query=args.get("q", "")[:500],
        filters=filters,
        page=page_number,
    )
    return jsonify(
        {
            "decisions": [
                {
                    **_decision_json(e.decision, e.labels),
                    "title_html": str(e.title_html) if e.title_html else None,
                    "snippet_html": str(e.snippet_html) if e.snippet_html else None,
                }
                for e in log.entries
            ],
            "page": log.page,
            "has_next": log.has_next,
        }
    )


def _decision_input(data: dict) -> decisions.DecisionInput:
    item_ids = data.get("item_ids") or []
    if not isinstance(item_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in item_ids
    ):
        raise InvalidInput(problems=[Problem("must be a list of item ids", "item_ids")])
    return decisions.DecisionInput(
        title=_text(data, "title"),
        ruling=_text(data, "ruling"),
        rationale=_text(data, "rationale"),
        guideline=_text(data, "guideline"),
        section_id=_text(data, "section_id") or None,
        labels=_strings(data, "labels"),
        ruling_labels=_strings(data, "ruling_labels"),
        tags=_strings(data, "tags"),
        item_ids=item_ids,
    )


@bp.post("/decisions")
@security.requires(Role.LEAD)
def api_create_decision() -> ResponseReturnValue:
    decision = decisions.create_decision(
        session=context.db_session(),
        store=context.store(),
        data=_decision_input(_body()),
        author_id=current_user.user_id,
    )
    labels = decisions.labels_of(context.db_session(), [decision.id or 0])
    return jsonify(_decision_json(decision, labels.get(decision.id or 0, []))), 201


@bp.get("/decisions/<decision_id>")
@security.requires(Role.VIEWER)
def api_decision(decision_id: str) -> ResponseReturnValue:
    page = decisions.decision_page(
        session=context.db_session(), decision_id=_path_id(decision_id, "decision")
    )
    body = _decision_json(page.decision, [x.label for x in page.labels])
    body["ruling_labels"] = [x.label for x in page.labels if x.applies]
    body["tags"] = page.tags
    body["item_ids"] = [item.id for item, _slug in page.items]
    body["amendments"] = [
        {
            "guideline": a.guideline,
            "commit": a.commit.id,
            "release": a.release.version if a.release else None,
        }
        for a in decisions.amendments_for(store=context.store(), decision=page.decision)
    ]
    return jsonify(body)


@bp.post("/decisions/<decision_id>/supersede")
@security.requires(Role.LEAD)
def api_supersede(decision_id: str) -> ResponseReturnValue:
    data = _body()
    decision = decisions.supersede(
        session=context.db_session(),
        decision_id=_path_id(decision_id, "decision"),
        by_id=_int(data, "by", required=True) or 0,
        expected_version=_int(data, "version"),
        actor_id=current_user.user_id,
    )
    return jsonify(_decision_json(decision, []))


@bp.post("/decisions/<decision_id>/retire")
@security.requires(Role.LEAD)
def api_retire(decision_id: str) -> ResponseReturnValue:
    data = _body()
    decision = decisions.retire(
        session=context.db_session(),
        decision_id=_path_id(decision_id, "decision"),
        reason=_text(data, "reason"),
        expected_version=_int(data, "version"),
        actor_id=current_user.user_id,
    )
    return jsonify(_decision_json(decision, []))
