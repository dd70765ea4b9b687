"""What decision and escalation forms need of a guideline: its labels and sections.

Both are read at one revision of the guideline (the release in force, or the newest
revision), so a label or section is checked against the text the author was reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.services import documents, taxonomies
from guidelines_app.store import ContentStore, Release, StoreError


@dataclass(frozen=True)
class GuidelineFacts:
    """What forms need of a guideline at one revision: labels and section ids."""

    slug: str
    title: str
    commit_id: str
    release: Release | None
    taxonomy: str
    labels: dict[str, taxonomies.LabelInfo]
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
    parsed = documents.guideline_of(store.read(path, commit_id))
    labels = taxonomies.labels(store, parsed.taxonomy, commit_id) or {}
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
