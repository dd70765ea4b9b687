"""Every error answered with a page (or JSON under /api) and the right status, never a bare 500."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from guidelines_app.db import DAMAGED, DriverError, is_damaged, is_unavailable
from guidelines_app.domain.errors import AppError, InvalidInput
from guidelines_app.store import StoreError, StoreUnavailable
from guidelines_app.web.errors import status_of
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
    """Every error of the app, git's included, with the status ``web/errors.py`` gives it."""
    status = status_of(error)
    problems = [str(p) for p in error.problems] if isinstance(error, InvalidInput) else None
    if isinstance(error, StoreUnavailable):
        title = "Content repository unavailable"
        message = f"{error} Run `guidelines check` on the server for details."
        return _answer(status, title, message)
    if isinstance(error, StoreError):  # git's class names mean nothing to a reader
        return _answer(status, HTTP_STATUS_CODES.get(status, "Error"), str(error), problems)
    return _answer(status, type(error).__name__, error.message, problems)


def _database_error(error: DriverError) -> ResponseReturnValue:
    """An outage answers 503 in plain words: the driver's text names hosts, ports and roles."""
    if not is_unavailable(error):
        if current_app.testing:
            raise error
        return _unexpected(error)
    current_app.logger.error("the database cannot answer: %s", error)
    # The page is rendered as for a visitor: who is signed in is in the unreachable database.
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    if is_damaged(error):
        message = f"{DAMAGED} Nothing you entered was saved."
    else:
        message = (
            "The database cannot be reached right now. Nothing you entered was saved; "
            "try again in a minute."
        )
    response = current_app.make_response(_answer(503, "Service unavailable", message))
    if not is_damaged(error):
        response.headers["Retry-After"] = "30"
    return response


def _unexpected(error: Exception) -> ResponseReturnValue:
    current_app.logger.exception("unexpected error", exc_info=error)
    return _answer(
        500, "Something went wrong", "The error was logged. Nothing you entered was saved."
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(AppError, _app_error)
    app.register_error_handler(DriverError, _database_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
