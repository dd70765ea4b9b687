"""A database cache for computed reports, shared by every worker.

A report is computed by a read (a GET, ``guidelines report``), so it is kept with
``db.write_aside``, never in the reader's transaction; keeping it may fail when the
database is busy, and the report is then computed again next time. Within one session
a report computed once is remembered in ``session.info``: on SQLite a reader's snapshot
does not see the row written aside, and the report page asks for the comparisons its
report was built from.

Keys are fingerprints of what a report was computed from, so a changed batch is never
served a stale report; ``forget`` drops a guideline's reports at once, in the caller's
transaction, when a batch of it is removed or re-stamped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from guidelines_app.db import write_aside
from guidelines_app.models import ReportCache

#: Bump when the shape or the computation of a report changes.
CACHE_VERSION = "2"
KEEP_PER_GUIDELINE = 20
_COMPUTED = "guidelines.reports_computed"


def _full_key(kind: str, key: str) -> str:
    return f"{CACHE_VERSION}:{kind}:{key}"[:200]


def lookup(session: Session, *, kind: str, key: str) -> dict[str, Any] | None:
    """The kept report, or None: a page asks before it decides to wait for a job."""
    full_key = _full_key(kind, key)
    computed: dict[str, dict[str, Any]] = session.info.setdefault(_COMPUTED, {})
    if full_key in computed:
        return computed[full_key]
    found = session.get(ReportCache, full_key)
    return found.payload if found is not None else None


def cached(
    session: Session, *, kind: str, key: str, guideline: str, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    found = lookup(session, kind=kind, key=key)
    if found is not None:
        return found
    full_key = _full_key(kind, key)
    computed: dict[str, dict[str, Any]] = session.info.setdefault(_COMPUTED, {})
    payload = compute()
    computed[full_key] = payload

    def keep(aside: Session) -> None:
        aside.add(ReportCache(key=full_key, kind=kind, guideline=guideline, payload=payload))
        aside.flush()
        _prune(aside, guideline)

    write_aside(session, keep)
    return payload


def _prune(session: Session, guideline: str) -> None:
    """Keep the newest reports of a guideline, so old fingerprints do not pile up."""
    stale = session.exec(
        select(ReportCache.key)
        .where(ReportCache.guideline == guideline)
        .order_by(col(ReportCache.computed_at).desc())
        .offset(KEEP_PER_GUIDELINE)
    ).all()
    if stale:
        session.execute(delete(ReportCache).where(col(ReportCache.key).in_(stale)))


def forget(session: Session, *, guideline: str) -> int:
    """Drop every cached report of ``guideline`` in the caller's transaction (the caller
    commits); how many rows went. Reports of other guidelines never read its batches and stay.

    What this session computed and remembers is dropped too, so a report asked for after
    the change is computed from what the transaction now holds.
    """
    session.info.pop(_COMPUTED, None)
    result = session.execute(delete(ReportCache).where(col(ReportCache.guideline) == guideline))
    return int(getattr(result, "rowcount", 0) or 0)
