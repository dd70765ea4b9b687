"""Who acknowledged which guideline release (the text itself lives in git)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field

from guidelines_app.db import UTCDateTime, utcnow
from guidelines_app.models.base import SQLModel


class GuidelineAcknowledgment(SQLModel, table=True):
    """An annotator confirmed having read release ``version`` of a guideline."""

    __tablename__ = "guideline_acknowledgments"
    __table_args__ = (UniqueConstraint("user_id", "guideline", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    guideline: str = Field(max_length=100, index=True)
    version: int
    commit_id: str = Field(max_length=40)
    acknowledged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
