"""The ``guidelines`` console script, a FlaskGroup: ``run``, ``routes`` and ``shell`` work too."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from guidelines_app import demo
from guidelines_app.cli.agreement import agreement_command
from guidelines_app.cli.annotations import import_command
from guidelines_app.cli.batch import batch_group
from guidelines_app.cli.report import report_command
from guidelines_app.cli.support import fail, reports_errors, require_database
from guidelines_app.cli.taxonomy import taxonomy_group
from guidelines_app.cli.worker import worker_command
from guidelines_app.db import saved_id, session_scope
from guidelines_app.models import Role
from guidelines_app.services import accounts, ops
from guidelines_app.web import context
from guidelines_app.web.jobs import settings_of

F = TypeVar("F", bound=Callable[..., Any])
ROLE_CHOICE = click.Choice([r.value for r in Role], case_sensitive=False)


def _profile() -> str:
    return current_app.config.get("PASSWORD_HASH_PROFILE", "strong")


@click.command("init")
@with_appcontext
@reports_errors
def init_command() -> None:
    """Create or upgrade the database and create and seed the content repository (idempotent)."""
    from guidelines_app import config

    data_dir = Path(current_app.config["DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    database = context.engine().url
    if database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:"):
        Path(database.database).parent.mkdir(parents=True, exist_ok=True)
    report = ops.initialise(
        engine=context.engine(),
        store=context.store(),
        starter_dir=current_app.config["STARTER_DIR"],
    )
    config.ensure_secret_key(data_dir)
    for action in report.actions:
        click.echo(action)
    click.echo("Nothing to do: already initialised." if not report.changed else "Initialised.")


@click.command("demo")
@with_appcontext
@reports_errors
def demo_command() -> None:
    """Load demo data and demo accounts, and print how to sign in."""
    require_database()
    credentials = Path(current_app.config["DATA_DIR"]) / "demo-accounts.json"
    with session_scope(context.engine()) as session:
        loaded = demo.load_demo(
            session=session,
            store=context.store(),
            credentials_file=credentials,
            profile=_profile(),
            log=click.echo,
        )
    click.echo("\nDemo accounts (passwords are kept in " + str(credentials) + "):")
    for account in loaded:
        password = account.password or "(existing account: password unchanged)"
        click.echo(f"  {account.role:<10} {account.username:<10} {password}")


@click.group("user", cls=AppGroup)
def user_group() -> None:
    """Create and manage user accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, default=Role.ANNOTATOR.value, show_default=True)
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@reports_errors
def user_create(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create a user; prompts for the password when interactive."""
    require_database()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        fail("no terminal to prompt for a password: use --password-stdin")
    with session_scope(context.engine()) as session:
        user = accounts.create_user(
            session=session,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            profile=_profile(),
        )
    click.echo(f"created {user.username} ({user.role})")


@user_group.command("list")
@reports_errors
def user_list() -> None:
    """List users with their roles and status."""
    require_database()
    with session_scope(context.engine(), write=False) as session:
        for user in accounts.list_users(session=session):
            status = "disabled" if user.is_disabled else "active"
            click.echo(f"{user.username:<20} {user.role:<10} {status:<9} {user.display_name}")


@user_group.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
@reports_errors
def user_set_role(username: str, role: str) -> None:
    """Change a user's role (their sessions end at once)."""
    require_database()
    with session_scope(context.engine()) as session:
        user = accounts.set_role(session=session, username=username, role=role)
    click.echo(f"{user.username} is now {user.role}")


@user_group.command("disable")
@click.argument("username")
@reports_errors
def user_disable(username: str) -> None:
    """Disable a user: sessions and API tokens stop working at once."""
    require_database()
    with session_scope(context.engine()) as session:
        user = accounts.set_disabled(session=session, username=username, disabled=True)
    click.echo(f"{user.username} is disabled")


@user_group.command("enable")
@click.argument("username")
@reports_errors
def user_enable(username: str) -> None:
    """Enable a disabled user again."""
    require_database()
    with session_scope(context.engine()) as session:
        user = accounts.set_disabled(session=session, username=username, disabled=False)
    click.echo(f"{user.username} is enabled")


@user_group.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for.")
@reports_errors
def user_token(username: str, name: str) -> None:
    """Create an API token for a user and print it (it is shown only once)."""
    require_database()
    with session_scope(context.engine()) as session:
        user = accounts.get_user(session, username)
        _token, secret = accounts.create_api_token(
            session=session, user_id=saved_id(user), name=name
        )
    click.echo(secret)


@click.command("check")
@with_appcontext
@click.option(
    "--repair",
    is_flag=True,
    help="Fix what is safe to fix (the database). Content is never changed: fix a document "
    "by editing it in the app or pushing a fix.",
)
@reports_errors
def check_command(repair: bool) -> None:
    """Verify the content repository and the database against each other: every document
    and release in force passes the save path's rules, every reference points somewhere,
    and nothing is left behind by faults (stuck jobs and imports, orphaned uploads,
    commits without audit)."""
    engine = context.engine()
    try:
        ops.state(engine)
    except Exception as error:  # unreachable, refused, not a database: one sentence, exit 2
        where = engine.url.render_as_string(hide_password=True)
        fail(
            f"cannot reach the database {where} ({error.__class__.__name__}): is it running, "
            "and is GUIDELINES_DATABASE_URL right?"
        )
    settings = settings_of(current_app)
    findings, repaired = ops.check(
        engine=engine,
        store=context.store(),
        repair=repair,
        data_dir=Path(current_app.config["DATA_DIR"]),
        stale_after=settings.stale_after,
        max_attempts=settings.max_attempts,
    )
    for line in repaired:
        click.echo(f"repaired: {line}")
    for finding in findings:
        hint = " (fixable with --repair)" if finding.repairable and not repair else ""
        click.echo(f"{finding.area}: {finding.message}{hint}")
    if repair and any(f.area == "content" for f in findings):
        click.echo(
            "--repair does not change content: edit these documents in the app "
            "or push a fix to the content repository."
        )
    if findings:
        click.echo(f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found.")
        sys.exit(1)
    click.echo("All consistent.")


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("current")
@reports_errors
def db_current() -> None:
    """Print the database's migration and the code's."""
    state = ops.state(context.engine())
    click.echo(f"database: {state.current or 'empty'}\ncode:     {state.head}")


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@reports_errors
def db_upgrade(revision: str) -> None:
    """Upgrade the database (default: to the newest migration)."""
    state = ops.upgrade(context.engine(), revision)
    click.echo(f"database at {state.current}")


@db_group.command("downgrade")
@click.argument("revision")
@reports_errors
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (`base` removes everything)."""
    state = ops.downgrade(context.engine(), revision)
    click.echo(f"database at {state.current or 'base'}")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@reports_errors
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    ops.autogenerate(context.engine(), message)


COMMANDS = (
    init_command,
    demo_command,
    user_group,
    check_command,
    db_group,
    import_command,
    batch_group,
    taxonomy_group,
    report_command,
    worker_command,
)


def register(app: Flask) -> None:
    """Attach the commands to the app, so ``flask --app`` and test runners see them too."""
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from guidelines_app import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    help="Annotation guidelines and label taxonomies, versioned in git.",
)


main.add_command(agreement_command)
