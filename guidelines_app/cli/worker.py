"""``guidelines worker``: run jobs kept in the database until interrupted (or, with
``--once``, those queued now), for hosts that serve with ``GUIDELINES_JOB_WORKERS=0``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from guidelines_app.cli.support import reports_errors, require_database
from guidelines_app.services import jobs
from guidelines_app.web import context
from guidelines_app.web.jobs import settings_of


@click.command("worker")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--once", is_flag=True, help="Run the jobs queued now, then stop.")
@with_appcontext
@reports_errors
def worker_command(threads: int, once: bool) -> None:
    """Run jobs (cold release reports...) from the database until interrupted."""
    require_database()
    settings = settings_of(current_app)
    if once:
        ran = jobs.run_pending(context.engine(), context.store(), settings=settings)
        failed = sum(1 for job in ran if job.failed)
        click.echo(f"ran {len(ran)} job{'s' if len(ran) != 1 else ''}, {failed} failed")
        return
    workers = jobs.Workers(context.engine(), context.store(), settings)
    workers.start(threads)
    click.echo(f"running jobs with {threads} thread{'s' if threads != 1 else ''}; Ctrl-C stops")
    try:
        while not workers.stopping.wait(3600):
            pass
    except KeyboardInterrupt:
        click.echo("stopping: a job that is running is resumed by the next worker")
    finally:
        workers.stop(timeout=5)
