"""A release report that is not kept yet is computed by a job: the page answers at once
with its progress, the downloads with 202, and the next request after the job serves it."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from guidelines_app import config, create_app
from guidelines_app.db import session_scope, utcnow
from guidelines_app.models import Job, Role
from guidelines_app.services import jobs, reports
from guidelines_app.services.annotations import importing as annotations
from guidelines_app.store import Author
from guidelines_app.web import jobs as web_jobs
from tests.conftest import app_config
from tests.factories import signed_in_client

SLUG = "product-review-sentiment"
PATH = f"guidelines/{SLUG}.md"
PAGE = f"/guidelines/{SLUG}/agreement"
LEAD = Author("Lena Lead", "lena@example.org")
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
LABELS = ["positive", "negative", "neutral"]


def _csv(items: range, accuracy: float, start: datetime, seed: int) -> bytes:
    rng = random.Random(seed)
    lines = ["item,annotator,label,created_at"]
    for n in items:
        truth = LABELS[n % 3]
        for a in range(3):
            label = truth if rng.random() < accuracy else LABELS[(n + 1 + a) % 3]
            when = start + timedelta(hours=n % 100, minutes=a)
            lines.append(f"review-{n},annotator-{a},{label},{when.isoformat()}")
    return ("\n".join(lines) + "\n").encode()


def _import(app: Flask, data: bytes, name: str) -> None:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        annotations.import_annotations(
            session=session,
            store=app.extensions["guidelines.store"],
            data=data,
            file_name=name,
            dataset="reviews",
            guideline=SLUG,
        )


def _history(app: Flask) -> None:
    """v1 and v2 three weeks apart, a batch under each."""
    store = app.extensions["guidelines.store"]
    store.create_release(PATH, rev=store.head(), message="First release.", tagger=LEAD, when=T0)
    text = store.read(PATH).text.replace("exactly one", "exactly one (mind the sarcasm)")
    later = T0 + timedelta(weeks=3)
    store.write({PATH: text.encode()}, base=None, author=LEAD, message="Sarcasm", when=later)
    store.create_release(PATH, rev=store.head(), message="Sarcasm rules.", tagger=LEAD, when=later)
    _import(app, _csv(range(0, 90), 0.7, T0 + timedelta(days=1), seed=1), "v1.csv")
    _import(app, _csv(range(90, 180), 0.9, later + timedelta(days=1), seed=2), "v2.csv")


def _app(tmp_path: Path, database_url: str, content_repo: Path, **extra: object) -> Flask:
    settings = {"REPORTS_INLINE": False, "REPORT_RESAMPLES": 20, **extra}
    application = create_app(app_config(tmp_path, database_url, content_repo, **settings))
    _history(application)
    return application


@pytest.fixture
def job_app(tmp_path: Path, database_url: str, content_repo: Path) -> Iterator[Flask]:
    application = _app(tmp_path, database_url, content_repo, JOB_ATTEMPTS=1)
    yield application
    application.extensions["guidelines.engine"].dispose()


def _run_pending(app: Flask) -> list[jobs.JobState]:
    engine, store = app.extensions["guidelines.engine"], app.extensions["guidelines.store"]
    return jobs.run_pending(engine, store, settings=web_jobs.settings_of(app))


def _jobs(app: Flask) -> list[Job]:
    with Session(app.extensions["guidelines.engine"]) as session:
        return list(session.exec(select(Job).order_by(Job.id)).all())


def test_the_job_path_is_the_default_outside_tests():
    settings = config.load(environ={}, overrides={"DATA_DIR": "/nonexistent/guidelines"})
    assert settings["REPORTS_INLINE"] is False
    assert settings["JOB_WORKERS"] == 1


def test_a_cold_report_page_answers_at_once_with_its_progress(job_app):
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    response = viewer.get(PAGE)
    assert response.status_code == 202
    assert response.headers["Retry-After"] == str(reports.RETRY_AFTER)
    html = response.get_data(as_text=True)
    assert "Computing the report" in html and "<progress" in html
    assert f'hx-get="{PAGE}"' in html and 'hx-trigger="every 2s"' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'<a href="{PAGE}">reload</a>' in html
    assert "Release by release" not in html
    # another reader (another worker) waits for the same job: one per cache key
    other = signed_in_client(job_app, Role.LEAD, "lena")
    assert other.get(PAGE).status_code == 202
    queued = _jobs(job_app)
    assert [(j.kind, j.status) for j in queued] == [("report", "queued")]

    ran = _run_pending(job_app)
    assert [(j.id, j.status) for j in ran] == [(queued[0].id, "done")]
    ready = viewer.get(PAGE)
    assert ready.status_code == 200
    assert "Release by release" in ready.get_data(as_text=True)
    assert len(_jobs(job_app)) == 1  # served from the cache: nothing queued again


def test_downloads_answer_202_with_retry_after_until_the_job_ran(job_app):
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    waiting = viewer.get(f"{PAGE}/report.json")
    assert waiting.status_code == 202
    assert waiting.headers["Retry-After"] == str(reports.RETRY_AFTER)
    body = json.loads(waiting.get_data())
    assert body["status"] == "computing" and body["retry_after"] == reports.RETRY_AFTER
    assert set(body["progress"]) == {"stage", "done", "total"}
    markdown = viewer.get(f"{PAGE}/report.md")
    assert markdown.status_code == 202 and markdown.headers["Retry-After"]
    assert markdown.get_data(as_text=True).startswith("The report is being computed")
    assert len(_jobs(job_app)) == 1  # the page and both downloads share one job

    _run_pending(job_app)
    report = json.loads(viewer.get(f"{PAGE}/report.json").get_data())
    assert {r["label"] for r in report["releases"]} == {"v1", "v2"}
    assert [c["to"]["label"] for c in report["comparisons"]] == ["v2"]
    assert viewer.get(f"{PAGE}/report.md").status_code == 200
    assert viewer.get(PAGE).status_code == 200
    assert len(_jobs(job_app)) == 1  # the job kept the full comparisons the downloads need


def test_the_page_after_the_job_serves_what_the_cli_computes(job_app):
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    viewer.get(f"{PAGE}/report.json")
    _run_pending(job_app)
    served = json.loads(viewer.get(f"{PAGE}/report.json").get_data())
    printed = job_app.test_cli_runner().invoke(args=["report", SLUG, "--json"])
    assert printed.exit_code == 0, printed.output
    computed = json.loads(printed.output)
    served.pop("generated_at"), computed.pop("generated_at")
    served["annotators"] = computed["annotators"] = []  # viewers do not see annotators
    assert served == computed


def test_the_job_records_its_stages_on_its_row(job_app):
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    viewer.get(PAGE)
    stages: list[tuple[str, int, int]] = []

    class Recorded(jobs.JobRun):
        def progress(self, stage: str, done: int = 0, total: int = 0) -> None:
            super().progress(stage, done, total)
            row = jobs.get(self.engine, self.job.id)
            stages.append((row.stage, row.done, row.total))

    def report(run: jobs.JobRun) -> None:
        reports.run_report_job(Recorded(run.engine, run.store, run.job, run.worker))

    engine, store = job_app.extensions["guidelines.engine"], job_app.extensions["guidelines.store"]
    jobs.run_pending(engine, store, kinds={reports.REPORT_JOB: report})
    names = [stage for stage, _done, _total in stages]
    assert names[0] == "reading the annotations"
    assert "figures of v1" in names and "figures of v2" in names
    assert "comparing v1 with v2" in names
    assert names[-1] == "details of v1 against v2"
    figures = [(d, t) for s, d, t in stages if s.startswith("figures of")]
    assert figures == [(0, 5), (1, 5)]


def test_an_htmx_poll_gets_the_fragment_then_a_refresh_when_ready(job_app):
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    poll = {"HX-Request": "true", "HX-Trigger": "report-progress"}
    fragment = viewer.get(PAGE, headers=poll)
    assert fragment.status_code == 202
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="report-progress"') and "<html" not in html
    assert "HX-Request" in fragment.headers["Vary"]
    _run_pending(job_app)
    ready = viewer.get(PAGE, headers=poll)
    assert ready.status_code == 200 and ready.headers["HX-Refresh"] == "true"


def _lose_the_worker(app: Flask) -> Job:
    """A worker claims the job and dies: its heartbeat stops (JOB_ATTEMPTS is 1)."""
    engine = app.extensions["guidelines.engine"]
    claimed = jobs.claim(engine, worker="a worker that died")
    assert claimed is not None
    later = utcnow() + timedelta(hours=1)
    settings = web_jobs.settings_of(app)
    jobs.recover(engine, stale_after=settings.stale_after, max_attempts=1, now=later)
    return _jobs(app)[-1]


def test_a_failed_job_shows_its_message_and_a_lead_can_start_it_again(job_app):
    lead = signed_in_client(job_app, Role.LEAD, "lena")
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    assert viewer.get(PAGE).status_code == 202
    failed = _lose_the_worker(job_app)
    assert failed.status == "failed"

    shown = viewer.get(PAGE)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "The report could not be computed" in html and "stopped once" in html
    assert "Traceback" not in html and "Try again</button>" not in html  # viewers cannot retry
    answer = viewer.get(f"{PAGE}/report.json")
    assert answer.status_code == 503
    assert json.loads(answer.get_data())["status"] == "failed"
    assert viewer.post(f"{PAGE}/retry").status_code == 403

    page = lead.get(PAGE).get_data(as_text=True)
    assert '<button type="submit">Try again</button>' in page and f'action="{PAGE}/retry"' in page
    retried = lead.post(f"{PAGE}/retry")
    assert retried.status_code == 303 and retried.headers["Location"].endswith(PAGE)
    assert lead.get(PAGE).status_code == 202
    assert [j.status for j in _jobs(job_app)] == ["failed", "queued"]
    _run_pending(job_app)
    assert lead.get(PAGE).status_code == 200


def test_a_job_refused_by_the_content_shows_the_reason_not_a_500(job_app):
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    viewer.get(PAGE)
    store = job_app.extensions["guidelines.store"]
    text = store.read(PATH).text
    store.write({PATH: None}, base=None, author=LEAD, message="Removed by mistake")
    [ran] = _run_pending(job_app)
    assert ran.status == "failed" and ran.message == f"no guideline named {SLUG!r}"
    store.write({PATH: text.encode()}, base=None, author=LEAD, message="Put back")
    shown = viewer.get(PAGE)  # same batches and releases: the same report, whose job failed
    assert shown.status_code == 200
    assert f"no guideline named {SLUG!r}" in shown.get_data(as_text=True).replace("&#39;", "'")
    markdown = viewer.get(f"{PAGE}/report.md")
    assert markdown.status_code == 503
    assert "could not be computed" in markdown.get_data(as_text=True)


def test_guidelines_worker_once_runs_the_queued_jobs(job_app):
    viewer = signed_in_client(job_app, Role.VIEWER, "vic")
    viewer.get(PAGE)
    result = job_app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "ran 1 job, 0 failed" in result.output
    assert viewer.get(PAGE).status_code == 200


def test_the_worker_thread_of_the_app_process_computes_the_report(
    tmp_path, database_url, content_repo
):
    application = _app(tmp_path, database_url, content_repo, JOB_WORKERS=1, JOB_POLL_SECONDS=0.05)
    try:
        viewer = signed_in_client(application, Role.VIEWER, "vic")
        assert viewer.get(PAGE).status_code == 202
        deadline = time.monotonic() + 120  # a bound for a stuck run, not a speed goal
        while (status := viewer.get(PAGE).status_code) == 202 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == 200
        web_jobs.stop(application, timeout=60)
        with Session(application.extensions["guidelines.engine"]) as session:
            assert session.exec(select(func.count()).select_from(Job)).one() == 1
    finally:
        web_jobs.stop(application, timeout=60)
        application.extensions["guidelines.engine"].dispose()
