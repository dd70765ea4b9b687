"""What faults leave behind, for ``guidelines check``: jobs and imports whose process died,
uploads nobody will read, and content commits whose audit row was never written."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from guidelines_app.db import session_scope, utcnow
from guidelines_app.domain.trailers import audit_action
from guidelines_app.models import AuditEvent, User
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.services import audit, jobs
from guidelines_app.services.ops import schema
from guidelines_app.services.ops.findings import CheckContext, Finding
from guidelines_app.store import CommitInfo, StoreError

#: An upload this young may belong to an import whose row is being written.
UPLOAD_GRACE = timedelta(minutes=1)
#: How far back the content branch is read for commits without their audit row.
COMMITS_READ = 10_000


def _ready(ctx: CheckContext) -> bool:
    return schema.state(ctx.engine).at_head


def stuck_jobs(ctx: CheckContext) -> list[Finding]:
    """Running jobs whose heartbeat stopped: requeued (or failed after their last attempt)."""
    if not _ready(ctx):
        return []
    stuck = jobs.stuck(ctx.engine, stale_after=ctx.stale_after)
    if not stuck:
        return []
    if ctx.repair:
        done = jobs.recover(ctx.engine, stale_after=ctx.stale_after, max_attempts=ctx.max_attempts)
        if done.requeued:
            ctx.repaired.append(f"requeued {len(done.requeued)} stuck jobs: {_ids(done.requeued)}")
        if done.failed:
            ctx.repaired.append(f"failed {len(done.failed)} stuck jobs: {_ids(done.failed)}")
        return []
    return [
        Finding(
            "jobs",
            f"job #{job.id} ({job.kind}) has been running since {_when(job.heartbeat_at)} with no "
            f"heartbeat (attempt {job.attempts} of {ctx.max_attempts}, at {job.stage!r}): "
            f"its worker {job.claimed_by or '?'} is gone",
            repairable=True,
        )
        for job in stuck
    ]


def stuck_imports(ctx: CheckContext) -> list[Finding]:
    """Annotation imports left queued or running by a process that died."""
    if not _ready(ctx):
        return []
    stuck = annotation_batches.stuck_imports(ctx.engine)
    if not stuck:
        return []
    if ctx.repair:
        failed = annotation_batches.mark_interrupted(ctx.engine)
        ctx.repaired.append(f"marked {len(failed)} interrupted imports as failed: {_ids(failed)}")
        return []
    return [
        Finding(
            "imports",
            f"import #{row.id} of {row.file_name!r} is still {row.status} ({row.stage!r}) but has "
            f"not moved since {_when(row.updated_at)}: the process running it died",
            repairable=True,
        )
        for row in stuck
    ]


def half_written_batches(ctx: CheckContext) -> list[Finding]:
    """Batches still ``importing`` long after they began: the process writing them died
    between chunks. Every read ignores them; ``--repair`` deletes what they wrote."""
    if not _ready(ctx):
        return []
    with session_scope(ctx.engine, write=False) as session:
        found = [
            (batch.id, batch.file_name, batch.imported_at, batch.n_annotations)
            for batch in annotation_batches.abandoned_imports(session)
        ]
    if not found:
        return []
    if ctx.repair:
        gone = annotation_batches.discard_abandoned(ctx.engine)
        ctx.repaired.append(f"deleted {len(gone)} half-written batches: {_ids(gone)}")
        return []
    return [
        Finding(
            "imports",
            f"batch #{batch_id} of {file_name!r} has been importing since {_when(began)} "
            f"({expected:,} annotations expected): the process writing it died, and what it "
            "wrote is hidden from every page",
            repairable=True,
        )
        for batch_id, file_name, began, expected in found
    ]


def orphaned_uploads(ctx: CheckContext) -> list[Finding]:
    """Uploaded files no live import will read. A live import's file was saved just before
    its row was created, so files older than the oldest live import (and older than a
    minute) belong to none."""
    if ctx.data_dir is None or not _ready(ctx):
        return []
    folder = Path(ctx.data_dir) / "uploads"
    if not folder.is_dir():
        return []
    now = utcnow()
    oldest_live = annotation_batches.live_imports_since(ctx.engine, now=now)
    limit = now - UPLOAD_GRACE
    if oldest_live is not None:
        limit = min(limit, oldest_live - UPLOAD_GRACE)
    orphans = [
        path
        for path in sorted(folder.iterdir())
        if path.is_file() and path.stat().st_mtime < limit.timestamp()
    ]
    if not orphans:
        return []
    size = sum(path.stat().st_size for path in orphans)
    if ctx.repair:
        for path in orphans:
            path.unlink(missing_ok=True)
        ctx.repaired.append(f"deleted {len(orphans)} orphaned uploads ({_size(size)})")
        return []
    return [
        Finding(
            "uploads",
            f"{len(orphans)} uploaded file{'s' if len(orphans) != 1 else ''} in {folder} "
            f"({_size(size)}) belong to no import that is still running",
            repairable=True,
        )
    ]


def commits_without_audit_rows(ctx: CheckContext) -> list[Finding]:
    """Commits the app made (trailer ``Audit-Action``) whose audit row is missing: the
    process died between the commit and the database, so the log does not say who did it
    through the app. Commits pushed by other means carry no trailer and are not asked."""
    if not _ready(ctx):
        return []
    try:
        commits = ctx.store.history(limit=COMMITS_READ)
    except StoreError:
        return []  # the content check reports an unreadable repository
    made = [(c, action) for c in commits if (action := audit_action(c.trailers))]
    if not made:
        return []
    with Session(ctx.engine) as session:
        details = session.exec(
            select(AuditEvent.detail).where(
                col(AuditEvent.object_type).in_(["guideline", "taxonomy"])
            )
        ).all()
    recorded = {str(detail.get("commit")) for detail in details if detail.get("commit")}
    missing = [(commit, action) for commit, action in made if commit.id not in recorded]
    if missing and ctx.repair:
        with Session(ctx.engine) as session:
            for commit, action in missing:
                _record_from_commit(session, ctx, commit, action)
            session.commit()
        ctx.repaired.append(
            f"recorded {len(missing)} audit rows from their commits: "
            + ", ".join(commit.short_id for commit, _ in missing)
        )
        return []
    return [
        Finding(
            "audit",
            f"commit {commit.short_id} ({action} by {commit.author_name}, "
            f"{_when(commit.authored_at)}: {commit.summary!r}) has no audit row",
            repairable=True,
        )
        for commit, action in missing
    ]


#: The e-mail address the app gives a person's commits: ``<username>@users.guidelines.invalid``.
_APP_EMAIL = "@users.guidelines.invalid"


def _record_from_commit(
    session: Session, ctx: CheckContext, commit: CommitInfo, action: str
) -> None:
    """The audit row the dead process would have written, rebuilt from what the commit
    says: its action (trailer), its author (the app's address names the username), the
    document it changed, and its message. ``detail.recovered`` says where it came from."""
    username = (
        commit.author_email.removesuffix(_APP_EMAIL)
        if commit.author_email.endswith(_APP_EMAIL)
        else ""
    )
    actor = (
        session.exec(select(User).where(User.username == username)).first() if username else None
    )
    kind = action.split(".", 1)[0]
    folder = {"guideline": "guidelines/", "taxonomy": "taxonomies/"}.get(kind, "")
    try:
        paths = ctx.store.changed_paths(commit.parents[0], commit.id) if commit.parents else []
    except StoreError:
        paths = []
    document = next((p for p in paths if folder and p.startswith(folder)), "")
    slug = document.removeprefix(folder).rsplit(".", 1)[0] if document else ""
    audit.record(
        session,
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=kind,
        object_id=slug,
        summary=commit.summary,
        detail={"commit": commit.id, "recovered": True, "author": commit.author_name},
    )


def _ids(ids: tuple[int, ...] | list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "never"


def _size(size: int) -> str:
    """Bytes as people read them: 512 bytes, 3.0 KiB, 1.2 GiB."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB"):
        value /= 1024
        if value < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} GiB"
