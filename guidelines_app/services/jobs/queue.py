"""The job table as a queue: enqueue by key, claim one job exclusively, record progress,
finish or fail it, and requeue what a lost worker left running.

Every function here works in a short transaction of its own, never in the caller's:
progress is written while a long computation holds a read session, and a GET enqueues
without writing in its request's transaction (``enqueue`` goes through
``db.write_aside``). Claiming is exclusive on both databases: PostgreSQL picks the row
with ``FOR UPDATE SKIP LOCKED`` (concurrent claimers skip each other's row), SQLite runs
the same ``UPDATE ... WHERE id = (first queued) AND status = 'queued'`` in a transaction
that holds the write lock from BEGIN, so claimers queue on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, or_, select

from guidelines_app.db import engine_of, is_sqlite, open_session, table_of, utcnow, write_aside
from guidelines_app.domain.errors import NotFound
from guidelines_app.models import LIVE_STATUSES, Job, JobStatus


@dataclass(frozen=True)
class JobState:
    """A job as its pages and its runner see it (a copy of the row, never the row)."""

    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    status: str
    stage: str
    done: int
    total: int
    message: str
    attempts: int
    claimed_by: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Job) -> JobState:
        return cls(
            id=row.id or 0,
            kind=row.kind,
            key=row.key,
            payload=dict(row.payload),
            status=row.status,
            stage=row.stage,
            done=row.done,
            total=row.total,
            message=row.message,
            attempts=row.attempts,
            claimed_by=row.claimed_by,
            heartbeat_at=row.heartbeat_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED.value

    def progress(self) -> dict[str, Any]:
        """What an answer that waits for the job says about it."""
        return {"stage": self.stage, "done": self.done, "total": self.total}


@dataclass(frozen=True)
class Recovered:
    """What ``recover`` did: jobs put back in the queue, jobs given up on."""

    requeued: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()


def _live(session: Session, key: str) -> Job | None:
    return session.exec(select(Job).where(Job.live_key == key)).first()


def enqueue(bind: Session | Engine, *, kind: str, key: str, payload: dict[str, Any]) -> JobState:
    """The live job of ``key``, queued now unless one is queued or running already.

    ``bind`` is the caller's session (a GET's: nothing is written in its transaction)
    or an engine. Two workers enqueueing the same key at once agree on one row: the
    unique ``live_key`` refuses the second, which then reads the first.
    """
    made: list[JobState] = []

    def add(aside: Session) -> None:
        found = _live(aside, key)
        if found is None:
            found = Job(kind=kind, key=key, live_key=key, payload=payload)
            aside.add(found)
            aside.flush()
        made.append(JobState.of(found))

    write_aside(bind, add)
    if made:
        return made[0]
    state = latest(bind, key)  # another worker queued it meanwhile
    if state is None or not state.live:
        raise RuntimeError(f"job {key!r} could not be queued: the database stayed busy")
    return state


def latest(bind: Session | Engine, key: str) -> JobState | None:
    """The newest job of ``key`` (live or ended), read in a session of its own so that a
    reader's older snapshot does not hide what a worker wrote since."""
    with open_session(engine_of(bind), write=False) as session:
        row = session.exec(select(Job).where(Job.key == key).order_by(col(Job.id).desc())).first()
        return JobState.of(row) if row is not None else None


def get(engine: Engine, job_id: int) -> JobState:
    with open_session(engine, write=False) as session:
        row = session.get(Job, job_id)
        if row is None:
            raise NotFound(f"no job #{job_id}")
        return JobState.of(row)


def claim(engine: Engine, *, worker: str) -> JobState | None:
    """Take the oldest queued job for ``worker`` (None when there is none); exclusive.

    An idle worker asks with a read first, so polling an empty queue never takes
    SQLite's write lock away from the requests that write.
    """
    table = table_of(Job)
    with open_session(engine, write=False) as session:
        if session.exec(select(Job.id).where(Job.status == JobStatus.QUEUED.value)).first() is None:
            return None
    first = (
        select(table.c.id)
        .where(table.c.status == JobStatus.QUEUED.value)
        .order_by(table.c.id)
        .limit(1)
    )
    if not is_sqlite(engine):
        first = first.with_for_update(skip_locked=True)
    now = utcnow()
    statement = (
        update(table)
        .where(table.c.id == first.scalar_subquery(), table.c.status == JobStatus.QUEUED.value)
        .values(
            status=JobStatus.RUNNING.value,
            stage="starting",
            attempts=table.c.attempts + 1,
            claimed_by=worker[:200],
            heartbeat_at=now,
            updated_at=now,
        )
        .returning(table.c.id)
    )
    with open_session(engine, write=True) as session:
        claimed = session.execute(statement).scalar()
        session.commit()
        if claimed is None:
            return None
        row = session.get(Job, claimed)
        return JobState.of(row) if row is not None else None


