"""Errors are nouns under one base class; views map them to HTTP statuses."""

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
    """Base of every error the app answers with a 4xx status and a message."""

    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message or self.__class__.__name__


class NotFound(AppError):
    status = 404


class Forbidden(AppError):
    status = 403


class Conflict(AppError):
    status = 409


class TooLarge(AppError):
    status = 413


class InvalidInput(AppError):
    """Input that cannot be accepted; carries every problem found, not just the first."""

    status = 422

    def __init__(self, message: str = "", problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems or [])
        if not message:
            message = "; ".join(str(p) for p in self.problems) or "invalid input"
        super().__init__(message)
