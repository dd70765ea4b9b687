"""Long work kept in the database (cold release reports first): queued by key, claimed
by any worker with a row lock, its progress on the row, resumed after a lost worker."""

from __future__ import annotations

from guidelines_app.services.jobs.queue import (
    JobState,
    Recovered,
    claim,
    enqueue,
    fail,
    finish,
    get,
    heartbeat,
    latest,
    lost_message,
    progress,
    recover,
    stuck,
)
from guidelines_app.services.jobs.runner import (
    Handler,
    JobRun,
    RunnerSettings,
    Workers,
    handlers,
    run_one,
    run_pending,
    worker_name,
)

__all__ = [
    "Handler",
    "JobRun",
    "JobState",
    "Recovered",
    "RunnerSettings",
    "Workers",
    "claim",
    "enqueue",
    "fail",
    "finish",
    "get",
    "handlers",
    "heartbeat",
    "latest",
    "lost_message",
    "progress",
    "recover",
    "run_one",
    "run_pending",
    "stuck",
    "worker_name",
]
