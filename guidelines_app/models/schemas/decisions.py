"""API bodies of decisions: recording, the log and its search, one decision, its ends."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from guidelines_app.models.cases import Decision, DecisionStatus
from guidelines_app.models.schemas.common import Count, Public, RequestBody, Timestamp


class DecisionCreate(RequestBody):
    title: str
    ruling: str
    rationale: str | None = Field(default=None, description="Markdown")
    guideline: str
    section_id: str | None = None
    labels: list[str] | None = Field(default=None, description="labels the decision concerns")
    ruling_labels: list[str] | None = Field(default=None, description="labels the ruling gives")
    tags: list[str] | None = None
    item_ids: list[Count] | None = Field(default=None, description="items the ruling is about")


class DecisionPublic(Public):
    """The decision."""

    id: int
    title: str
    ruling: str
    rationale: str
    guideline: str
    section_id: str | None
    guideline_commit: str | None
    labels: list[str]
    status: DecisionStatus
    version: int
    superseded_by_id: int | None
    created_at: Timestamp
    url: str = Field(description="the decision's page")

    @classmethod
    def fields_of(cls, row: Decision, labels: list[str], url: str) -> dict[str, Any]:
        return {
            "id": row.id or 0,
            "title": row.title,
            "ruling": row.ruling,
            "rationale": row.rationale,
            "guideline": row.guideline,
            "section_id": row.section_id,
            "guideline_commit": row.guideline_commit,
            "labels": labels,
            "status": row.status,
            "version": row.version,
            "superseded_by_id": row.superseded_by_id,
            "created_at": row.created_at,
            "url": url,
        }

    @classmethod
    def of(cls, row: Decision, labels: list[str], url: str) -> DecisionPublic:
        return cls(**cls.fields_of(row, labels, url))


class DecisionHit(DecisionPublic):
    title_html: str | None = Field(description="the title with <mark> around matches")
    snippet_html: str | None = Field(description="the text around matches, marked")


class DecisionLog(Public):
    """One page of the decision log; title_html and snippet_html when searching."""

    decisions: list[DecisionHit]
    page: int
    has_next: bool


class Amendment(Public):
    """A guideline commit that cites the decision (trailer ``Decision: <id>``)."""

    guideline: str
    commit: str
    release: int | None = Field(description="the first release that contains it")


class DecisionDetail(DecisionPublic):
    """The decision with its labels, tags, items and amendments."""

    ruling_labels: list[str]
    tags: list[str]
    item_ids: list[int]
    amendments: list[Amendment]


class SupersedeRequest(RequestBody):
    by: Count = Field(description="the id of the decision that replaces this one")
    version: Count | None = Field(default=None, description="the version you read")


class RetireRequest(RequestBody):
    reason: str
    version: Count | None = Field(default=None, description="the version you read")
