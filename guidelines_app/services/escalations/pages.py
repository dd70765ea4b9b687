"""One escalation as its page shows it: the item, the timeline, the workflow buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from guidelines_app.models import (
    Dataset,
    Decision,
    Escalation,
    EscalationComment,
    EscalationEvent,
    EscalationLabel,
    Item,
    User,
)
from guidelines_app.services.escalations.workflow import TRANSITIONS, S, get_escalation


@dataclass
class TimelineEntry:
    at: datetime
    kind: Literal["event", "comment"]
    actor: str
    event: EscalationEvent | None = None
    comment: EscalationComment | None = None


@dataclass
class EscalationPage:
    escalation: Escalation
    item: Item
    dataset: Dataset
    labels: list[str]
    timeline: list[TimelineEntry]
    reporter: str
    assignee: str | None
    decision: Decision | None
    duplicate_of: Escalation | None
    same_item: int
    allowed: list[str]


def user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id or 0: u.name for u in users}


def escalation_page(*, session: Session, escalation_id: int) -> EscalationPage:
    escalation = get_escalation(session=session, escalation_id=escalation_id)
    item = session.get(Item, escalation.item_id)
    assert item is not None  # the foreign key cascades
    dataset = session.get(Dataset, item.dataset_id)
    assert dataset is not None
    events = session.exec(
        select(EscalationEvent)
        .where(EscalationEvent.escalation_id == escalation_id)
        .order_by(col(EscalationEvent.at), col(EscalationEvent.id))
    ).all()
    comments = session.exec(
        select(EscalationComment)
        .where(EscalationComment.escalation_id == escalation_id)
        .order_by(col(EscalationComment.created_at), col(EscalationComment.id))
    ).all()
    names = user_names(
        session,
        {e.actor_id for e in events}
        | {c.author_id for c in comments}
        | {escalation.reporter_id, escalation.assignee_id},
    )
    timeline = [
        TimelineEntry(e.at, "event", names.get(e.actor_id or 0, "someone"), event=e) for e in events
    ] + [
        TimelineEntry(c.created_at, "comment", names.get(c.author_id or 0, "someone"), comment=c)
        for c in comments
    ]
    timeline.sort(key=lambda entry: entry.at)
    same_item = session.exec(
        select(func.count(func.distinct(Escalation.reporter_id))).where(
            Escalation.item_id == escalation.item_id
        )
    ).one()
    return EscalationPage(
        escalation=escalation,
        item=item,
        dataset=dataset,
        labels=labels_of(session, [escalation_id]).get(escalation_id, []),
        timeline=timeline,
        reporter=names.get(escalation.reporter_id or 0, "someone"),
        assignee=names.get(escalation.assignee_id or 0) if escalation.assignee_id else None,
        decision=session.get(Decision, escalation.decision_id) if escalation.decision_id else None,
        duplicate_of=(
            session.get(Escalation, escalation.duplicate_of_id)
            if escalation.duplicate_of_id
            else None
        ),
        same_item=int(same_item),
        allowed=sorted(s.value for s in TRANSITIONS[S(escalation.status)]),
    )


def labels_of(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for escalation_id, label in session.exec(
        select(EscalationLabel.escalation_id, EscalationLabel.label)
        .where(col(EscalationLabel.escalation_id).in_(list(ids)))
        .order_by(col(EscalationLabel.label))
    ).all():
        found.setdefault(escalation_id, []).append(label)
    return found
