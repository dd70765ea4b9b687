"""The audit log: who changed what, when. Every service that changes state records here."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from guidelines_app.models import AuditEvent


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    summary: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction (the caller commits)."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        detail=detail or {},
    )
    session.add(event)
    return event


def recent(session: Session, *, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(statement))
