"""``guidelines taxonomy export|import|diff``: exchange with labeling tools from a shell."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from flask.cli import AppGroup

from guidelines_app.db import session_scope
from guidelines_app.domain.errors import AppError, InvalidInput
from guidelines_app.domain.formats import EXPORT_KEYS, IMPORT_KEYS
from guidelines_app.services import accounts, documents, ops, taxonomies
from guidelines_app.store import StoreError
from guidelines_app.web import context

F = TypeVar("F", bound=Callable[..., Any])
CLI_AUTHOR = "cli"


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)


def _reports_errors(command: F) -> F:
    """The app's errors as a message on stderr (every problem on its line) and exit code 2."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InvalidInput as error:
            lines = [str(p) for p in error.problems]
            _fail("\n  ".join([error.message, *lines]) if lines else error.message)
        except AppError as error:
            _fail(error.message)
        except StoreError as error:
            _fail(str(error))
        return None

    return run  # type: ignore[return-value]


def _require_database() -> None:
    try:
        ready = ops.state(context.engine()).at_head
    except Exception as error:  # the database cannot be opened at all
        _fail(f"cannot open the database ({error.__class__.__name__}): run `guidelines init`")
    if not ready:
        _fail("the database is not initialised or not up to date: run `guidelines init` first")


@click.group("taxonomy", cls=AppGroup)
def taxonomy_group() -> None:
    """Export, import and compare label taxonomies."""


@taxonomy_group.command("export")
@click.argument("slug")
@click.option("--to", "fmt", required=True, help=f"One of: {', '.join(EXPORT_KEYS)}.")
@click.option("--rev", default=None, help="vN, draft (default) or a commit id.")
@_reports_errors
def export_command(slug: str, fmt: str, rev: str | None) -> None:
    """Write the taxonomy in a labeling tool's format to standard output."""
    result = taxonomies.export(store=context.store(), slug=slug, fmt=fmt, ref=rev)
    click.echo(result.text, nl=not result.text.endswith("\n"))


@taxonomy_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option("--from", "fmt", required=True, help=f"One of: {', '.join(IMPORT_KEYS)}.")
@click.option("--slug", required=True, help="An existing taxonomy (new revision) or a new one.")
@click.option("--message", default="", help="The commit message.")
@click.option("--author", "username", default=None, help="The user to record as author.")
@_reports_errors
def import_command(file: Path, fmt: str, slug: str, message: str, username: str | None) -> None:
    """Import FILE as a new revision of taxonomy SLUG, or as a new taxonomy."""
    _require_database()
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror or error}")
    with session_scope(context.engine()) as session:
        author = documents.author_for(CLI_AUTHOR, "Command line")
        actor_id = None
        if username:
            user = accounts.get_user(session, username)
            author = documents.author_for(user.username, user.display_name)
            actor_id = user.id
        result = taxonomies.import_taxonomy(
            session=session,
            store=context.store(),
            slug=slug,
            fmt=fmt,
            data=data,
            author=author,
            message=message,
            actor_id=actor_id,
        )
    if not result.outcome.changed or result.outcome.result is None:
        click.echo(f"{slug}: nothing changed")
        return
    what = "created" if result.created else "new revision"
    click.echo(f"{slug}: {what} {result.outcome.result.commit.short_id}")


def _names(items: list[dict[str, Any]], key: str = "id") -> str:
    return ", ".join(str(item[key]) for item in items)


def _describe(changes: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines = []
    for item in changes["added"]:
        lines.append(f"added      {item['id']} ({item['name']})")
    for item in changes["removed"]:
        lines.append(f"removed    {item['id']} ({item['name']})")
    for item in changes["renamed"]:
        lines.append(f"renamed    {item['id']}: {item['old_name']!r} -> {item['new_name']!r}")
    for item in changes["moved"]:
        old, new = item["old_parent"] or "(top)", item["new_parent"] or "(top)"
        lines.append(f"moved      {item['id']}: {old} -> {new}")
    for item in changes["redefined"]:
        lines.append(f"redefined  {item['id']}: {_names(item['changes'], 'field')}")
    for item in changes["deprecated"]:
        target = ", ".join(item["replaced_by"]) or "no replacement"
        lines.append(f"deprecated {item['id']} -> {target}")
    for item in changes["reinstated"]:
        lines.append(f"reinstated {item['id']}")
    for item in changes["merged"]:
        lines.append(f"merged     {', '.join(item['sources'])} -> {item['into']}")
    for item in changes["split"]:
        lines.append(f"split      {item['source']} -> {', '.join(item['into'])}")
    for item in changes["restyled"]:
        lines.append(f"restyled   {item['id']}: {_names(item['changes'], 'field')}")
    for item in changes["meta"]:
        lines.append(f"taxonomy   {item['field']} changed")
    return lines


@taxonomy_group.command("diff")
@click.argument("slug")
@click.argument("from_rev")
@click.argument("to_rev")
@click.option("--json", "as_json", is_flag=True, help="The semantic diff and migration map.")
@_reports_errors
def diff_command(slug: str, from_rev: str, to_rev: str, as_json: bool) -> None:
    """The semantic diff between two revisions (vN, draft or commit ids)."""
    change = taxonomies.compare(store=context.store(), slug=slug, old=from_rev, new=to_rev)
    data = taxonomies.diff_json(change)
    if as_json:
        data["migration"] = taxonomies.migration_json(change)["map"]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{slug}: {change.old.label} -> {change.new.label}")
    lines = _describe(data["changes"])
    for line in lines or ["no change in meaning"]:
        click.echo(f"  {line}")
    relabel = change.migration.needs_relabel()
    if relabel:
        click.echo(f"needs relabelling: {', '.join(relabel)}")
