"""Guidelines: read, render, edit, release, acknowledge, and what changed between versions."""

from __future__ import annotations

from guidelines_app.domain.trailers import DECISION_ID_RE
from guidelines_app.services.documents import ReleaseChecks
from guidelines_app.services.guidelines.changes import (
    AcknowledgmentStatus,
    ChangedSection,
    GuidelineDiff,
    PendingAcknowledgment,
    acknowledge,
    diff,
    last_acknowledged,
    pending,
    pending_for_user,
    status,
)
from guidelines_app.services.guidelines.guideline import (
    GuidelineEntry,
    GuidelinePage,
    SaveResult,
    SectionsStillReferenced,
    create_guideline,
    default_ref,
    list_guidelines,
    parse_decision_ids,
    preview,
    release_guideline,
    save_guideline,
    set_archived,
    show,
)
from guidelines_app.services.guidelines.validity import (
    problems_at,
    release_checks,
    validate_text,
)

__all__ = [
    "DECISION_ID_RE",
    "AcknowledgmentStatus",
    "ChangedSection",
    "GuidelineDiff",
    "GuidelineEntry",
    "GuidelinePage",
    "PendingAcknowledgment",
    "ReleaseChecks",
    "SaveResult",
    "SectionsStillReferenced",
    "acknowledge",
    "create_guideline",
    "default_ref",
    "diff",
    "last_acknowledged",
    "list_guidelines",
    "parse_decision_ids",
    "pending",
    "pending_for_user",
    "preview",
    "problems_at",
    "release_checks",
    "release_guideline",
    "save_guideline",
    "set_archived",
    "show",
    "status",
    "validate_text",
]
