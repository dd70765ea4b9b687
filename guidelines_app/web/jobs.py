"""The job workers of an app process: started by its first request, so that a gunicorn
worker forked from a preloaded app runs its own threads (threads do not survive a fork)
and a command that never serves a request starts none."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask

from guidelines_app.services import jobs
from guidelines_app.web import context

_STARTING = threading.Lock()


def settings_of(app: Flask) -> jobs.RunnerSettings:
    """The runner's settings from the app's configuration (``guidelines worker`` too)."""
    stale = max(int(app.config["JOB_STALE_SECONDS"]), 1)
    return jobs.RunnerSettings(
        stale_after=timedelta(seconds=stale),
        max_attempts=max(int(app.config["JOB_ATTEMPTS"]), 1),
        heartbeat_every=max(stale / 8, 0.05),
        poll_every=float(app.config.get("JOB_POLL_SECONDS", 1.0)),
    )


def init_app(app: Flask) -> None:
    app.before_request(lambda: _start_once(app))


def _start_once(app: Flask) -> None:
    if "guidelines.workers" in app.extensions:
        return
    with _STARTING:
        if "guidelines.workers" in app.extensions:
            return
        count = max(int(app.config["JOB_WORKERS"]), 0)
        workers = None
        if count:
            workers = jobs.Workers(context.engine(), context.store(), settings_of(app))
            workers.start(count)
        app.extensions["guidelines.workers"] = workers


def wake() -> None:
    """Tell this process's idle workers that a job was queued (they poll anyway)."""
    from flask import current_app

    workers = current_app.extensions.get("guidelines.workers")
    if workers is not None:
        workers.wake.set()


def stop(app: Flask, timeout: float | None = None) -> None:
    """Stop this process's workers (a test that started them)."""
    workers = app.extensions.pop("guidelines.workers", None)
    if workers is not None:
        workers.stop(timeout)
