"""Helpers shared by the ``guidelines`` commands: errors as exit code 2, readiness checks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from guidelines_app.domain.errors import AppError
from guidelines_app.services import ops
from guidelines_app.web import context

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)


def reports_errors(command: F) -> F:
    """Turn the app's errors into a message on stderr and exit code 2.

    Git's errors are among them (every store error is an AppError), so a missing or broken
    content repository is a clear message too, never a traceback.
    """

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AppError as error:
            fail(error.message if not getattr(error, "problems", None) else str(error))
        return None

    return run  # type: ignore[return-value]


def require_database() -> None:
    try:
        state = ops.state(context.engine())
    except Exception as error:  # the database cannot be opened at all
        fail(f"cannot open the database ({error.__class__.__name__}): run `guidelines init` first")
    if not state.at_head:
        fail("the database is not initialised or not up to date: run `guidelines init` first")
