"""Computed reports, kept so that pages answer from a cache keyed by what they depend on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from guidelines_app.db import UTCDateTime, utcnow
from guidelines_app.models.base import SQLModel


class ReportCache(SQLModel, table=True):
    """A report keyed by a hash of the batches and releases it was computed from: a new
    batch or release changes the key, so a stale entry is never read (old ones are pruned)."""

    __tablename__ = "report_cache"

    key: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=32)
    guideline: str = Field(max_length=100, index=True)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
