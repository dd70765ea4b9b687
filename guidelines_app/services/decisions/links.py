"""Items linked to decisions: by the lead, or by an annotator whose question a decision
already answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Decision, DecisionItem, Item
from guidelines_app.services import audit
from guidelines_app.services.datasets import ItemContent, ensure_item, known_dataset
from guidelines_app.services.decisions.index import reindex


def link_items(
    session: Session, decision_id: int, item_ids: Sequence[int], actor_id: int | None
) -> None:
    """Link items to a decision (no commit); unknown ids are refused with 422."""
    wanted = sorted(set(item_ids))
    if not wanted:
        return
    found = set(session.exec(select(Item.id).where(col(Item.id).in_(wanted))).all())
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(problems=[Problem(f"no item with id {i}", "items") for i in missing])
    linked = set(
        session.exec(
            select(DecisionItem.item_id).where(
                DecisionItem.decision_id == decision_id, col(DecisionItem.item_id).in_(wanted)
            )
        ).all()
    )
    session.add_all(
        DecisionItem(decision_id=decision_id, item_id=i, linked_by=actor_id)
        for i in wanted
        if i not in linked
    )
    session.flush()


def answer_with_decision(
    *,
    session: Session,
    dataset: str,
    external_id: str,
    content: ItemContent,
    decision_id: int,
    actor_id: int | None,
) -> Item:
    """Link an item to a decision that answers the question, instead of escalating it."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise InvalidInput(problems=[Problem(f"no decision #{decision_id}", "decision")])
    found = known_dataset(session=session, slug=dataset)
    item, _created = ensure_item(
        session=session, dataset=found, external_id=external_id, content=content, actor_id=actor_id
    )
    link_items(session, decision_id, [item.id or 0], actor_id)
    reindex(session, decision_id)
    audit.record(
        session,
        actor_id=actor_id,
        action="decision.link_item",
        object_type="decision",
        object_id=decision_id,
        summary=f"{found.slug}/{item.external_id}"[:500],
    )
    session.commit()
    return item
