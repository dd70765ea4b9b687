"""Imported annotation batches, their annotations, import progress and cached figures.

Items and datasets are the shared tables of ``models.cases``: an annotation points at
the same item row as the escalations and decisions about it. A batch keeps the
guideline release and taxonomy revision in force as slugs, versions and commit ids
(the text stays in git) and says by which rule they were found.
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
from sqlmodel import Field

from guidelines_app.db import UTCDateTime, utcnow
from guidelines_app.models.base import SQLModel


class ReleaseRule(StrEnum):
    """How the guideline release in force was found."""

    GIVEN = "given"  # named by the importer
    TIMESTAMPS = "timestamps"  # every dated annotation falls under that release
    MAJORITY = "majority"  # dated annotations span releases: the one most fall under
    LATEST = "latest"  # no timestamps: the latest release at import time
    NONE = "none"  # no guideline, or no release before the annotations


class BatchStatus(StrEnum):
    """A batch is ``importing`` while its rows are written (every read skips it), then
    ``imported``."""

    IMPORTING = "importing"
    IMPORTED = "imported"


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _fk(target: str, *, ondelete: str, nullable: bool, index: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
        ),
    )


class AnnotationBatch(SQLModel, table=True):
    """One imported file: all of its annotations or none of them."""

    __tablename__ = "annotation_batches"
    __table_args__ = (UniqueConstraint("dataset_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = _fk("datasets.id", ondelete="RESTRICT", nullable=False, index=False)
    source_format: str = Field(max_length=32)
    file_name: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    importer_id: int | None = _fk("users.id", ondelete="SET NULL", nullable=True)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    guideline: str | None = Field(default=None, max_length=100, index=True)
    guideline_version: int | None = None
    guideline_commit: str | None = Field(default=None, max_length=40)
    release_rule: str = Field(default=ReleaseRule.NONE.value, max_length=16)
    taxonomy: str | None = Field(default=None, max_length=100)
    taxonomy_commit: str | None = Field(default=None, max_length=40)
    first_annotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_annotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    n_annotations: int = 0
    n_items: int = 0
    n_annotators: int = 0
    n_mapped: int = 0
    status: str = Field(default=BatchStatus.IMPORTED.value, max_length=16)
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Annotation(SQLModel, table=True):
    """One label given by one annotator to one item (``original_label`` when it was mapped)."""

    __tablename__ = "annotations"
    __table_args__ = (Index("ix_annotations_item_id_annotator", "item_id", "annotator"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = _fk("annotation_batches.id", ondelete="CASCADE", nullable=False)
    item_id: int = _fk("items.id", ondelete="CASCADE", nullable=False, index=False)
    annotator: str = Field(max_length=200)
    label: str = Field(sa_column=Column(Text, nullable=False))
    original_label: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    dimension: str = Field(default="", max_length=200)
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    gold: bool = False
    span_start: int | None = None
    span_end: int | None = None


class AnnotationImport(SQLModel, table=True):
    """An upload being processed in the background: the page polls this row for progress."""

    __tablename__ = "annotation_imports"

    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(max_length=100)
    file_name: str = Field(max_length=500)
    status: str = Field(default=ImportStatus.QUEUED.value, max_length=16)
    stage: str = Field(default="waiting", max_length=200)
    done: int = 0
    total: int = 0
    batch_id: int | None = _fk("annotation_batches.id", ondelete="SET NULL", nullable=True)
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status_code: int | None = None
    created_by: int | None = _fk("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BatchFigures(SQLModel, table=True):
    """The agreement figures of a batch, computed once per dimension and figures version."""

    __tablename__ = "batch_figures"
    __table_args__ = (PrimaryKeyConstraint("batch_id", "dimension", "figures_version"),)

    batch_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("annotation_batches.id", ondelete="CASCADE"), nullable=False
        )
    )
    dimension: str = Field(default="", max_length=200)
    figures_version: str = Field(max_length=16)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
