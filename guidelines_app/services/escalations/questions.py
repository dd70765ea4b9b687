"""Raising an escalation about an item, and the comment thread that follows it.

An escalation records the guideline release in force (the latest release, or the newest
revision) and checks its labels and section against that revision. A comment on an
escalation that a decision resolved becomes searchable with the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from guidelines_app.domain.errors import InvalidInput, Problem, TooLarge
from guidelines_app.models import Escalation, EscalationComment, EscalationEvent, EscalationLabel
from guidelines_app.services import audit
from guidelines_app.services.datasets import ItemContent, ensure_item, known_dataset
from guidelines_app.services.decisions import check_labels, check_section, guideline_facts, reindex
from guidelines_app.services.escalations.workflow import S, get_escalation, refresh_hits
from guidelines_app.store import ContentStore

MAX_QUESTION = 20_000
MAX_COMMENT = 20_000
MAX_LABELS = 10


@dataclass(frozen=True)
class EscalationInput:
    dataset: str
    external_id: str
    question: str
    guideline: str
    labels: Sequence[str] = ()
    section_id: str | None = None
    content: ItemContent = field(default_factory=ItemContent)


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
        lambda: guideline_facts(store, data.guideline.strip()),
    ):
        try:
            check()
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(problems=problems)
    dataset = known_dataset(session=session, slug=data.dataset)
    facts = guideline_facts(store, data.guideline.strip())
    labels = check_labels(facts, data.labels, "labels")
    if len(labels) > MAX_LABELS:
        raise InvalidInput(problems=[Problem(f"at most {MAX_LABELS} labels", "labels")])
    section_id = check_section(facts, data.section_id)
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
        reindex(session, escalation.decision_id)
    audit.record(
        session,
        actor_id=author_id,
        action="escalation.comment",
        object_type="escalation",
        object_id=escalation_id,
    )
    session.commit()
    return comment
