"""Every error answered with a page (or JSON under /api) and the right status, never a bare 500."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from guidelines_app.domain.errors import AppError, InvalidInput
from guidelines_app.store import PathNotFound, RevisionNotFound, StoreError, StoreUnavailable
from guidelines_app.web.security import is_api_request


def _answer(
    status: int, title: str, message: str, problems: list[str] | None = None
) -> ResponseReturnValue:
    if is_api_request():
        body: dict[str, object] = {"status": status, "message": message}
        if problems:
            body["problems"] = problems
        return jsonify({"error": body}), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message,
            problems=problems or [],
        ),
        status,
    )


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    return _answer(status, error.name, error.description or error.name)


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    return _answer(
        400,
        "Form expired",
        "This form was open too long or came from another site. "
        "Go back, reload the page and try again.",
    )


def _app_error(error: AppError) -> ResponseReturnValue:
    problems = [str(p) for p in error.problems] if isinstance(error, InvalidInput) else None
    return _answer(error.status, type(error).__name__, error.message, problems)


def _store_error(error: StoreError) -> ResponseReturnValue:
    if isinstance(error, StoreUnavailable):
        return _answer(
            503,
            "Content repository unavailable",
            f"{error} Run `guidelines check` on the server for details.",
        )
    if isinstance(error, (PathNotFound, RevisionNotFound)):
        return _answer(404, "Not found", str(error))
    return _answer(409, "Conflict", str(error))


def _unexpected(error: Exception) -> ResponseReturnValue:
    current_app.logger.exception("unexpected error", exc_info=error)
    return _answer(
        500, "Something went wrong", "The error was logged. Nothing you entered was saved."
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(AppError, _app_error)
    app.register_error_handler(StoreError, _store_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
