"""Administration: users and their roles, the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.errors import Conflict, InvalidInput
from guidelines_app.models import Role
from guidelines_app.services import accounts, audit
from guidelines_app.web import context, inputs, security
from guidelines_app.web.errors import status_of

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE = 100


def _users_page(status: int = 200, **extra: object) -> ResponseReturnValue:
    users = accounts.list_users(session=context.db_session())
    return render_template("admin/users.html", users=users, roles=list(Role), **extra), status


@bp.get("/users")
@security.requires(Role.ADMIN)
def users() -> ResponseReturnValue:
    return _users_page()


@bp.post("/users")
@security.requires(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    form = {key: request.form.get(key, "") for key in ("username", "display_name", "role")}
    try:
        user = accounts.create_user(
            session=context.db_session(),
            username=form["username"],
            password=request.form.get("password", ""),
            role=form["role"],
            display_name=form["display_name"],
            actor_id=current_user.user_id,
            profile=security.password_profile(),
        )
    except InvalidInput as error:
        return _users_page(422, errors=[str(p) for p in error.problems], form=form)
    except Conflict as error:
        return _users_page(409, errors=[error.message], form=form)
    flash(f"Created {user.username} ({user.role}).", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/role")
@security.requires(Role.ADMIN)
def set_role(username: str) -> ResponseReturnValue:
    try:
        user = accounts.set_role(
            session=context.db_session(),
            username=username,
            role=request.form.get("role", ""),
            actor_id=current_user.user_id,
        )
    except InvalidInput as error:
        return _users_page(422, errors=[str(p) for p in error.problems])
    except Conflict as error:  # the last active admin stays one
        return _users_page(status_of(error), errors=[error.message])
    flash(f"{user.username} is now {user.role}; their sessions were signed out.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/disable")
@security.requires(Role.ADMIN)
def disable(username: str) -> ResponseReturnValue:
    return _set_disabled(username, True)


@bp.post("/users/<username>/enable")
@security.requires(Role.ADMIN)
def enable(username: str) -> ResponseReturnValue:
    return _set_disabled(username, False)


def _set_disabled(username: str, disabled: bool) -> ResponseReturnValue:
    try:
        user = accounts.set_disabled(
            session=context.db_session(),
            username=username,
            disabled=disabled,
            actor_id=current_user.user_id,
        )
    except Conflict as error:  # their own account, or the last active admin
        return _users_page(status_of(error), errors=[error.message])
    flash(f"{user.username} is {'disabled' if disabled else 'enabled'}.", "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@security.requires(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    page = inputs.page_number()
    events = audit.recent(
        context.db_session(), limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE
    )
    names = {u.id: u.username for u in accounts.list_users(session=context.db_session())}
    return render_template(
        "admin/audit.html",
        events=events[:AUDIT_PAGE],
        names=names,
        page=page,
        has_next=len(events) > AUDIT_PAGE,
    )
