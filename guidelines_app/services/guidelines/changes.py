"""What changed between two versions of a guideline, and who has read which release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from guidelines_app import cache
from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.domain.guideline import parse_guideline
from guidelines_app.domain.textdiff import (
    ParagraphChange,
    SectionChange,
    SectionDiff,
    paragraph_diff,
    section_diff,
    unified_diff,
)
from guidelines_app.models import GuidelineAcknowledgment, Role, User
from guidelines_app.services import audit, documents
from guidelines_app.services.documents import GUIDELINE, Ref
from guidelines_app.store import ContentStore, Release

#: Diffs of two versions by their blob ids and the references they were named by (which
#: name the versions in the unified diff): word-level diffs cost tens of milliseconds.
_DIFFS: cache.Area[GuidelineDiff] = cache.Area("guideline diffs by blob ids", 256)


@dataclass(frozen=True)
class ChangedSection:
    change: SectionChange
    paragraphs: list[ParagraphChange]


@dataclass(frozen=True)
class GuidelineDiff:
    slug: str
    old: Ref
    new: Ref
    sections: SectionDiff
    changed: list[ChangedSection]
    unified: str
    front_matter_changed: bool

    @property
    def is_empty(self) -> bool:
        return self.sections.is_empty and not self.front_matter_changed


def diff(*, store: ContentStore, slug: str, old: str, new: str) -> GuidelineDiff:
    """Compare any two versions: releases (``v3``), ``draft`` or commit ids."""
    old_ref = documents.resolve(store, GUIDELINE, slug, old, before_ok=True)
    new_ref = documents.resolve(store, GUIDELINE, slug, new)
    old_version = (
        documents.read(store, GUIDELINE, slug, old_ref.commit_id) if old_ref.exists else None
    )
    new_version = documents.read(store, GUIDELINE, slug, new_ref.commit_id)
    key = (old_version.blob_id if old_version else None, new_version.blob_id, old_ref, new_ref)
    return cache.lookup(
        _DIFFS,
        key,
        lambda: _compare(
            slug, old_ref, new_ref, old_version.text if old_version else "", new_version.text
        ),
    )


def _body(text: str) -> tuple[str, str]:
    try:
        guideline = parse_guideline(text)
    except InvalidInput:
        return "", text  # an unreadable version is compared as plain text
    front = text[: len(text) - len(guideline.body)] if text.endswith(guideline.body) else ""
    return front, guideline.body


def _compare(slug: str, old_ref: Ref, new_ref: Ref, old_text: str, new_text: str) -> GuidelineDiff:
    old_front, old_body = _body(old_text)
    new_front, new_body = _body(new_text)
    sections = section_diff(old_body, new_body)
    changed = [
        ChangedSection(change, paragraph_diff(change.old_text, change.new_text))
        for change in sections.changed
    ]
    return GuidelineDiff(
        slug=slug,
        old=old_ref,
        new=new_ref,
        sections=sections,
        changed=changed,
        unified=unified_diff(
            old_text, new_text, f"{slug}.md@{old_ref.label}", f"{slug}.md@{new_ref.label}"
        ),
        front_matter_changed=old_front.strip() != new_front.strip(),
    )


# -- acknowledgments ---------------------------------------------------------------------


@dataclass(frozen=True)
class PendingAcknowledgment:
    """A release the user has not acknowledged yet, and the last one they did."""

    slug: str
    release: Release
    last_acknowledged: int | None


@dataclass(frozen=True)
class AcknowledgmentStatus:
    release: Release
    acknowledged: list[tuple[User, datetime]]
    missing: list[User]


def last_acknowledged(*, session: Session, user_id: int, slug: str) -> int | None:
    row = session.exec(
        select(GuidelineAcknowledgment.version)
        .where(
            GuidelineAcknowledgment.user_id == user_id, GuidelineAcknowledgment.guideline == slug
        )
        .order_by(col(GuidelineAcknowledgment.version).desc())
    ).first()
    return row


def pending(
    *, session: Session, store: ContentStore, user_id: int, slug: str
) -> PendingAcknowledgment | None:
    latest = documents.latest_release(store, GUIDELINE, slug)
    if latest is None:
        return None
    last = last_acknowledged(session=session, user_id=user_id, slug=slug)
    if last is not None and last >= latest.version:
        return None
    return PendingAcknowledgment(slug=slug, release=latest, last_acknowledged=last)


def pending_for_user(
    *, session: Session, store: ContentStore, user_id: int
) -> list[PendingAcknowledgment]:
    found = []
    for slug in documents.slugs(store, GUIDELINE):
        item = pending(session=session, store=store, user_id=user_id, slug=slug)
        if item is not None:
            found.append(item)
    return found


def acknowledge(
    *, session: Session, store: ContentStore, user_id: int, slug: str, version: int
) -> GuidelineAcknowledgment:
    releases = {r.version: r for r in documents.releases(store, GUIDELINE, slug)}
    release = releases.get(version)
    if release is None:
        raise NotFound(f"{slug} has no release v{version}")
    latest = max(releases)
    if version != latest:
        raise InvalidInput(
            problems=[
                Problem(
                    f"v{version} is not the release in force (v{latest}); acknowledge that",
                    "version",
                )
            ]
        )
    existing = session.exec(
        select(GuidelineAcknowledgment).where(
            GuidelineAcknowledgment.user_id == user_id,
            GuidelineAcknowledgment.guideline == slug,
            GuidelineAcknowledgment.version == version,
        )
    ).first()
    if existing is not None:
        return existing
    ack = GuidelineAcknowledgment(
        user_id=user_id, guideline=slug, version=version, commit_id=release.commit_id
    )
    session.add(ack)
    audit.record(
        session,
        actor_id=user_id,
        action="guideline.acknowledge",
        object_type="guideline",
        object_id=slug,
        summary=f"v{version}",
    )
    try:
        session.commit()
    except IntegrityError:  # the same person acknowledged twice at once
        session.rollback()
        return session.exec(
            select(GuidelineAcknowledgment).where(
                GuidelineAcknowledgment.user_id == user_id,
                GuidelineAcknowledgment.guideline == slug,
                GuidelineAcknowledgment.version == version,
            )
        ).one()
    return ack


def status(*, session: Session, store: ContentStore, slug: str) -> list[AcknowledgmentStatus]:
    """Per release, newest first: which annotators have acknowledged it and which not."""
    releases = documents.releases(store, GUIDELINE, slug)
    annotators = list(
        session.exec(
            select(User)
            .where(User.role == Role.ANNOTATOR.value, col(User.disabled_at).is_(None))
            .order_by(col(User.username))
        )
    )
    acks = session.exec(
        select(GuidelineAcknowledgment).where(GuidelineAcknowledgment.guideline == slug)
    ).all()
    by_version: dict[int, dict[int, datetime]] = {}
    for ack in acks:
        by_version.setdefault(ack.version, {})[ack.user_id] = ack.acknowledged_at
    result = []
    for release in reversed(releases):
        seen = by_version.get(release.version, {})
        result.append(
            AcknowledgmentStatus(
                release=release,
                acknowledged=[(u, seen[u.id]) for u in annotators if u.id in seen],
                missing=[u for u in annotators if u.id not in seen],
            )
        )
    return result
