"""Running jobs: one at a time per thread, with a heartbeat while a job runs.

``run_pending`` runs every queued job synchronously and returns (tests, ``guidelines
worker --once``); ``Workers`` are threads that poll for jobs (one per app process by
default, or the ``guidelines worker`` command). What each kind of job does is one entry
of ``handlers()``, declared here so that the wiring is explicit.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from guidelines_app.domain.errors import AppError, InvalidInput
from guidelines_app.services.jobs import queue
from guidelines_app.services.jobs.queue import JobState
from guidelines_app.store import ContentStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunnerSettings:
    """How long a running job may stay silent before it counts as lost, how often it is
    tried, how often its heartbeat is written and how often idle workers look for work."""

    stale_after: timedelta = timedelta(seconds=120)
    max_attempts: int = 3
    heartbeat_every: float = 15.0
    poll_every: float = 1.0


@dataclass
class JobRun:
    """What a handler is given: where to work, its job, and a way to say how far it got."""

    engine: Engine
    store: ContentStore
    job: JobState
    worker: str

    @property
    def payload(self) -> dict[str, object]:
        return self.job.payload

    def progress(self, stage: str, done: int = 0, total: int = 0) -> None:
        queue.progress(
            self.engine, self.job.id, worker=self.worker, stage=stage, done=done, total=total
        )


Handler = Callable[[JobRun], None]


def handlers() -> Mapping[str, Handler]:
    """Every kind of job and what runs it: the one list of them."""
    from guidelines_app.services import reports

    return {reports.REPORT_JOB: reports.run_report_job}


def worker_name(thread: str = "") -> str:
    """Who holds a job: host, process and a random part (a pid is reused after a restart)."""
    suffix = f":{thread}" if thread else ""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}{suffix}"


def _message_of(error: AppError) -> str:
    if isinstance(error, InvalidInput) and error.problems:
        return str(error)
    return error.message


def run_one(
    engine: Engine,
    store: ContentStore,
    *,
    worker: str,
    settings: RunnerSettings,
    kinds: Mapping[str, Handler] | None = None,
) -> JobState | None:
    """Claim one job and run it to its end; None when the queue was empty."""
    job = queue.claim(engine, worker=worker)
    if job is None:
        return None
    handler = (kinds if kinds is not None else handlers()).get(job.kind)
    if handler is None:
        queue.fail(
            engine, job.id, worker=worker, message=f"no worker runs jobs of kind {job.kind!r}"
        )
        return queue.get(engine, job.id)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(settings.heartbeat_every):
            queue.heartbeat(engine, job.id, worker=worker)

    ticker = threading.Thread(target=beat, name=f"job-{job.id}-heartbeat", daemon=True)
    ticker.start()
    try:
        handler(JobRun(engine, store, job, worker))
    except AppError as error:  # the work's own refusal (a guideline deleted meanwhile...)
        queue.fail(engine, job.id, worker=worker, message=_message_of(error))
    except Exception:  # never leave a job running forever; the log has the trace
        log.exception("job #%s (%s) failed", job.id, job.kind)
        queue.fail(
            engine, job.id, worker=worker, message="It failed unexpectedly; the error was logged."
        )
    else:
        queue.finish(engine, job.id, worker=worker)
    finally:
        stop.set()
        ticker.join()
    return queue.get(engine, job.id)


def run_pending(
    engine: Engine,
    store: ContentStore,
    *,
    settings: RunnerSettings | None = None,
    worker: str | None = None,
    limit: int = 1000,
    kinds: Mapping[str, Handler] | None = None,
) -> list[JobState]:
    """Recover lost jobs, then run queued jobs until none is left (at most ``limit``);
    the jobs run, as they ended."""
    settings = settings or RunnerSettings()
    name = worker or worker_name()
    queue.recover(engine, stale_after=settings.stale_after, max_attempts=settings.max_attempts)
    ran: list[JobState] = []
    while len(ran) < limit:
        job = run_one(engine, store, worker=name, settings=settings, kinds=kinds)
        if job is None:
            break
        ran.append(job)
    return ran


@dataclass
class Workers:
    """Threads that run jobs until stopped; each polls the queue when it found nothing."""

    engine: Engine
    store: ContentStore
    settings: RunnerSettings
    kinds: Mapping[str, Handler] | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, count: int) -> None:
        for number in range(count):
            thread = threading.Thread(
                target=self._loop, args=(worker_name(f"t{number}"),), name=f"jobs-{number}"
            )
            thread.daemon = True  # a lost worker's job is requeued when its heartbeat stops
            thread.start()
            self.threads.append(thread)

    def _loop(self, name: str) -> None:
        while not self.stopping.is_set():
            try:
                ran = run_pending(
                    self.engine, self.store, settings=self.settings, worker=name, kinds=self.kinds
                )
            except Exception:  # the database went away for a moment: try again later
                log.exception("the job worker %s could not reach the queue", name)
                ran = []
            if not ran:
                self.wake.wait(self.settings.poll_every)
                self.wake.clear()

    def stop(self, timeout: float | None = None) -> None:
        self.stopping.set()
        self.wake.set()
        for thread in self.threads:
            thread.join(timeout)
