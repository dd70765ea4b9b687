"""The triage queue, open counts, and "where it hurts" (weak spots of the guidelines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, func
from sqlmodel import Session, col, select

from guidelines_app.db import table_of, utcnow
from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Dataset, Escalation, EscalationLabel, Item, Role, User
from guidelines_app.services.escalations.pages import labels_of, user_names
from guidelines_app.services.escalations.workflow import ACTIVE, S


def open_counts_by_guideline(*, session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Escalation.guideline, func.count())
        .where(col(Escalation.status).in_([S.OPEN.value, S.IN_REVIEW.value]))
        .group_by(Escalation.guideline)
    ).all()
    return {guideline: int(n) for guideline, n in rows}


def open_count(*, session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Escalation)
            .where(col(Escalation.status).in_([S.OPEN.value, S.IN_REVIEW.value]))
        ).one()
    )


QUEUE_PAGE = 50
SORTS = ("oldest", "newest", "hits")


@dataclass(frozen=True)
class QueueFilters:
    guideline: str | None = None
    section: str | None = None
    label: str | None = None
    dataset: str | None = None
    statuses: tuple[str, ...] = ACTIVE
    assignee_id: int | None = None
    reporter_id: int | None = None
    older_than_days: int | None = None
    sort: str = "oldest"


@dataclass
class QueueRow:
    escalation: Escalation
    dataset: str
    external_id: str
    labels: list[str]
    hits: int
    reporter: str
    assignee: str | None


@dataclass
class QueuePage:
    rows: list[QueueRow]
    has_next: bool
    page: int


def check_queue_filters(filters: QueueFilters) -> QueueFilters:
    problems = []
    unknown = [s for s in filters.statuses if s not in {x.value for x in S}]
    if unknown:
        problems.append(Problem(f"unknown status {unknown[0]!r}", "status"))
    if filters.sort not in SORTS:
        problems.append(Problem(f"sort by one of {', '.join(SORTS)}", "sort"))
    if filters.older_than_days is not None and not 0 <= filters.older_than_days <= 36_500:
        problems.append(Problem("age is a number of days", "age"))
    if problems:
        raise InvalidInput(problems=problems)
    return filters


def queue(*, session: Session, filters: QueueFilters, page: int = 1) -> QueuePage:
    """The triage queue (or one annotator's escalations), newest activity at hand."""
    check_queue_filters(filters)
    page = max(1, page)
    conditions: list[ColumnElement[bool]] = (
        [col(Escalation.status).in_(filters.statuses)] if filters.statuses else []
    )
    if filters.guideline:
        conditions.append(col(Escalation.guideline) == filters.guideline)
    if filters.section:
        conditions.append(col(Escalation.section_id) == filters.section)
    if filters.assignee_id is not None:
        conditions.append(col(Escalation.assignee_id) == filters.assignee_id)
    if filters.reporter_id is not None:
        conditions.append(col(Escalation.reporter_id) == filters.reporter_id)
    if filters.older_than_days:
        cutoff = utcnow() - timedelta(days=filters.older_than_days)
        conditions.append(col(Escalation.created_at) <= cutoff)
    if filters.label:
        conditions.append(
            col(Escalation.id).in_(
                select(EscalationLabel.escalation_id).where(EscalationLabel.label == filters.label)
            )
        )
    if filters.dataset:
        conditions.append(col(Dataset.slug) == filters.dataset)
    orders: dict[str, list[SQLColumnExpression[Any]]] = {
        "oldest": [col(Escalation.created_at), col(Escalation.id)],
        "newest": [col(Escalation.created_at).desc(), col(Escalation.id).desc()],
        "hits": [col(Item.active_reporters).desc(), col(Escalation.created_at)],
    }
    order = orders[filters.sort]
    statement = (
        select(Escalation, Item.external_id, Dataset.slug)
        .join(Item, col(Item.id) == Escalation.item_id)
        .join(Dataset, col(Dataset.id) == Item.dataset_id)
        .where(*conditions)
        .order_by(*order)
        .limit(QUEUE_PAGE + 1)
        .offset((page - 1) * QUEUE_PAGE)
    )
    rows = session.exec(statement).all()
    shown = rows[:QUEUE_PAGE]
    hits = dict(
        session.exec(
            select(Item.id, Item.active_reporters).where(
                col(Item.id).in_({e.item_id for e, *_ in shown})
            )
        ).all()
    )
    labels = labels_of(session, [e.id or 0 for e, *_rest in shown])
    names = user_names(
        session, {e.reporter_id for e, *_ in shown} | {e.assignee_id for e, *_ in shown}
    )
    return QueuePage(
        rows=[
            QueueRow(
                escalation=e,
                dataset=slug,
                external_id=external_id,
                labels=labels.get(e.id or 0, []),
                hits=hits.get(e.item_id, 0),
                reporter=names.get(e.reporter_id or 0, "someone"),
                assignee=names.get(e.assignee_id or 0) if e.assignee_id else None,
            )
            for e, external_id, slug in shown
        ],
        has_next=len(rows) > QUEUE_PAGE,
        page=page,
    )


@dataclass
class WeakSpots:
    by_section: list[tuple[str, str | None, int]]
    by_label_pair: list[tuple[str, str, int]]


def weak_spots(*, session: Session, guideline: str | None = None, limit: int = 15) -> WeakSpots:
    """Where open escalations pile up: per guideline section and per pair of labels."""
    where: list[ColumnElement[bool]] = [col(Escalation.status).in_(ACTIVE)]
    if guideline:
        where.append(col(Escalation.guideline) == guideline)
    n = func.count().label("n")
    sections = session.exec(
        select(Escalation.guideline, Escalation.section_id, n)
        .where(*where)
        .group_by(col(Escalation.guideline), col(Escalation.section_id))
        .order_by(n.desc())
        .limit(limit)
    ).all()
    first = table_of(EscalationLabel).alias("first")
    second = table_of(EscalationLabel).alias("second")
    pairs = session.exec(
        select(first.c.label, second.c.label, n)
        .select_from(first)
        .join(
            second,
            and_(
                second.c.escalation_id == first.c.escalation_id,
                first.c.label < second.c.label,
            ),
        )
        .join(Escalation, col(Escalation.id) == first.c.escalation_id)
        .where(*where)
        .group_by(first.c.label, second.c.label)
        .order_by(n.desc())
        .limit(limit)
    ).all()
    return WeakSpots(
        by_section=[(g, s, int(c)) for g, s, c in sections],
        by_label_pair=[(a, b, int(c)) for a, b, c in pairs],
    )


def leads(*, session: Session) -> list[User]:
    """Active users who may take an escalation (leads and admins)."""
    users = session.exec(
        select(User).where(col(User.disabled_at).is_(None)).order_by(col(User.username))
    ).all()
    return [u for u in users if Role(u.role).includes(Role.LEAD)]
