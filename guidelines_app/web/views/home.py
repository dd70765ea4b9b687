"""The home page: what this installation holds and where to go next."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from guidelines_app.models import Role
from guidelines_app.services import ops
from guidelines_app.web import context, security

bp = Blueprint("home", __name__)


@bp.get("/")
@security.requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    summary = ops.summary(session=context.db_session(), store=context.store())
    return render_template("home/index.html", summary=summary)
