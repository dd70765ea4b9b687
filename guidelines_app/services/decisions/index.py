"""The text search sees for a decision, rebuilt whenever any part of it changes.

A decision is found by its title, ruling, rationale, labels and tags, and by what was
said around it: the text of the items it covers, the questions of the escalations it
resolved and their comments. Every service that changes one of these calls ``reindex``
in its own transaction.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from guidelines_app import search
from guidelines_app.models import (
    Decision,
    DecisionItem,
    DecisionLabel,
    DecisionTag,
    Escalation,
    EscalationComment,
    Item,
)
from guidelines_app.services.datasets import item_text


def reindex(session: Session, decision_id: int) -> None:
    """Rebuild the searchable text: ruling, labels, tags, rationale, items and comments."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        return
    labels = session.exec(
        select(DecisionLabel.label).where(DecisionLabel.decision_id == decision_id)
    ).all()
    tags = session.exec(select(DecisionTag.tag).where(DecisionTag.decision_id == decision_id))
    items = session.exec(
        select(Item)
        .join(DecisionItem, col(DecisionItem.item_id) == Item.id)
        .where(DecisionItem.decision_id == decision_id)
        .limit(50)
    ).all()
    comments = session.exec(
        select(EscalationComment.body)
        .join(Escalation, col(Escalation.id) == EscalationComment.escalation_id)
        .where(Escalation.decision_id == decision_id)
        .limit(200)
    ).all()
    questions = session.exec(
        select(Escalation.question).where(Escalation.decision_id == decision_id).limit(50)
    ).all()
    parts = [  # labels and tags last, so snippets come from the prose
        decision.ruling,
        decision.rationale,
        *(item_text(item)[:5000] for item in items),
        *questions,
        *comments,
        " ".join(labels),
        " ".join(tags),
    ]
    body = "\n\n".join(p for p in parts if p)
    search.index_decision(session, decision_id, title=decision.title, body=body)


def reindex_all(*, session: Session) -> int:
    ids = list(session.exec(select(Decision.id).order_by(col(Decision.id))))
    for decision_id in ids:
        reindex(session, decision_id or 0)
    session.commit()
    return len(ids)
