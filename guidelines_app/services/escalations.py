"""Escalations: an annotator's question about an item, and its workflow.

``open -> in_review -> resolved | dismissed | duplicate``; a closed escalation may be
reopened with a reason, one in review may be handed back to the queue. Every
transition checks the version the actor saw (``UPDATE ... WHERE version = ?``), so of
two leads acting at once one wins and the other gets a 409 with the current state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, func, update
from sqlmodel import Session, col, select

from guidelines_app.db import utcnow
from guidelines_app.domain.errors import Conflict, InvalidInput, NotFound, Problem, TooLarge
from guidelines_app.models import (
    Dataset,
    Decision,
    Escalation,
    EscalationComment,
    EscalationEvent,
    EscalationLabel,
    EscalationStatus,
    Item,
    Role,
    User,
)
from guidelines_app.models.cases import CLOSED_STATUSES
from guidelines_app.services import audit, decisions, guidelines, overview
from guidelines_app.services.items import ItemContent, ensure_item, known_dataset
from guidelines_app.store import ContentStore

MAX_QUESTION = 20_000
MAX_COMMENT = 20_000
MAX_REASON = 5_000
MAX_LABELS = 10

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


@dataclass(frozen=True)
class EscalationInput:
    dataset: str
    external_id: str
    question: str
    guideline: str
    labels: Sequence[str] = ()
    section_id: str | None = None
    content: ItemContent = field(default_factory=ItemContent)


def refresh_hits(session: Session, item_id: int) -> None:
    """Recount the distinct annotators with an active escalation on the item (no commit)."""
    active = (
        select(func.count(func.distinct(Escalation.reporter_id)))
        .where(Escalation.item_id == item_id, col(Escalation.status).in_(ACTIVE))
        .scalar_subquery()
    )
    session.execute(update(Item).where(col(Item.id) == item_id).values(active_reporters=active))


def create_escalation(
    *, session: Session, store: ContentStore, data: EscalationInput, reporter_id: int | None
) -> Escalation:
    """Record the question with the guideline release in force; the item is created if new."""
    if len(data.question) > MAX_QUESTION:
        raise TooLarge(f"a question may be at most {MAX_QUESTION} characters")
    problems: list[Problem] = []
    question = data.question.strip()
    if not question:
        problems.append(Problem("ask the question the guideline does not settle", "question"))
    for check in (
        lambda: known_dataset(session=session, slug=data.dataset),
        lambda: decisions.guideline_facts(store, data.guideline.strip()),
    ):
        try:
            check()
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(problems=problems)
    dataset = known_dataset(session=session, slug=data.dataset)
    facts = decisions.guideline_facts(store, data.guideline.strip())
    labels = decisions.check_labels(facts, data.labels, "labels")
    if len(labels) > MAX_LABELS:
        raise InvalidInput(problems=[Problem(f"at most {MAX_LABELS} labels", "labels")])
    section_id = decisions.check_section(facts, data.section_id)
    item, _created = ensure_item(
        session=session,
        dataset=dataset,
        external_id=data.external_id,
        content=data.content,
        actor_id=reporter_id,
    )
    escalation = Escalation(
        item_id=item.id or 0,
        guideline=facts.slug,
        section_id=section_id,
        release_version=facts.release.version if facts.release else None,
        release_commit=facts.commit_id,
        question=question,
        reporter_id=reporter_id,
    )
    session.add(escalation)
    session.flush()
    session.add_all(EscalationLabel(escalation_id=escalation.id or 0, label=x) for x in labels)
    session.flush()
    refresh_hits(session, item.id or 0)
    session.add(
        EscalationEvent(
            escalation_id=escalation.id or 0,
            actor_id=reporter_id,
            from_status=None,
            to_status=S.OPEN.value,
        )
    )
    audit.record(
        session,
        actor_id=reporter_id,
        action="escalation.create",
        object_type="escalation",
        object_id=escalation.id or 0,
        summary=question[:200],
    )
    session.commit()
    return escalation


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
        decisions.link_items(session, values["decision_id"], [current.item_id], actor_id)
    session.flush()
    session.refresh(current)
    if current.decision_id:
        decisions.reindex(session, current.decision_id)
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
    data: decisions.DecisionInput,
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
    decision = decisions.create_decision(
        session=session, store=store, data=data, author_id=actor_id, commit=False
    )
    change = Transition(S.RESOLVED.value, expected_version, decision_id=decision.id)
    _apply(session, current, _check_transition(session, current, change), change, actor_id)
    session.commit()
    return current, decision


def add_comment(
    *, session: Session, escalation_id: int, body: str, author_id: int | None
) -> EscalationComment:
    if len(body) > MAX_COMMENT:
        raise TooLarge(f"a comment may be at most {MAX_COMMENT} characters")
    if not body.strip():
        raise InvalidInput(problems=[Problem("write something", "body")])
    escalation = get_escalation(session=session, escalation_id=escalation_id)
    comment = EscalationComment(escalation_id=escalation_id, author_id=author_id, body=body.strip())
    session.add(comment)
    session.flush()
    if escalation.decision_id:
        decisions.reindex(session, escalation.decision_id)
    audit.record(
        session,
        actor_id=author_id,
        action="escalation.comment",
        object_type="escalation",
        object_id=escalation_id,
    )
    session.commit()
    return comment


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


guidelines.OPEN_ESCALATIONS.append(lambda s: open_counts_by_guideline(session=s))
overview.COUNTERS["open escalations"] = lambda session: open_count(session=session)


# --- reading: one escalation, queues, weak spots ------------------------------------------


@dataclass
class TimelineEntry:
    at: object
    kind: str  # "event" or "comment"
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
    timeline.sort(key=lambda entry: entry.at)  # type: ignore[arg-type,return-value]
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
    conditions = [col(Escalation.status).in_(filters.statuses)] if filters.statuses else []
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
    order = {
        "oldest": [col(Escalation.created_at), col(Escalation.id)],
        "newest": [col(Escalation.created_at).desc(), col(Escalation.id).desc()],
        "hits": [col(Item.active_reporters).desc(), col(Escalation.created_at)],
    }[filters.sort]
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
    where = [col(Escalation.status).in_(ACTIVE)]
    if guideline:
        where.append(col(Escalation.guideline) == guideline)
    n = func.count().label("n")
    sections = session.exec(
        select(Escalation.guideline, Escalation.section_id, n)
        .where(*where)
        .group_by(Escalation.guideline, Escalation.section_id)
        .order_by(n.desc())
        .limit(limit)
    ).all()
    first = EscalationLabel.__table__.alias("first")
    second = EscalationLabel.__table__.alias("second")
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
