"""A database cache for computed reports, shared by every worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from guidelines_app.models import ReportCache

#: Bump when the shape or the computation of a report changes.
CACHE_VERSION = "1"
KEEP_PER_GUIDELINE = 20


def cached(
    session: Session, *, kind: str, key: str, guideline: str, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    full_key = f"{CACHE_VERSION}:{kind}:{key}"[:200]
    found = session.get(ReportCache, full_key)
    if found is not None:
        return found.payload
    payload = compute()
    session.add(ReportCache(key=full_key, kind=kind, guideline=guideline, payload=payload))
    try:
        session.commit()
    except IntegrityError:  # another worker stored the same report meanwhile
        session.rollback()
    _prune(session, guideline)
    return payload


def _prune(session: Session, guideline: str) -> None:
    rows = session.exec(
        ReportCache.__table__.select()  # type: ignore[attr-defined]
        .where(ReportCache.__table__.c.guideline == guideline)  # type: ignore[attr-defined]
        .order_by(ReportCache.__table__.c.computed_at.desc())  # type: ignore[attr-defined]
        .offset(KEEP_PER_GUIDELINE)
    ).all()
    if rows:
        session.execute(delete(ReportCache).where(col(ReportCache.key).in_([r.key for r in rows])))
        session.commit()
