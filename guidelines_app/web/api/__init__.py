"""The JSON API for tools, under /api/v1, with bearer tokens."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.models import Role
from guidelines_app.web import security
from guidelines_app.web.api.openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
@security.public
def openapi() -> ResponseReturnValue:
    return jsonify(document())


@bp.get("/me")
@security.requires(Role.VIEWER)
def me() -> ResponseReturnValue:
    return jsonify(
        {
            "username": current_user.username,
            "display_name": current_user.display_name,
            "role": current_user.role.value,
        }
    )


def init_app(app: Flask) -> None:
    security.csrf.exempt(bp)  # bearer tokens only: a browser cookie never authenticates here
    app.register_blueprint(bp)


# ``import`` form: ``from guidelines_app.web.api import annotations`` would find the
# ``from __future__ import annotations`` feature instead of the submodule.
import guidelines_app.web.api.annotations  # noqa: E402,F401
import guidelines_app.web.api.cases as _cases  # noqa: E402,F401
from guidelines_app.web.api import taxonomies  # noqa: E402,F401
