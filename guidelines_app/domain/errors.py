"""Errors are nouns under one base class. They say what went wrong, never how to answer it:
``web/errors.py`` maps each class to an HTTP status, the CLI answers every one with exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: what, where (a path such as ``labels[2].id``), which line."""

    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where = f"{where} (line {self.line})" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message


class AppError(Exception):
    """Base of every error the app answers with a message instead of a crash."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message or self.__class__.__name__


class NotFound(AppError):
    """The thing asked for does not exist (a slug, a revision, a file, a row)."""


class Forbidden(AppError):
    """The acting user may not do this."""


class Conflict(AppError):
    """The request is fine, but the state it meets says no: a stale edit, a duplicate."""


class TooLarge(AppError):
    """An input beyond a size cap."""


class Unavailable(AppError):
    """Something the app relies on (the content repository) cannot be used right now."""


class InvalidInput(AppError):
    """Input that cannot be accepted; carries every problem found, not just the first."""

    def __init__(self, message: str = "", problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems or [])
        if not message:
            message = "; ".join(str(p) for p in self.problems) or "invalid input"
        super().__init__(message)
