"""``guidelines batch remove ID``: take out a batch imported by mistake, from a shell."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from guidelines_app.cli.support import fail, reports_errors, require_database
from guidelines_app.db import session_scope
from guidelines_app.models import Role
from guidelines_app.services import accounts
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.web import context


@click.group("batch", cls=AppGroup)
def batch_group() -> None:
    """Imported annotation batches."""


def _actor_id(username: str | None) -> int | None:
    """The user the audit row names: a lead (or admin), as on the page and the API."""
    if not username:
        return None
    with session_scope(context.engine(), write=False) as session:
        user = accounts.get_user(session, username)
        if not Role(user.role).includes(Role.LEAD):
            fail(f"{user.username} is {user.role}: removing a batch needs the lead role")
        return user.id


@batch_group.command("remove")
@click.argument("batch_id", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="Do not ask (required without a terminal).")
@click.option("--actor", default=None, help="The username recorded in the audit log (a lead).")
@reports_errors
def remove_command(batch_id: int, yes: bool, actor: str | None) -> None:
    """Remove batch ID: its annotations, its figures and the cached reports that count it.

    The items stay; the removal is recorded in the audit log. Exit code 2 for an unknown
    batch, one still being imported, or no --yes where there is no terminal to ask.
    """
    require_database()
    actor_id = _actor_id(actor)
    with session_scope(context.engine(), write=False) as session:  # no write lock while asking
        batch, dataset = annotation_batches.get_batch(session, batch_id)
        question = (
            f"Remove batch #{batch_id} ({batch.file_name}) from {dataset}: "
            f"{batch.n_annotations:,} annotations and their figures?"
        )
    if not yes:
        if not sys.stdin.isatty():
            fail(f"batch #{batch_id} was not removed: confirm with --yes (no terminal to ask)")
        if not click.confirm(question, default=False):
            click.echo("Nothing removed.")
            sys.exit(1)
    with session_scope(context.engine()) as session:
        removed = annotation_batches.remove_batch(
            session=session, batch_id=batch_id, actor_id=actor_id
        )
    click.echo(
        f"{removed.summary()}; dropped {_count(removed.n_figures, 'row')} of stored figures "
        f"and {_count(removed.n_reports, 'cached report')}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
