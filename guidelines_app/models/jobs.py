"""Jobs kept in the database: long work any worker can claim, report on and resume."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field

from guidelines_app.db import UTCDateTime, utcnow
from guidelines_app.models.base import SQLModel


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: The statuses of a job that is still to finish: one such job per key at most.
LIVE_STATUSES = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class Job(SQLModel, table=True):
    """One unit of long work. ``live_key`` is the ``key`` while the job is queued or
    running and NULL once it ended: its unique index lets one live job exist per key
    (NULLs never collide), on SQLite and PostgreSQL alike, while finished jobs keep
    their ``key`` for the pages that show how the last one ended."""

    __tablename__ = "jobs"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    key: str = Field(max_length=300, index=True)
    live_key: str | None = Field(default=None, max_length=300, unique=True, nullable=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=JobStatus.QUEUED.value, max_length=16, index=True)
    stage: str = Field(default="waiting", max_length=200)
    done: int = 0
    total: int = 0
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=200, nullable=True)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
