"""The signed-in user's own account: password and API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.models import Role
from guidelines_app.services import accounts
from guidelines_app.web import context, security

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(status: int = 200, **extra: object) -> ResponseReturnValue:
    tokens = accounts.list_api_tokens(session=context.db_session(), user_id=current_user.user_id)
    return render_template("account/show.html", tokens=tokens, **extra), status


@bp.get("")
@security.requires(Role.VIEWER)
def show() -> ResponseReturnValue:
    return _page()


@bp.post("/password")
@security.requires(Role.VIEWER)
def change_password() -> ResponseReturnValue:
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        return _page(422, password_errors=["The two new passwords differ."])
    try:
        accounts.change_password(
            session=context.db_session(),
            user_id=current_user.user_id,
            current_password=request.form.get("current_password", ""),
            new_password=new,
            keep_session=current_user.session_token,
            profile=security.password_profile(),
        )
    except InvalidInput as error:
        return _page(422, password_errors=[str(p) for p in error.problems])
    flash("Password changed. Your other sessions were signed out.", "success")
    return redirect(url_for("account.show"))


@bp.post("/tokens")
@security.requires(Role.VIEWER)
def create_token() -> ResponseReturnValue:
    try:
        _token, secret = accounts.create_api_token(
            session=context.db_session(),
            user_id=current_user.user_id,
            name=request.form.get("name", ""),
        )
    except InvalidInput as error:
        return _page(422, token_errors=[str(p) for p in error.problems])
    return _page(201, new_secret=secret)


@bp.post("/tokens/<id:token_id>/revoke")
@security.requires(Role.VIEWER)
def revoke_token(token_id: int) -> ResponseReturnValue:
    accounts.revoke_api_token(
        session=context.db_session(), user_id=current_user.user_id, token_id=token_id
    )
    flash("Token revoked.", "info")
    return redirect(url_for("account.show"))
