"""One decision as its page shows it: labels, items, escalations, revisions with diffs."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlmodel import Session, col, select

from guidelines_app.domain.errors import AppError
from guidelines_app.domain.markdown import render_markdown
from guidelines_app.domain.textdiff import word_diff_html
from guidelines_app.models import (
    Dataset,
    Decision,
    DecisionItem,
    DecisionLabel,
    DecisionRevision,
    DecisionTag,
    Escalation,
    Item,
    User,
)
from guidelines_app.services.decisions.lifecycle import DecisionInput, get_decision


@dataclass
class RevisionView:
    revision: DecisionRevision
    editor: str
    changes: list[tuple[str, object]]


@dataclass
class DecisionPage:
    decision: Decision
    labels: list[DecisionLabel]
    tags: list[str]
    items: list[tuple[Item, str]]  # (item, dataset slug)
    escalations: list[Escalation]
    revisions: list[RevisionView]
    supersedes: list[Decision]
    superseded_by: Decision | None
    author: str
    rationale_html: Markup


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value) if value else "none"


def _changes(old: dict, new: dict) -> list[tuple[str, object]]:
    """(field, word-diff Markup for text fields, or "old -> new" text for the others)."""
    changes: list[tuple[str, object]] = []
    for key in ("title", "ruling", "rationale"):
        if old.get(key) != new.get(key):
            changes.append((key, word_diff_html(old.get(key) or "", new.get(key) or "")))
    for key in ("guideline", "section_id", "labels", "ruling_labels", "tags"):
        if old.get(key) != new.get(key):
            changes.append((key, f"{_shown(old.get(key))} → {_shown(new.get(key))}"))
    return changes


def decision_page(*, session: Session, decision_id: int) -> DecisionPage:
    decision = get_decision(session=session, decision_id=decision_id)
    labels = list(
        session.exec(
            select(DecisionLabel)
            .where(DecisionLabel.decision_id == decision_id)
            .order_by(col(DecisionLabel.applies).desc(), col(DecisionLabel.label))
        )
    )
    tags = list(
        session.exec(
            select(DecisionTag.tag)
            .where(DecisionTag.decision_id == decision_id)
            .order_by(col(DecisionTag.tag))
        )
    )
    items = [
        (item, slug)
        for item, slug in session.exec(
            select(Item, Dataset.slug)
            .join(DecisionItem, col(DecisionItem.item_id) == Item.id)
            .join(Dataset, col(Dataset.id) == Item.dataset_id)
            .where(DecisionItem.decision_id == decision_id)
            .order_by(col(Item.id))
        ).all()
    ]
    escalations = list(
        session.exec(
            select(Escalation)
            .where(Escalation.decision_id == decision_id)
            .order_by(col(Escalation.id))
        )
    )
    revisions = list(
        session.exec(
            select(DecisionRevision)
            .where(DecisionRevision.decision_id == decision_id)
            .order_by(col(DecisionRevision.number))
        )
    )
    user_ids = sorted({r.editor_id for r in revisions if r.editor_id} | {decision.author_id or 0})
    names = {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(user_ids)))}
    views = []
    previous: dict = {}
    for revision in revisions:
        views.append(
            RevisionView(
                revision,
                names.get(revision.editor_id, "someone"),
                _changes(previous, revision.snapshot) if previous else [],
            )
        )
        previous = revision.snapshot
    supersedes = list(
        session.exec(select(Decision).where(Decision.superseded_by_id == decision_id))
    )
    return DecisionPage(
        decision=decision,
        labels=labels,
        tags=tags,
        items=items,
        escalations=escalations,
        revisions=list(reversed(views)),
        supersedes=supersedes,
        superseded_by=(
            session.get(Decision, decision.superseded_by_id) if decision.superseded_by_id else None
        ),
        author=names.get(decision.author_id, "someone"),
        rationale_html=_rationale_html(decision.rationale),
    )


def _rationale_html(rationale: str) -> Markup:
    try:
        return Markup(render_markdown(rationale).html)  # markdown-it with raw HTML disabled
    except AppError:
        return Markup("<pre>") + rationale + Markup("</pre>")


def decision_input_of(page: DecisionPage) -> DecisionInput:
    """The current values, to pre-fill the edit form."""
    d = page.decision
    return DecisionInput(
        title=d.title,
        ruling=d.ruling,
        rationale=d.rationale,
        guideline=d.guideline,
        section_id=d.section_id,
        labels=[x.label for x in page.labels if not x.applies],
        ruling_labels=[x.label for x in page.labels if x.applies],
        tags=page.tags,
        item_ids=[item.id or 0 for item, _slug in page.items],
    )
