"""Sign-in, role guards and security headers for the web UI and the API.

Every endpoint declares the least role it needs with ``@requires(Role.X)`` or
``@public``; ``enforce`` runs before every request and refuses what a user may not
see. An endpoint that declares nothing is refused to everyone (fail closed), and a
test walks the URL map so that none ships that way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from guidelines_app.models import Role
from guidelines_app.services import accounts
from guidelines_app.web import context

ROLE_ATTRIBUTE = "_guidelines_least_role"
PUBLIC = "public"
F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def requires(role: Role) -> Callable[[F], F]:
    """Declare the least role an endpoint needs."""

    def mark(view: F) -> F:
        setattr(view, ROLE_ATTRIBUTE, Role(role))
        return view

    return mark


def public(view: F) -> F:
    """Declare an endpoint open to anyone, signed in or not."""
    setattr(view, ROLE_ATTRIBUTE, PUBLIC)
    return view


def least_role(app: Flask, endpoint: str) -> Role | str | None:
    return getattr(app.view_functions.get(endpoint), ROLE_ATTRIBUTE, None)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def session_lifetime() -> timedelta:
    return timedelta(days=current_app.config["SESSION_DAYS"])


def password_profile() -> str:
    return current_app.config.get("PASSWORD_HASH_PROFILE", "strong")


def safe_next(target: str | None) -> str | None:
    """Only same-site paths may be redirect targets after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _api_error(status: int, message: str) -> ResponseReturnValue:
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="guidelines"'
    return response


def enforce() -> ResponseReturnValue | None:
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the 404/405 handlers answer
        return None
    role = least_role(current_app, endpoint)
    if role == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            return _api_error(401, "authentication required: send Authorization: Bearer <token>")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not isinstance(role, Role):  # None, as PUBLIC was answered above
        current_app.logger.error("endpoint %s declares no role; refused", endpoint)
        role = Role.ADMIN
    if not current_user.can(role):
        message = (
            f"this needs the {role.value} role; you are signed in as {current_user.role.value}"
        )
        if is_api_request():
            return _api_error(403, message)
        abort(403, description=message)
    return None


def _load_from_session(token: str) -> accounts.Principal | None:
    if (
        is_api_request()
    ):  # the API takes bearer tokens only, so a cookie can never be forged into it
        return None
    return accounts.load_session(
        session=context.db_session(), token=token, lifetime=session_lifetime()
    )


def _load_from_request(req: Any) -> accounts.Principal | None:
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return accounts.load_api_token(session=context.db_session(), secret=secret.strip())


def _security_headers(response: Any) -> Any:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session instead
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # revocation is server-side; see accounts.load_session
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_request)

    static_view = app.view_functions.get("static")
    if static_view is not None:

        def static(filename: str) -> ResponseReturnValue:
            response = static_view(filename=filename)
            if inspect.isawaitable(response):  # Flask's own static view is synchronous
                raise TypeError("the static files view must not be asynchronous")
            return response

        app.view_functions["static"] = public(static)

    app.before_request(enforce)
    app.after_request(_security_headers)
