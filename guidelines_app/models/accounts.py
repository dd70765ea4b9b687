"""Users, roles, sessions, API tokens, sign-in counters and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field

from guidelines_app.db import UTCDateTime, utcnow
from guidelines_app.models.base import SQLModel


class Role(StrEnum):
    """Roles in increasing order of power; each includes what the previous ones may do."""

    VIEWER = "viewer"
    ANNOTATOR = "annotator"
    LEAD = "lead"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


def _utc(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


def _utc_optional(**kwargs: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, **kwargs)


class UserBase(SQLModel):
    username: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    display_name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=254)
    role: str = Field(default=Role.VIEWER.value, max_length=16)


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    disabled_at: datetime | None = _utc_optional()
    created_at: datetime = _utc()
    last_login_at: datetime | None = _utc_optional()

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def name(self) -> str:
        return self.display_name or self.username


class UserCreate(SQLModel):
    username: str
    password: str
    role: str = Role.VIEWER.value
    display_name: str = ""
    email: str | None = None


class UserSession(SQLModel, table=True):
    """A server-side sign-in: the cookie holds a token whose hash is the id.

    Revoking the row ends the session on every worker at once.
    """

    __tablename__ = "user_sessions"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    created_at: datetime = _utc()
    last_seen_at: datetime = _utc()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = _utc_optional()
    user_agent: str = Field(default="", max_length=255)
    address: str = Field(default="", max_length=64)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc_optional()
    revoked_at: datetime | None = _utc_optional()


class LoginCounter(SQLModel, table=True):
    """Sign-in attempts let through in one fixed window, per scope and key, for rate limiting.

    One row per (scope, key, window), incremented by a single upsert that returns the new
    count, so parallel attempts on every worker and host are counted exactly.
    ``scope`` is ``pair`` (the address and the username together) or ``address``.
    """

    __tablename__ = "login_counters"

    scope: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=200)
    window_start: datetime = Field(primary_key=True, sa_type=UTCDateTime, index=True)
    count: int = Field(default=0)


class AuditEvent(SQLModel, table=True):
    """Who changed what, when: written by every service that changes state."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True),
    )
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=64)
    object_id: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
