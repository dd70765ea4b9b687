"""API bodies of escalations: escalating an item, the queue, transitions, comments."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from guidelines_app.models.cases import Escalation, EscalationStatus
from guidelines_app.models.schemas.common import (
    Count,
    ErrorDetail,
    Public,
    RequestBody,
    Timestamp,
)
from guidelines_app.models.schemas.datasets import ItemContent, ItemPublic


class EscalationCreate(ItemContent):
    """Escalate an item (created if new); the guideline release in force is recorded."""

    dataset: str
    external_id: str
    guideline: str
    question: str = Field(description="20,000 characters at most (413 beyond)")
    labels: list[str] | None = Field(default=None, description="the labels hesitated between")
    section_id: str | None = None


class EscalationPublic(Public):
    """The escalation."""

    id: int
    item_id: int
    guideline: str
    section_id: str | None
    release_version: int | None
    release_commit: str | None
    question: str
    labels: list[str]
    status: EscalationStatus
    version: int = Field(description="send it back with a transition: a stale one is 409")
    reporter_id: int | None
    assignee_id: int | None
    decision_id: int | None
    duplicate_of_id: int | None
    reason: str | None
    created_at: Timestamp
    url: str = Field(description="the escalation's page")

    @classmethod
    def fields_of(cls, row: Escalation, labels: list[str] | None, url: str) -> dict[str, Any]:
        return {
            "id": row.id or 0,
            "item_id": row.item_id,
            "guideline": row.guideline,
            "section_id": row.section_id,
            "release_version": row.release_version,
            "release_commit": row.release_commit,
            "question": row.question,
            "labels": labels or [],
            "status": row.status,
            "version": row.version,
            "reporter_id": row.reporter_id,
            "assignee_id": row.assignee_id,
            "decision_id": row.decision_id,
            "duplicate_of_id": row.duplicate_of_id,
            "reason": row.reason,
            "created_at": row.created_at,
            "url": url,
        }

    @classmethod
    def of(cls, row: Escalation, labels: list[str] | None, url: str) -> EscalationPublic:
        return cls(**cls.fields_of(row, labels, url))


class EscalationRow(EscalationPublic):
    hits: int = Field(description="how many annotators met the same question")


class EscalationQueue(Public):
    """One page of the escalation queue."""

    escalations: list[EscalationRow]
    page: int
    has_next: bool


class TimelineEntry(Public):
    at: Timestamp
    kind: Literal["event", "comment"]
    actor: str
    from_status: EscalationStatus | None = Field(alias="from")
    to_status: EscalationStatus | None = Field(alias="to")
    text: str = Field(description="the reason of a transition, or the comment")


class EscalationDetail(EscalationPublic):
    """The escalation with its item and its timeline of transitions and comments."""

    item: ItemPublic
    timeline: list[TimelineEntry]


class TransitionRequest(RequestBody):
    """Move an escalation: open -> in_review -> resolved | dismissed | duplicate, or reopen."""

    to: EscalationStatus = Field(strict=False)
    version: Count = Field(description="the version you read")
    reason: str | None = Field(default=None, description="required to dismiss or reopen")
    assignee_id: Count | None = Field(default=None, description="default: you")
    decision_id: Count | None = Field(default=None, description="required to resolve")
    duplicate_of_id: Count | None = Field(default=None, description="required for duplicate")


class TransitionConflictDetail(ErrorDetail):
    current_status: EscalationStatus
    current_version: int


class TransitionConflict(Public):
    """409: not allowed from the current state, or a stale version; read them and retry."""

    error: TransitionConflictDetail


class CommentCreate(RequestBody):
    body: str = Field(description="20,000 characters at most (413 beyond)")


class CommentPublic(Public):
    """The comment."""

    id: int
    body: str
