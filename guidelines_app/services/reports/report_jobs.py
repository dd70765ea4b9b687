"""Cold release reports computed as jobs: a page that finds no kept report queues one
job per cache key (shared by every worker) and answers at once with its progress.

The job computes what the page and both downloads read: the report (with its light
comparisons) and each consecutive pair's full comparison, all kept in ``report_cache``;
the next request finds them there. ``guidelines report`` and tests that ask for it
(``inline=True``) compute in the request instead, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from guidelines_app.db import session_scope
from guidelines_app.services import jobs
from guidelines_app.services.reports import cache as report_cache
from guidelines_app.services.reports.release_compare import (
    DEFAULT_RESAMPLES,
    compare,
    comparison_key,
)
from guidelines_app.services.reports.release_data import fingerprint, release_label
from guidelines_app.services.reports.release_report import guideline_report
from guidelines_app.services.reports.report_results import ReleaseReport
from guidelines_app.store import ContentStore

REPORT_JOB = "report"
#: Seconds a client waiting for a report is told to wait before it asks again.
RETRY_AFTER = 2


@dataclass(frozen=True)
class ReportState:
    """Either the report (kept, or computed inline) or the job computing it."""

    report: ReleaseReport | None = None
    job: jobs.JobState | None = None

    def to_dict(self) -> dict[str, object]:
        """The body of an answer that waits (JSON: 202 computing, or failed)."""
        if self.job is None:
            return {"status": "ready"}
        if self.job.failed:
            return {"status": "failed", "message": self.job.message, "job": self.job.id}
        return {
            "status": "computing",
            "progress": self.job.progress(),
            "retry_after": RETRY_AFTER,
            "job": self.job.id,
        }


def _job_key(key: str, resamples: int) -> str:
    return f"{REPORT_JOB}:{report_cache.CACHE_VERSION}:{key}:{resamples}"


def _kept(
    session: Session, key: str, resamples: int, *, with_comparisons: bool
) -> ReleaseReport | None:
    payload = report_cache.lookup(session, kind="report", key=f"{key}:{resamples}")
    if payload is None:
        return None
    report = ReleaseReport.from_dict(payload)
    if with_comparisons:
        for c in report.comparisons:
            wanted = comparison_key(
                key, c.before.release.version, c.after.release.version, resamples
            )
            if report_cache.lookup(session, kind="compare", key=wanted) is None:
                return None
    return report


def report_state(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    dimension: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    with_comparisons: bool = False,
    inline: bool = False,
) -> ReportState:
    """The kept report, else (``inline``) the report computed now, else the job that
    computes it: the live one, the last one when it failed (a page shows why and offers
    to try again), or one queued now. ``with_comparisons``: the downloads also need each
    pair's full comparison kept. Nothing is written in ``session``'s transaction."""
    key, _releases = fingerprint(session=session, store=store, slug=slug, dimension=dimension)
    kept = _kept(session, key, resamples, with_comparisons=with_comparisons)
    if kept is not None:
        return ReportState(report=kept)
    if inline:
        report = guideline_report(
            session=session, store=store, slug=slug, dimension=dimension, resamples=resamples
        )
        return ReportState(report=report)
    job_key = _job_key(key, resamples)
    last = jobs.latest(session, job_key)
    if last is not None and (last.live or last.failed):
        return ReportState(job=last)  # a poll while it runs writes nothing
    return ReportState(job=_enqueue(session, job_key, slug, dimension, resamples))


def _enqueue(
    bind: Session, job_key: str, slug: str, dimension: str | None, resamples: int
) -> jobs.JobState:
    payload = {"slug": slug, "dimension": dimension, "resamples": resamples}
    return jobs.enqueue(bind, kind=REPORT_JOB, key=job_key, payload=payload)


def retry_report(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    dimension: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
) -> jobs.JobState:
    """Queue the report again after its job failed (a lead asked): the live job."""
    key, _releases = fingerprint(session=session, store=store, slug=slug, dimension=dimension)
    job = _enqueue(session, _job_key(key, resamples), slug, dimension, resamples)
    session.commit()  # a writer's session holds the queued row in a savepoint (db.write_aside)
    return job


def run_report_job(run: jobs.JobRun) -> None:
    """Compute and keep the report and its full comparisons, telling the job's row each
    stage; reading in a read session of its own, keeping through ``write_aside``."""
    slug = str(run.payload["slug"])
    raw_dimension = run.payload.get("dimension")
    dimension = None if raw_dimension is None else str(raw_dimension)
    resamples = int(str(run.payload.get("resamples") or DEFAULT_RESAMPLES))
    with session_scope(run.engine, write=False) as session:
        report = guideline_report(
            session=session,
            store=run.store,
            slug=slug,
            dimension=dimension,
            resamples=resamples,
            progress=run.progress,
        )
        pairs = [(c.before.release.version, c.after.release.version) for c in report.comparisons]
        for number, (before, after) in enumerate(pairs):
            stage = f"details of {release_label(before)} against {release_label(after)}"
            run.progress(stage, number, len(pairs))
            compare(
                session=session,
                store=run.store,
                slug=slug,
                old=before,
                new=after,
                dimension=dimension,
                resamples=resamples,
            )