def _owned(engine: Engine, job_id: int, worker: str, **values: Any) -> bool:
    """Update a running job that ``worker`` still holds; False when it lost it (requeued
    or failed meanwhile by recovery), so a late worker never overwrites the next one."""
    table = table_of(Job)
    statement = (
        update(table)
        .where(
            table.c.id == job_id,
            table.c.claimed_by == worker,
            table.c.status == JobStatus.RUNNING.value,
        )
        .values(updated_at=utcnow(), **values)
    )
    with open_session(engine, write=True) as session:
        result = session.execute(statement)
        changed = result.rowcount  # type: ignore[attr-defined]  # a CursorResult, typed as Result
        session.commit()
    return bool(changed)


def heartbeat(engine: Engine, job_id: int, *, worker: str) -> bool:
    return _owned(engine, job_id, worker, heartbeat_at=utcnow())


def progress(
    engine: Engine, job_id: int, *, worker: str, stage: str, done: int = 0, total: int = 0
) -> bool:
    """Record the stage reached (and beat the heart: a job that moves is alive)."""
    return _owned(
        engine,
        job_id,
        worker,
        stage=stage[:200],
        done=max(done, 0),
        total=max(total, 0),
        heartbeat_at=utcnow(),
    )


def finish(engine: Engine, job_id: int, *, worker: str, message: str = "") -> bool:
    return _owned(
        engine,
        job_id,
        worker,
        status=JobStatus.DONE.value,
        stage="done",
        live_key=None,
        message=message,
    )


def fail(engine: Engine, job_id: int, *, worker: str, message: str) -> bool:
    return _owned(
        engine,
        job_id,
        worker,
        status=JobStatus.FAILED.value,
        stage="failed",
        live_key=None,
        message=message,
    )


def stuck(engine: Engine, *, stale_after: timedelta, now: datetime | None = None) -> list[JobState]:
    """Running jobs whose heartbeat is older than ``stale_after``: their worker is gone."""
    cutoff = (now or utcnow()) - stale_after
    with open_session(engine, write=False) as session:
        rows = session.exec(
            select(Job)
            .where(
                Job.status == JobStatus.RUNNING.value,
                or_(col(Job.heartbeat_at).is_(None), col(Job.heartbeat_at) < cutoff),
            )
            .order_by(col(Job.id))
        ).all()
        return [JobState.of(row) for row in rows]


def lost_message(attempts: int) -> str:
    times = "once" if attempts == 1 else f"{attempts} times"
    return (
        f"This stopped {times} without finishing: the worker running it was lost (a restart, "
        "or the process ran out of memory). It can be started again; if it fails again, the "
        "server's log says why."
    )


def recover(
    engine: Engine, *, stale_after: timedelta, max_attempts: int, now: datetime | None = None
) -> Recovered:
    """Requeue the stuck jobs that have attempts left (the next claim resumes them) and
    fail the others with a plain message. Each row changes only while it is still stuck,
    so a worker that comes back to life meanwhile keeps its job."""
    moment = now or utcnow()
    cutoff = moment - stale_after
    table = table_of(Job)
    requeued: list[int] = []
    failed: list[int] = []
    for job in stuck(engine, stale_after=stale_after, now=moment):
        still_stuck = (
            table.c.id == job.id,
            table.c.status == JobStatus.RUNNING.value,
            or_(table.c.heartbeat_at.is_(None), table.c.heartbeat_at < cutoff),
        )
        if job.attempts < max_attempts:
            values: dict[str, Any] = {
                "status": JobStatus.QUEUED.value,
                "stage": "waiting (resumed: the worker running it was lost)",
                "claimed_by": None,
            }
            into = requeued
        else:
            values = {
                "status": JobStatus.FAILED.value,
                "stage": "failed",
                "live_key": None,
                "message": lost_message(job.attempts),
            }
            into = failed
        with open_session(engine, write=True) as session:
            result = session.execute(
                update(table).where(*still_stuck).values(updated_at=moment, **values)
            )
            changed = result.rowcount  # type: ignore[attr-defined]  # a CursorResult, typed as Result
            session.commit()
        if changed:
            into.append(job.id)
    return Recovered(tuple(requeued), tuple(failed))
