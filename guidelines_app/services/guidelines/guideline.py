"""Guidelines: read, render, edit, release, and acknowledge."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from guidelines_app.domain.errors import (
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    Problem,
    TooLarge,
)
from guidelines_app.domain.guideline import (
    Guideline,
    check_slug,
    parse_guideline,
    readable_guideline,
    removed_section_ids,
    render_template_guideline,
    section_problems,
    serialize_guideline,
    unknown_label_mentions,
)
from guidelines_app.domain.markdown import RenderedGuideline, render_markdown
from guidelines_app.domain.trailers import audit_trailer, decision_id, decision_trailers
from guidelines_app.services import audit, documents, escalations, taxonomies
from guidelines_app.services import decisions as case_law
from guidelines_app.services.documents import GUIDELINE, Ref, SaveOutcome, Validity
from guidelines_app.services.guidelines.validity import (
    check_releasable,
    parse_named,
    problems_at,
    validate_text,
)
from guidelines_app.store import Author, CommitInfo, ContentStore, Release, StoreUnavailable

LabelUrl = Callable[[str, str], str]  # (taxonomy slug, label id) -> URL
SectionUrl = Callable[[str], str]  # section id -> URL of the section in the version shown


@dataclass(frozen=True)
class GuidelineEntry:
    """A row of the index."""

    slug: str
    title: str
    taxonomy: str
    summary: str | None
    archived: bool
    latest_release: Release | None
    ahead: int
    open_escalations: int = 0
    error: str | None = None


@dataclass(frozen=True)
class GuidelinePage:
    slug: str
    guideline: Guideline
    rendered: RenderedGuideline
    ref: Ref
    revision: CommitInfo
    blob_id: str
    latest_release: Release | None
    ahead: int
    text: str
    #: What the save path would refuse in the version shown (a push may have brought it).
    problems: Validity
    #: The draft's verdict when another version is shown (None when the draft is shown).
    draft_problems: Validity | None = None


@dataclass
class SaveResult:
    outcome: SaveOutcome
    removed_sections: dict[str, list] = field(default_factory=dict)


class SectionsStillReferenced(InvalidInput):
    """The edit removes section ids that decisions point at; the editor must confirm."""

    def __init__(self, referenced: dict[str, list]) -> None:
        self.referenced = referenced
        ids = ", ".join(f"#{sid}" for sid in sorted(referenced))
        super().__init__(
            f"This edit removes sections that decisions point to ({ids}). "
            "Keep the section ids, or confirm to save anyway.",
            [Problem("still referenced by decisions", f"#{sid}") for sid in sorted(referenced)],
        )


def list_guidelines(
    *, session: Session, store: ContentStore, include_archived: bool = False
) -> list[GuidelineEntry]:
    open_counts = escalations.open_counts_by_guideline(session=session)
    entries = []
    for slug in documents.slugs(store, GUIDELINE):
        latest = documents.latest_release(store, GUIDELINE, slug)
        ahead = documents.changes_since(store, GUIDELINE, slug, latest)
        try:
            verdict = problems_at(store=store, slug=slug)
        except StoreUnavailable as error:  # a damaged repository: listed, flagged, others shown
            entries.append(
                GuidelineEntry(slug, slug, "", None, False, latest, ahead, error=str(error))
            )
            continue
        try:
            guideline = documents.guideline_of(documents.read(store, GUIDELINE, slug))
        except (AppError, ValueError):
            message = "; ".join(verdict.lines()[:3])
            entries.append(
                GuidelineEntry(slug, slug, "", None, False, latest, ahead, error=message)
            )
            continue
        if guideline.archived and not include_archived:
            continue
        entries.append(
            GuidelineEntry(
                slug=slug,
                title=guideline.title,
                taxonomy=guideline.taxonomy,
                summary=guideline.summary,
                archived=guideline.archived,
                latest_release=latest,
                ahead=ahead,
                open_escalations=open_counts.get(slug, 0),
                error="; ".join(verdict.lines()[:3]) or None,
            )
        )
    return sorted(entries, key=lambda e: e.title.lower())


def default_ref(store: ContentStore, slug: str, *, prefer_release: bool) -> str:
    """Annotators read the release in force; leads read the draft."""
    if prefer_release:
        latest = documents.latest_release(store, GUIDELINE, slug)
        if latest is not None:
            return f"v{latest.version}"
    return "draft"


def show(
    *,
    store: ContentStore,
    slug: str,
    ref: str | None,
    label_url: LabelUrl,
    section_url: Callable[[Ref, str], str] | None = None,
) -> GuidelinePage:
    resolved = documents.resolve(store, GUIDELINE, slug, ref)
    version = documents.read(store, GUIDELINE, slug, resolved.commit_id)
    text = documents.readable_text(version.data)
    guideline = readable_guideline(text, title=slug)
    verdict = problems_at(store=store, slug=slug, rev=resolved.commit_id)
    draft = None if resolved.is_draft else problems_at(store=store, slug=slug)
    known = taxonomies.labels(store, guideline.taxonomy, resolved.commit_id) or {}

    def resolve_label(label_id: str) -> tuple[str, str] | None:
        info = known.get(label_id)
        return (info.name, label_url(guideline.taxonomy, label_id)) if info else None

    rendered = render_markdown(
        guideline.body,
        label_resolver=resolve_label,
        section_link=(lambda sid: section_url(resolved, sid)) if section_url else None,
    )
    latest = documents.latest_release(store, GUIDELINE, slug)
    return GuidelinePage(
        slug=slug,
        guideline=guideline,
        rendered=rendered,
        ref=resolved,
        revision=documents.last_change(store, GUIDELINE, slug, resolved.commit_id),
        blob_id=version.blob_id,
        latest_release=latest,
        ahead=documents.changes_since(store, GUIDELINE, slug, latest),
        text=text,
        problems=verdict,
        draft_problems=draft if draft is not None and draft.blob_id != version.blob_id else None,
    )


def preview(
    *, store: ContentStore, text: str, label_url: LabelUrl
) -> tuple[RenderedGuideline | None, list[str]]:
    """Render an unsaved text and list what would stop it from being saved."""
    problems: list[str] = []
    try:
        guideline = parse_guideline(text)
    except TooLarge as error:
        return None, [error.message]
    except InvalidInput as error:
        return None, [str(p) for p in error.problems] or [error.message]
    known = taxonomies.labels(store, guideline.taxonomy)
    if known is None:
        problems.append(f"taxonomy: no taxonomy named {guideline.taxonomy!r}")
        known = {}
    problems += [str(p) for p in section_problems(guideline.body, body_line=guideline.body_line)]
    problems += [
        f"unknown label [[label:{m}]]" for m in unknown_label_mentions(guideline.body, known)
    ]

    def resolve_label(label_id: str) -> tuple[str, str] | None:
        info = known.get(label_id)
        return (info.name, label_url(guideline.taxonomy, label_id)) if info else None

    return render_markdown(guideline.body, label_resolver=resolve_label), problems


def parse_decision_ids(raw: str | Sequence[int]) -> list[int]:
    if not isinstance(raw, str):
        return sorted({int(x) for x in raw})
    ids: set[int] = set()
    bad = []
    for part in re.split(r"[\s,;]+", raw.strip()):
        if not part:
            continue
        number = decision_id(part)
        if number is not None:
            ids.add(number)
        else:
            bad.append(part)
    if bad:
        raise InvalidInput(
            problems=[Problem(f"not a decision number: {', '.join(bad)}", "decisions")]
        )
    return sorted(ids)


def save_guideline(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    text: str,
    base: str | None,
    author: Author,
    message: str,
    decisions: Sequence[int] = (),
    confirm_removed_sections: bool = False,
    actor_id: int | None = None,
    when: datetime | None = None,
) -> SaveOutcome:
    """Save a revision (dated ``when``, default now). A stale base is merged three-way or
    refused with both versions."""
    GUIDELINE.path(slug)
    message = documents.check_message(message)
    text = text.replace("\r\n", "\n")
    guideline = validate_text(store=store, slug=slug, text=text)
    cited = parse_decision_ids(decisions)
    missing = case_law.exists(session=session, ids=cited)
    if missing:
        raise InvalidInput(
            problems=[Problem(f"no decision #{m}", "decisions") for m in sorted(set(missing))]
        )
    if base is not None and not confirm_removed_sections:
        try:
            old = parse_guideline(documents.read(store, GUIDELINE, slug, base).text)
        except (AppError, NotFound, ValueError):  # a pushed version may be anything
            old = None
        removed = removed_section_ids(old.body, guideline.body) if old else set()
        referenced = case_law.referencing_sections(
            session=session, guideline=slug, section_ids=removed
        )
        if referenced:
            raise SectionsStillReferenced(referenced)
    outcome = documents.save(
        store,
        GUIDELINE,
        slug,
        text=text,
        base=base,
        author=author,
        message=message,
        trailers=[*decision_trailers(cited), audit_trailer("guideline.save")],
        when=when,
    )
    if outcome.changed and outcome.result is not None:
        audit.record(
            session,
            actor_id=actor_id,
            action="guideline.save",
            object_type="guideline",
            object_id=slug,
            summary=message.split("\n", 1)[0],
            detail={
                "commit": outcome.result.commit.id,
                "merged": outcome.merged,
                "decisions": cited,
            },
        )
        session.commit()
    return outcome


def _commit_detail(outcome: SaveOutcome) -> dict[str, str]:
    """The commit an audit row records (``guidelines check`` pairs them by it)."""
    return {"commit": outcome.result.commit.id} if outcome.result is not None else {}


def create_guideline(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    title: str,
    taxonomy: str,
    author: Author,
    owners: Sequence[str] = (),
    actor_id: int | None = None,
) -> SaveOutcome:
    problems = []
    try:
        check_slug(slug)
    except InvalidInput as error:
        problems += [Problem(p.message, "slug") for p in error.problems] or [
            Problem("invalid", "slug")
        ]
    if not title.strip():
        problems.append(Problem("give the guideline a title", "title"))
    if problems:
        raise InvalidInput(problems=problems)
    if documents.exists(store, GUIDELINE, slug):
        raise Conflict(f"a guideline named {slug!r} already exists")
    text = render_template_guideline(title.strip(), taxonomy.strip(), owners)
    validate_text(store=store, slug=slug, text=text)
    outcome = documents.save(
        store,
        GUIDELINE,
        slug,
        text=text,
        base=None,
        author=author,
        message=f"Create guideline {title.strip()}",
        trailers=[audit_trailer("guideline.create")],
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="guideline.create",
        object_type="guideline",
        object_id=slug,
        detail=_commit_detail(outcome),
    )
    session.commit()
    return outcome


def set_archived(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    archived: bool,
    author: Author,
    actor_id: int | None = None,
) -> SaveOutcome:
    version = documents.read(store, GUIDELINE, slug)
    guideline = parse_named(version.text, slug)
    if guideline.archived == archived:
        return SaveOutcome(changed=False)
    updated = Guideline(**{**guideline.__dict__, "archived": archived})
    action = "guideline.archive" if archived else "guideline.restore"
    outcome = documents.save(
        store,
        GUIDELINE,
        slug,
        text=serialize_guideline(updated),
        base=version.commit_id,
        author=author,
        message=("Archive" if archived else "Restore") + f" guideline {guideline.title}",
        trailers=[audit_trailer(action)],
    )
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="guideline",
        object_id=slug,
        detail=_commit_detail(outcome),
    )
    session.commit()
    return outcome


def release_guideline(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    notes: str,
    author: Author,
    actor_id: int | None = None,
) -> Release:
    """Release the draft, unless it has problems (InvalidInput listing them)."""
    check_releasable(store=store, slug=slug)
    return documents.release_and_record(
        session, store, GUIDELINE, slug, notes=notes, author=author, actor_id=actor_id
    )
