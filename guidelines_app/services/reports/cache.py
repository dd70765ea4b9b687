"""A database cache for computed reports, shared by every worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
    stale = session.exec(
        select(ReportCache.key)
        .where(ReportCache.guideline == guideline)
        .order_by(col(ReportCache.computed_at).desc())
        .offset(KEEP_PER_GUIDELINE)
    ).all()
    if stale:
        session.execute(delete(ReportCache).where(col(ReportCache.key).in_(stale)))
        session.commit()
