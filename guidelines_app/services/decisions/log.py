"""Reading the decision log: search or newest first, and the questions guideline pages ask."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from guidelines_app import search
from guidelines_app.models import (
    Decision,
    DecisionLabel,
    DecisionStatus,
    Escalation,
    GuidelineAcknowledgment,
)

LOG_PAGE = 20


@dataclass
class LogEntry:
    decision: Decision
    labels: list[str]
    title_html: str | None = None
    snippet_html: str | None = None


@dataclass
class LogPage:
    entries: list[LogEntry]
    has_next: bool
    page: int
    searched: bool


def labels_of(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if ids:
        for decision_id, label in session.exec(
            select(DecisionLabel.decision_id, DecisionLabel.label)
            .where(col(DecisionLabel.decision_id).in_(list(ids)))
            .order_by(col(DecisionLabel.label))
        ).all():
            found.setdefault(decision_id, []).append(label)
    return found


def decision_log(
    *,
    session: Session,
    query: str = "",
    filters: search.SearchFilters | None = None,
    page: int = 1,
    match_any: bool = False,
    per_page: int = LOG_PAGE,
) -> LogPage:
    """Search results ranked with snippets, or (no query) the newest decisions first."""
    filters = filters or search.SearchFilters()
    page = max(1, min(page, 10_000))
    offset = (page - 1) * per_page
    parsed = search.parse_query(query)
    if not parsed.is_empty:
        result = search.search(
            session, query, filters=filters, match_any=match_any, limit=per_page, offset=offset
        )
        ids = [hit.decision_id for hit in result.hits]
        found = {d.id: d for d in session.exec(select(Decision).where(col(Decision.id).in_(ids)))}
        labels = labels_of(session, ids)
        entries = [
            LogEntry(
                found[h.decision_id], labels.get(h.decision_id, []), h.title_html, h.snippet_html
            )
            for h in result.hits
            if h.decision_id in found
        ]
        return LogPage(entries, result.has_next, page, searched=True)
    rows = list(
        session.exec(
            select(Decision)
            .where(*search.filter_conditions(filters))
            .order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
            .limit(per_page + 1)
            .offset(offset)
        )
    )
    shown = rows[:per_page]
    labels = labels_of(session, [d.id or 0 for d in shown])
    entries = [LogEntry(d, labels.get(d.id or 0, [])) for d in shown]
    return LogPage(entries, len(rows) > per_page, page, searched=False)


def guidelines_of_user(*, session: Session, user_id: int) -> list[str]:
    """The guidelines an annotator works on: acknowledged or escalated on."""
    found = set(
        session.exec(
            select(GuidelineAcknowledgment.guideline).where(
                GuidelineAcknowledgment.user_id == user_id
            )
        )
    )
    found |= set(
        session.exec(select(Escalation.guideline).where(Escalation.reporter_id == user_id))
    )
    return sorted(found)


#: Decisions listed per section in a guideline's margin; the rest are counted and linked.
MARGIN_NOTES = 5


@dataclass(frozen=True)
class SectionNotes:
    """The active decisions refining one section: how many, and the newest few."""

    total: int
    latest: list[Decision]

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[Decision]:
        return iter(self.latest)

    @property
    def more(self) -> int:
        return self.total - len(self.latest)


def for_guideline_sections(
    *, session: Session, guideline: str, per_section: int = MARGIN_NOTES
) -> dict[str, SectionNotes]:
    """Section id -> the active decisions refining it (marginal notes on the guideline
    page): each section's count and its ``per_section`` newest, in two queries that read
    no more rows than they show, however many decisions the guideline has gathered."""
    active = (
        Decision.guideline == guideline,
        col(Decision.section_id).is_not(None),
        Decision.status == DecisionStatus.ACTIVE.value,
    )
    counts = dict(
        session.exec(
            select(Decision.section_id, func.count()).where(*active).group_by(Decision.section_id)
        ).all()
    )
    if not counts:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=col(Decision.section_id), order_by=col(Decision.id).desc())
        .label("rank")
    )
    ranked = select(col(Decision.id), rank).where(*active).subquery()
    newest = session.exec(
        select(Decision)
        .join(ranked, col(Decision.id) == ranked.c.id)
        .where(ranked.c.rank <= per_section)
        .order_by(col(Decision.id))
    ).all()
    latest: dict[str, list[Decision]] = {}
    for decision in newest:
        latest.setdefault(decision.section_id or "", []).append(decision)
    return {
        section: SectionNotes(int(total), latest.get(section or "", []))
        for section, total in sorted(counts.items(), key=lambda kv: str(kv[0]))
        if section
    }


def referencing_sections(
    *, session: Session, guideline: str, section_ids: set[str]
) -> dict[str, list[Decision]]:
    """Section id -> active decisions pointing at it, for the ids given."""
    if not section_ids:
        return {}
    found: dict[str, list[Decision]] = {}
    for decision in session.exec(
        select(Decision)
        .where(
            Decision.guideline == guideline,
            col(Decision.section_id).in_(sorted(section_ids)),
            Decision.status == DecisionStatus.ACTIVE.value,
        )
        .order_by(col(Decision.id))
    ):
        found.setdefault(decision.section_id or "", []).append(decision)
    return found


def exists(*, session: Session, ids: Sequence[int]) -> list[int]:
    """The ids among ``ids`` that name no decision."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    found = set(session.exec(select(Decision.id).where(col(Decision.id).in_(wanted))).all())
    return [i for i in wanted if i not in found]


def count(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Decision)).one())
