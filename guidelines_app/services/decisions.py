"""Decisions: the team's case law, each refining one guideline section.

A decision points at ``guideline#section`` at the revision (commit id) where it was
made; it lists the labels it concerns (``applies`` marks those its ruling assigns),
the items it covers, tags; every edit keeps a revision with a snapshot for diffs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from guidelines_app import search
from guidelines_app.db import utcnow
from guidelines_app.domain.errors import (
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    Problem,
    TooLarge,
)
from guidelines_app.domain.guideline import parse_guideline
from guidelines_app.domain.markdown import render_markdown
from guidelines_app.domain.textdiff import word_diff_html
from guidelines_app.models import (
    Dataset,
    Decision,
    DecisionItem,
    DecisionLabel,
    DecisionRevision,
    DecisionStatus,
    DecisionTag,
    Escalation,
    EscalationComment,
    Item,
    User,
)
from guidelines_app.services import audit, documents, guidelines, overview, taxonomy_labels
from guidelines_app.services.items import ItemContent, ensure_item, item_text, known_dataset
from guidelines_app.store import ContentStore, Release, StoreError

MAX_TITLE = 300
MAX_RULING = 20_000
MAX_RATIONALE = 100_000
MAX_TAGS = 20
TAG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


@dataclass(frozen=True)
class GuidelineFacts:
    """What forms need of a guideline at one revision: labels and section ids."""

    slug: str
    title: str
    commit_id: str
    release: Release | None
    taxonomy: str
    labels: dict[str, taxonomy_labels.LabelInfo]
    sections: list[tuple[str, str]]  # (id, title) in document order


def guideline_facts(
    store: ContentStore, slug: str, *, at_release: bool = True, field_name: str = "guideline"
) -> GuidelineFacts:
    """The guideline at the release in force (or the newest revision); 422 naming it if unknown."""
    try:
        exists = bool(slug) and documents.exists(store, documents.GUIDELINE, slug)
    except (InvalidInput, StoreError):
        exists = False
    if not exists:
        raise InvalidInput(problems=[Problem(f"unknown guideline {slug!r}", field_name)])
    release = documents.latest_release(store, documents.GUIDELINE, slug) if at_release else None
    path = documents.GUIDELINE.path(slug)
    commit_id = release.commit_id if release else store.history(path, limit=1)[0].id
    parsed = parse_guideline(store.read(path, commit_id).text)
    labels = taxonomy_labels.labels(store, parsed.taxonomy, commit_id) or {}
    sections = [(s.id, s.title) for s in parsed.sections]
    return GuidelineFacts(slug, parsed.title, commit_id, release, parsed.taxonomy, labels, sections)


def check_labels(facts: GuidelineFacts, labels: Sequence[str], field_name: str) -> list[str]:
    """The labels, deduplicated; InvalidInput naming every one the taxonomy does not have."""
    cleaned = list(dict.fromkeys(label.strip() for label in labels if label and label.strip()))
    unknown = [label for label in cleaned if label not in facts.labels]
    if unknown:
        raise InvalidInput(
            problems=[
                Problem(f"unknown label {label!r} (not in taxonomy {facts.taxonomy})", field_name)
                for label in unknown
            ]
        )
    return cleaned


def check_section(facts: GuidelineFacts, section_id: str | None) -> str | None:
    section_id = (section_id or "").strip().lstrip("#") or None
    if section_id is not None and section_id not in {sid for sid, _t in facts.sections}:
        raise InvalidInput(
            problems=[Problem(f"{facts.slug} has no section #{section_id}", "section")]
        )
    return section_id


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
        session.execute(
            model.__table__.delete().where(model.__table__.c.decision_id == decision_id)
        )
    session.add_all(
        DecisionLabel(decision_id=decision_id, label=label, applies=label in data.ruling_labels)
        for label in data.labels
    )
    session.add_all(DecisionTag(decision_id=decision_id, tag=tag) for tag in data.tags)


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
    decision = _bump(
        session,
        decision_id,
        expected_version,
        status=DecisionStatus.SUPERSEDED.value,
        superseded_by_id=by_id,
        updated_at=utcnow(),
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="decision.supersede",
        object_type="decision",
        object_id=decision_id,
        summary=f"superseded by #{by_id}",
    )
    session.commit()
    return decision


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
    decision = _bump(
        session,
        decision_id,
        expected_version,
        status=DecisionStatus.RETIRED.value,
        retired_reason=reason,
        updated_at=utcnow(),
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="decision.retire",
        object_type="decision",
        object_id=decision_id,
        summary=reason[:500],
    )
    session.commit()
    return decision


# --- integration points for the guideline pages -------------------------------------------


def for_guideline_sections(*, session: Session, guideline: str) -> dict[str, list[Decision]]:
    """Section id -> active decisions refining it (marginal notes on the guideline page)."""
    found: dict[str, list[Decision]] = {}
    for decision in session.exec(
        select(Decision)
        .where(
            Decision.guideline == guideline,
            col(Decision.section_id).is_not(None),
            Decision.status == DecisionStatus.ACTIVE.value,
        )
        .order_by(col(Decision.id))
    ):
        found.setdefault(decision.section_id or "", []).append(decision)
    return found


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


guidelines.SECTION_NOTES.append(lambda s, g: for_guideline_sections(session=s, guideline=g))
guidelines.SECTION_REFERENCES.append(
    lambda s, g, ids: referencing_sections(session=s, guideline=g, section_ids=set(ids))
)
guidelines.DECISION_CHECKS.append(lambda s, ids: exists(session=s, ids=ids))
overview.COUNTERS["decisions"] = lambda session: count(session=session)


# --- reading: the log, one decision -------------------------------------------------------

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


def reindex_all(*, session: Session) -> int:
    ids = list(session.exec(select(Decision.id).order_by(col(Decision.id))))
    for decision_id in ids:
        reindex(session, decision_id or 0)
    session.commit()
    return len(ids)


SearchFilters = search.SearchFilters


def guidelines_of_user(*, session: Session, user_id: int) -> list[str]:
    """The guidelines an annotator works on: acknowledged or escalated on."""
    from guidelines_app.models import GuidelineAcknowledgment

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
