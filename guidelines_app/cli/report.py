"""``guidelines report GUIDELINE``: the release report as Markdown or JSON on standard output."""

from __future__ import annotations

import json
from dataclasses import replace

import click
from flask import current_app
from flask.cli import with_appcontext

from guidelines_app.cli.support import reports_errors, require_database
from guidelines_app.db import session_scope
from guidelines_app.services import reports
from guidelines_app.services.reports import report_markdown
from guidelines_app.web import context


@click.command("report")
@click.argument("guideline")
@click.option("--from", "old", help="Compare from this release (e.g. v2).")
@click.option("--to", "new", help="Compare to this release (e.g. v3).")
@click.option("--dimension", default=None, help="Which annotation dimension (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of Markdown.")
@with_appcontext
@reports_errors
def report_command(
    guideline: str, old: str | None, new: str | None, dimension: str | None, as_json: bool
) -> None:
    """Agreement release by release for GUIDELINE, with each release against the previous
    (or only --from against --to)."""
    require_database()
    if (old is None) != (new is None):
        raise click.UsageError("give both --from and --to, or neither")
    store = context.store()
    # A read: its session never writes; the reports it computes are kept aside.
    with session_scope(context.engine(), write=False) as session:
        resamples = int(current_app.config["REPORT_RESAMPLES"])
        report = reports.guideline_report(
            session=session, store=store, slug=guideline, dimension=dimension, resamples=resamples
        )
        pairs: list[tuple[str | int, str | int]] = (
            [(old, new)]
            if old is not None and new is not None  # both or neither, checked above
            else [(c.before.release.version, c.after.release.version) for c in report.comparisons]
        )
        comparisons = tuple(
            reports.compare(
                session=session,
                store=store,
                slug=guideline,
                old=a,
                new=b,
                dimension=dimension,
                resamples=resamples,
            )
            for a, b in pairs
        )
    if as_json:
        body = replace(report, comparisons=comparisons).to_dict()
        click.echo(json.dumps(body, allow_nan=False, indent=2))
    else:
        click.echo(report_markdown(report, comparisons))
