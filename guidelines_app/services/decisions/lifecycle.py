"""Recording decisions and keeping their history: create, edit, supersede, retire.

Every edit stores a revision snapshot (for diffs) and checks the version the lead
started from (``UPDATE ... WHERE version = ?``): a stale edit is a 409.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from guidelines_app.db import table_of, utcnow
from guidelines_app.domain.errors import Conflict, InvalidInput, NotFound, Problem, TooLarge
from guidelines_app.models import (
    Decision,
    DecisionLabel,
    DecisionRevision,
    DecisionStatus,
    DecisionTag,
)
from guidelines_app.services import audit
from guidelines_app.services.decisions.facts import (
    GuidelineFacts,
    check_labels,
    check_section,
    guideline_facts,
)
from guidelines_app.services.decisions.index import reindex
from guidelines_app.services.decisions.links import link_items
from guidelines_app.store import ContentStore

MAX_TITLE = 300
MAX_RULING = 20_000
MAX_RATIONALE = 100_000
MAX_TAGS = 20
TAG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


@dataclass
class DecisionInput:
    title: str = ""
    ruling: str = ""
    rationale: str = ""
    guideline: str = ""
    section_id: str | None = None
    labels: list[str] = field(default_factory=list)  # concerned
    ruling_labels: list[str] = field(default_factory=list)  # the ruling assigns these
    tags: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


def _check_input(store: ContentStore, data: DecisionInput) -> tuple[DecisionInput, GuidelineFacts]:
    if len(data.ruling) > MAX_RULING or len(data.rationale) > MAX_RATIONALE:
        raise TooLarge(
            f"a ruling may be at most {MAX_RULING} characters and a rationale {MAX_RATIONALE}"
        )
    problems = []
    title = " ".join(data.title.split())
    if not title or len(title) > MAX_TITLE:
        problems.append(Problem(f"give a title of at most {MAX_TITLE} characters", "title"))
    if not data.ruling.strip():
        problems.append(Problem("say what the ruling is", "ruling"))
    tags = list(dict.fromkeys(t.strip().lower().lstrip("#") for t in data.tags if t.strip()))
    bad_tags = [t for t in tags if not TAG_RE.fullmatch(t)]
    if bad_tags or len(tags) > MAX_TAGS:
        problems.append(
            Problem(f"tags are up to {MAX_TAGS} words of a-z, 0-9 and '-': {bad_tags}", "tags")
        )
    try:
        facts = guideline_facts(store, data.guideline.strip(), at_release=False)
    except InvalidInput as error:
        raise InvalidInput(problems=problems + error.problems) from None
    try:
        section = check_section(facts, data.section_id)
        ruling_labels = check_labels(facts, data.ruling_labels, "ruling_labels")
        labels = check_labels(facts, [*ruling_labels, *data.labels], "labels")
    except InvalidInput as error:
        problems += error.problems
    if problems:
        raise InvalidInput(problems=problems)
    cleaned = DecisionInput(
        title=title,
        ruling=data.ruling.strip(),
        rationale=data.rationale.strip(),
        guideline=facts.slug,
        section_id=section,
        labels=labels,
        ruling_labels=ruling_labels,
        tags=tags,
        item_ids=sorted(set(data.item_ids)),
    )
    return cleaned, facts


def _snapshot(data: DecisionInput) -> dict:
    return {
        "title": data.title,
        "ruling": data.ruling,
        "rationale": data.rationale,
        "guideline": data.guideline,
        "section_id": data.section_id,
        "labels": data.labels,
        "ruling_labels": data.ruling_labels,
        "tags": data.tags,
    }


def _write_children(session: Session, decision_id: int, data: DecisionInput) -> None:
    for model in (DecisionLabel, DecisionTag):
        table = table_of(model)
        session.execute(table.delete().where(table.c.decision_id == decision_id))
    session.add_all(
        DecisionLabel(decision_id=decision_id, label=label, applies=label in data.ruling_labels)
        for label in data.labels
    )
    session.add_all(DecisionTag(decision_id=decision_id, tag=tag) for tag in data.tags)


def create_decision(
    *,
    session: Session,
    store: ContentStore,
    data: DecisionInput,
    author_id: int | None,
    commit: bool = True,
) -> Decision:
    cleaned, facts = _check_input(store, data)
    decision = Decision(
        title=cleaned.title,
        ruling=cleaned.ruling,
        rationale=cleaned.rationale,
        guideline=cleaned.guideline,
        section_id=cleaned.section_id,
        guideline_commit=facts.commit_id,
        author_id=author_id,
    )
    session.add(decision)
    session.flush()
    decision_id = decision.id or 0
    _write_children(session, decision_id, cleaned)
    link_items(session, decision_id, cleaned.item_ids, author_id)
    session.add(
        DecisionRevision(
            decision_id=decision_id,
            number=1,
            editor_id=author_id,
            note="created",
            snapshot=_snapshot(cleaned),
        )
    )
    session.flush()
    reindex(session, decision_id)
    audit.record(
        session,
        actor_id=author_id,
        action="decision.create",
        object_type="decision",
        object_id=decision_id,
        summary=cleaned.title,
    )
    if commit:
        session.commit()
    return decision


def get_decision(*, session: Session, decision_id: int) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"no decision #{decision_id}")
    return decision


def _bump(session: Session, decision_id: int, expected_version: int | None, **values) -> Decision:
    """Update with the optimistic version check: a stale version is a 409."""
    decision = get_decision(session=session, decision_id=decision_id)
    version = decision.version if expected_version is None else expected_version
    result = session.execute(
        update(Decision)
        .where(col(Decision.id) == decision_id, col(Decision.version) == version)
        .values(version=version + 1, **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(
            f"decision #{decision_id} was changed by someone else meanwhile: reload it and retry"
        )
    session.refresh(decision)
    return decision


def update_decision(
    *,
    session: Session,
    store: ContentStore,
    decision_id: int,
    data: DecisionInput,
    expected_version: int | None,
    editor_id: int | None,
    note: str = "",
) -> Decision:
    current = get_decision(session=session, decision_id=decision_id)
    if current.status != DecisionStatus.ACTIVE:
        raise Conflict(f"decision #{decision_id} is {current.status}; only active ones are edited")
    cleaned, facts = _check_input(store, data)
    now = utcnow()
    decision = _bump(
        session,
        decision_id,
        expected_version,
        title=cleaned.title,
        ruling=cleaned.ruling,
        rationale=cleaned.rationale,
        guideline=cleaned.guideline,
        section_id=cleaned.section_id,
        guideline_commit=facts.commit_id,
        updated_at=now,
    )
    _write_children(session, decision_id, cleaned)
    link_items(session, decision_id, cleaned.item_ids, editor_id)
    number = session.exec(
        select(func.max(DecisionRevision.number)).where(DecisionRevision.decision_id == decision_id)
    ).one()
    session.add(
        DecisionRevision(
            decision_id=decision_id,
            number=(number or 0) + 1,
            editor_id=editor_id,
            note=note.strip()[:500],
            snapshot=_snapshot(cleaned),
        )
    )
    session.flush()
    reindex(session, decision_id)
    audit.record(
        session,
        actor_id=editor_id,
        action="decision.update",
        object_type="decision",
        object_id=decision_id,
        summary=note[:500],
    )
    session.commit()
    return decision


def supersede(
    *,
    session: Session,
    decision_id: int,
    by_id: int,
    expected_version: int | None,
    actor_id: int | None,
) -> Decision:
    if by_id == decision_id:
        raise InvalidInput(problems=[Problem("a decision cannot supersede itself", "by")])
    current = get_decision(session=session, decision_id=decision_id)
    successor = session.get(Decision, by_id)
    if successor is None:
        raise InvalidInput(problems=[Problem(f"no decision #{by_id}", "by")])
    if successor.status != DecisionStatus.ACTIVE:
        raise InvalidInput(problems=[Problem(f"decision #{by_id} is not active", "by")])
    if current.status != DecisionStatus.ACTIVE:
        raise Conflict(f"decision #{decision_id} is already {current.status}")
    return _end(
        session,
        decision_id,
        expected_version,
        actor_id,
        summary=f"superseded by #{by_id}",
        status=DecisionStatus.SUPERSEDED,
        superseded_by_id=by_id,
    )


def retire(
    *,
    session: Session,
    decision_id: int,
    reason: str,
    expected_version: int | None,
    actor_id: int | None,
) -> Decision:
    reason = reason.strip()
    if not reason or len(reason) > 5000:
        raise InvalidInput(problems=[Problem("say why (at most 5000 characters)", "reason")])
    current = get_decision(session=session, decision_id=decision_id)
    if current.status != DecisionStatus.ACTIVE:
        raise Conflict(f"decision #{decision_id} is already {current.status}")
    return _end(
        session,
        decision_id,
        expected_version,
        actor_id,
        summary=reason[:500],
        status=DecisionStatus.RETIRED,
        retired_reason=reason,
    )


def _end(
    session: Session,
    decision_id: int,
    expected_version: int | None,
    actor_id: int | None,
    *,
    summary: str,
    status: DecisionStatus,
    **values: object,
) -> Decision:
    """Supersede or retire: the versioned status change, audited, committed."""
    decision = _bump(
        session, decision_id, expected_version, status=status.value, updated_at=utcnow(), **values
    )
    action = "decision.supersede" if status == DecisionStatus.SUPERSEDED else "decision.retire"
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="decision",
        object_id=decision_id,
        summary=summary,
    )
    session.commit()
    return decision
