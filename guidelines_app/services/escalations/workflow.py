"""The escalation workflow: states, the arrows between them, and the optimistic check.

``open -> in_review -> resolved | dismissed | duplicate``; a closed escalation may be
reopened with a reason, one in review may be handed back to the queue. Every
transition checks the version the actor saw (``UPDATE ... WHERE version = ?``), so of
two leads acting at once one wins and the other gets a 409 with the current state.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from guidelines_app.db import utcnow
from guidelines_app.domain.errors import Conflict, InvalidInput, NotFound, Problem, TooLarge
from guidelines_app.models import (
    Decision,
    Escalation,
    EscalationEvent,
    EscalationStatus,
    Item,
    Role,
    User,
)
from guidelines_app.models.cases import CLOSED_STATUSES
from guidelines_app.services import audit
from guidelines_app.services.decisions import DecisionInput, create_decision, link_items, reindex
from guidelines_app.store import ContentStore

MAX_REASON = 5_000

S = EscalationStatus
TRANSITIONS: dict[S, frozenset[S]] = {
    S.OPEN: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.RESOLVED, S.DISMISSED, S.DUPLICATE, S.OPEN}),
    S.RESOLVED: frozenset({S.OPEN}),
    S.DISMISSED: frozenset({S.OPEN}),
    S.DUPLICATE: frozenset({S.OPEN}),
}


ACTIVE = (S.OPEN.value, S.IN_REVIEW.value)


class TransitionConflict(Conflict):
    """The escalation is not where the actor thought: moved meanwhile, or no such arrow."""

    def __init__(self, message: str, current: Escalation) -> None:
        super().__init__(message)
        self.current_status = current.status
        self.current_version = current.version


def refresh_hits(session: Session, item_id: int) -> None:
    """Recount the distinct annotators with an active escalation on the item (no commit)."""
    active = (
        select(func.count(func.distinct(Escalation.reporter_id)))
        .where(Escalation.item_id == item_id, col(Escalation.status).in_(ACTIVE))
        .scalar_subquery()
    )
    session.execute(update(Item).where(col(Item.id) == item_id).values(active_reporters=active))


def get_escalation(*, session: Session, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"no escalation #{escalation_id}")
    return escalation


@dataclass(frozen=True)
class Transition:
    to: str
    expected_version: int
    reason: str = ""
    assignee_id: int | None = None
    decision_id: int | None = None
    duplicate_of_id: int | None = None


def _target(raw: str) -> S:
    try:
        return S(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in S)
        raise InvalidInput(
            problems=[Problem(f"unknown status {raw!r} (one of {allowed})", "to")]
        ) from None


def _check_transition(session: Session, current: Escalation, change: Transition) -> dict:
    """The column values of a valid transition; 409 when not allowed from here, 422 on bad input."""
    target = _target(change.to)
    state = S(current.status)
    if target not in TRANSITIONS[state]:
        raise TransitionConflict(
            f"escalation #{current.id} is {state.value}: it cannot go to {target.value}", current
        )
    reason = change.reason.strip()
    if len(reason) > MAX_REASON:
        raise TooLarge(f"a reason may be at most {MAX_REASON} characters")
    values: dict = {"status": target.value, "reason": reason or None}
    if target == S.IN_REVIEW:
        lead = session.get(User, change.assignee_id) if change.assignee_id else None
        if lead is None or not Role(lead.role).includes(Role.LEAD) or lead.disabled_at:
            raise InvalidInput(problems=[Problem("assign it to an active lead", "assignee")])
        values["assignee_id"] = lead.id
    elif target == S.RESOLVED:
        decision = session.get(Decision, change.decision_id) if change.decision_id else None
        if decision is None:
            raise InvalidInput(
                problems=[Problem("resolve it with an existing decision", "decision")]
            )
        values["decision_id"] = decision.id
    elif target == S.DISMISSED and not reason:
        raise InvalidInput(problems=[Problem("say why it is dismissed", "reason")])
    elif target == S.DUPLICATE:
        values.update(_duplicate_target(session, current, change))
    elif target == S.OPEN and state in CLOSED_STATUSES and not reason:
        raise InvalidInput(problems=[Problem("say why it is reopened", "reason")])
    if target == S.OPEN:
        values.update(assignee_id=None, decision_id=None, duplicate_of_id=None, closed_at=None)
    if target in CLOSED_STATUSES:
        values["closed_at"] = utcnow()
    return values


def _duplicate_target(session: Session, current: Escalation, change: Transition) -> dict:
    if change.duplicate_of_id:
        other = session.get(Escalation, change.duplicate_of_id)
        if other is None or other.id == current.id:
            raise InvalidInput(
                problems=[Problem("point to another existing escalation", "duplicate_of")]
            )
        return {"duplicate_of_id": other.id}
    if change.decision_id and session.get(Decision, change.decision_id) is not None:
        return {"decision_id": change.decision_id}
    raise InvalidInput(
        problems=[Problem("point to the escalation or decision it duplicates", "duplicate_of")]
    )


def transition(
    *, session: Session, escalation_id: int, change: Transition, actor_id: int | None
) -> Escalation:
    current = get_escalation(session=session, escalation_id=escalation_id)
    if current.version != change.expected_version:
        raise TransitionConflict(
            f"escalation #{escalation_id} changed meanwhile: it is now {current.status}", current
        )
    values = _check_transition(session, current, change)
    _apply(session, current, values, change, actor_id)
    session.commit()
    return current


def _apply(
    session: Session, current: Escalation, values: dict, change: Transition, actor_id: int | None
) -> None:
    """Compare-and-swap on ``version``, then the event, the decision links and the audit."""
    from_status = current.status
    result = session.execute(
        update(Escalation)
        .where(col(Escalation.id) == current.id, col(Escalation.version) == change.expected_version)
        .values(version=change.expected_version + 1, updated_at=utcnow(), **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        fresh = get_escalation(session=session, escalation_id=current.id or 0)
        raise TransitionConflict(
            f"escalation #{current.id} changed meanwhile: it is now {fresh.status}", fresh
        )
    session.add(
        EscalationEvent(
            escalation_id=current.id or 0,
            actor_id=actor_id,
            from_status=from_status,
            to_status=values["status"],
            reason=values.get("reason") or "",
            detail={k: v for k, v in values.items() if k.endswith("_id") and v is not None},
        )
    )
    refresh_hits(session, current.item_id)
    if values.get("decision_id"):
        link_items(session, values["decision_id"], [current.item_id], actor_id)
    session.flush()
    session.refresh(current)
    if current.decision_id:
        reindex(session, current.decision_id)
    audit.record(
        session,
        actor_id=actor_id,
        action=f"escalation.{values['status']}",
        object_type="escalation",
        object_id=current.id or 0,
        summary=f"{from_status} -> {values['status']}",
    )


def resolve_with_new_decision(
    *,
    session: Session,
    store: ContentStore,
    escalation_id: int,
    expected_version: int,
    data: DecisionInput,
    actor_id: int | None,
) -> tuple[Escalation, Decision]:
    """Rule on an escalation in review: the new decision and the resolution in one transaction."""
    current = get_escalation(session=session, escalation_id=escalation_id)
    if current.version != expected_version or current.status != S.IN_REVIEW:
        raise TransitionConflict(
            f"escalation #{escalation_id} is {current.status}"
            + (" (changed meanwhile)" if current.version != expected_version else "")
            + ": only one in review can be resolved",
            current,
        )
    data.item_ids = sorted({*data.item_ids, current.item_id})
    decision = create_decision(
        session=session, store=store, data=data, author_id=actor_id, commit=False
    )
    change = Transition(S.RESOLVED.value, expected_version, decision_id=decision.id)
    _apply(session, current, _check_transition(session, current, change), change, actor_id)
    session.commit()
    return current, decision
