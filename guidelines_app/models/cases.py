"""Datasets and items, escalations about them, and the decisions that settle them.

Guideline and taxonomy text stays in git: rows keep slugs, section ids and commit ids.
The search text is maintained by ``guidelines_app.search``: on PostgreSQL the
``document`` column holds a weighted tsvector with a GIN index, on SQLite an FTS5
table indexes it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import postgresql
from sqlmodel import Field

from guidelines_app.db import UTCDateTime, utcnow
from guidelines_app.models.base import SQLModel


class EscalationStatus(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    DUPLICATE = "duplicate"

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {EscalationStatus.RESOLVED, EscalationStatus.DISMISSED, EscalationStatus.DUPLICATE}
)


class DecisionStatus(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    RETIRED = "retired"


def _utc(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


def _user_fk(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("users.id", ondelete="SET NULL" if nullable else "RESTRICT"),
            nullable=nullable,
            index=index,
        ),
    )


def _fk(
    target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True
) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
        ),
    )


class Dataset(SQLModel, table=True):
    __tablename__ = "datasets"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    url_template: str | None = Field(default=None, max_length=1000)
    created_at: datetime = _utc()


class Item(SQLModel, table=True):
    """A concrete data item, with a snapshot of its content at the time it was first seen."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("dataset_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = _fk("datasets.id", index=False)
    external_id: str = Field(max_length=500)
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    payload: Any | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    media_url: str | None = Field(default=None, max_length=2000)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc()
    created_by: int | None = _user_fk()
    # Distinct annotators with an open or in-review escalation on this item, kept by the
    # escalation service so the triage queue can sort by it without aggregating.
    active_reporters: int = Field(default=0, index=True)


class Escalation(SQLModel, table=True):
    """An annotator's question about an item; ``version`` guards every transition."""

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_status_created_at", "status", "created_at"),
        Index("ix_escalations_guideline_status", "guideline", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = _fk("items.id")
    guideline: str = Field(max_length=100)
    section_id: str | None = Field(default=None, max_length=100)
    release_version: int | None = None
    release_commit: str | None = Field(default=None, max_length=40)
    question: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=EscalationStatus.OPEN.value, max_length=16)
    reporter_id: int | None = _user_fk(index=True)
    assignee_id: int | None = _user_fk(index=True)
    decision_id: int | None = _fk("decisions.id", ondelete="SET NULL", nullable=True)
    duplicate_of_id: int | None = _fk("escalations.id", ondelete="SET NULL", nullable=True)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = Field(default=1)
    created_at: datetime = _utc(index=True)
    updated_at: datetime = _utc()
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EscalationLabel(SQLModel, table=True):
    """A candidate label the annotator hesitates between."""

    __tablename__ = "escalation_labels"
    __table_args__ = (PrimaryKeyConstraint("escalation_id", "label"),)

    escalation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("escalations.id", ondelete="CASCADE"), nullable=False)
    )
    label: str = Field(max_length=200, index=True)


class EscalationEvent(SQLModel, table=True):
    """One transition: who, when, from, to, why."""

    __tablename__ = "escalation_events"

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = _fk("escalations.id")
    actor_id: int | None = _user_fk()
    at: datetime = _utc()
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EscalationComment(SQLModel, table=True):
    __tablename__ = "escalation_comments"

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = _fk("escalations.id")
    author_id: int | None = _user_fk()
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _utc()


class Decision(SQLModel, table=True):
    """A ruling on an edge case: the team's case law, refining one guideline section."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_guideline_section_id", "guideline", "section_id"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    ruling: str = Field(sa_column=Column(Text, nullable=False))
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False))
    guideline: str = Field(max_length=100)
    section_id: str | None = Field(default=None, max_length=100)
    guideline_commit: str | None = Field(default=None, max_length=40)
    status: str = Field(default=DecisionStatus.ACTIVE.value, max_length=16, index=True)
    superseded_by_id: int | None = _fk("decisions.id", ondelete="SET NULL", nullable=True)
    retired_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    author_id: int | None = _user_fk(index=True)
    version: int = Field(default=1)
    created_at: datetime = _utc(index=True)
    updated_at: datetime = _utc()


class DecisionLabel(SQLModel, table=True):
    """A label a decision concerns; ``applies`` marks the labels its ruling assigns."""

    __tablename__ = "decision_labels"
    __table_args__ = (PrimaryKeyConstraint("decision_id", "label"),)

    decision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False)
    )
    label: str = Field(max_length=200, index=True)
    applies: bool = Field(default=False)


class DecisionTag(SQLModel, table=True):
    __tablename__ = "decision_tags"
    __table_args__ = (PrimaryKeyConstraint("decision_id", "tag"),)

    decision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False)
    )
    tag: str = Field(max_length=60, index=True)


class DecisionItem(SQLModel, table=True):
    __tablename__ = "decision_items"
    __table_args__ = (PrimaryKeyConstraint("decision_id", "item_id"),)

    decision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False)
    )
    item_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    linked_by: int | None = _user_fk()
    linked_at: datetime = _utc()


class DecisionRevision(SQLModel, table=True):
    """A snapshot of a decision after each edit, so every change can be shown as a diff."""

    __tablename__ = "decision_revisions"
    __table_args__ = (UniqueConstraint("decision_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = _fk("decisions.id", index=False)
    number: int
    editor_id: int | None = _user_fk()
    at: datetime = _utc()
    note: str = Field(default="", max_length=500)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# PostgreSQL keeps a tsvector in ``document``; SQLite leaves it NULL and indexes ``title``
# and ``body`` in the FTS5 table ``decision_search_fts`` (created by migration 0006, kept
# by triggers on this table).
SEARCH_VECTOR = Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class DecisionSearch(SQLModel, table=True):
    """The text search sees for a decision, rebuilt by the service whenever that text changes."""

    __tablename__ = "decision_search"
    __table_args__ = (
        # fastupdate off: queries never scan a pending list that only VACUUM would merge.
        Index(
            "ix_decision_search_document",
            "document",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
    )

    decision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True)
    )
    title: str = Field(default="", sa_column=Column(Text, nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    document: str | None = Field(default=None, sa_column=Column(SEARCH_VECTOR, nullable=True))
