"""Sign in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from guidelines_app.db import saved_id
from guidelines_app.domain.errors import InvalidInput
from guidelines_app.models import Role
from guidelines_app.services import accounts
from guidelines_app.web import context, security

bp = Blueprint("auth", __name__)


def _form(status: int = 200, *, error: str | None = None, username: str = "") -> tuple[str, int]:
    next_url = security.safe_next(request.values.get("next"))
    return render_template("auth/login.html", error=error, username=username, next=next_url), status


@bp.get("/login")
@security.public
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(security.safe_next(request.args.get("next")) or url_for("home.index"))
    return _form()


@bp.post("/login")
@security.public
def login_submit() -> ResponseReturnValue:
    username = request.form.get("username", "")[:200]
    password = request.form.get("password", "")[:4096]
    if not username.strip() or not password:
        return _form(422, error="Enter your username and password.", username=username)
    session = context.db_session()
    try:
        user = accounts.authenticate(
            session=session,
            username=username,
            password=password,
            address=request.remote_addr or "",
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            window_seconds=current_app.config["LOGIN_WINDOW_SECONDS"],
            profile=security.password_profile(),
        )
    except accounts.RateLimited as error:
        page, status = _form(429, error=error.message, username=username)
        return page, status, {"Retry-After": str(error.retry_after)}
    except accounts.LoginRejected as error:
        return _form(200, error=error.message, username=username)
    except InvalidInput as error:  # a name no account can have: too long, or a NUL in it
        shown = username.replace("\x00", "")[:64]
        reason = error.problems[0].message if error.problems else error.message
        return _form(422, error=f"Check your username: it {reason}.", username=shown)
    token = accounts.start_session(
        session=session,
        user=user,
        lifetime=security.session_lifetime(),
        user_agent=request.headers.get("User-Agent", ""),
        address=request.remote_addr or "",
    )
    principal = accounts.Principal(
        user_id=saved_id(user),
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        session_token=token,
    )
    login_user(principal)
    flash(f"Signed in as {principal.name}.", "success")
    return redirect(security.safe_next(request.form.get("next")) or url_for("home.index"))


@bp.get("/logout")
@security.public
def logout() -> ResponseReturnValue:
    """A confirmation form: signing out is a POST, so a link elsewhere cannot do it."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.post("/logout")
@security.public
def logout_submit() -> ResponseReturnValue:
    if current_user.is_authenticated and current_user.session_token:
        accounts.end_session(session=context.db_session(), token=current_user.session_token)
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
