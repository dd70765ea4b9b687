"""The JSON API for tools, under /api/v1, with bearer tokens."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.models import Role
from guidelines_app.web import security
from guidelines_app.web.api import batches, cases, taxonomies
from guidelines_app.web.api.openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: Each area's routes live in a blueprint nested here: endpoints ``api.<area>.<view>``.
AREAS = (batches.bp, cases.bp, taxonomies.bp)
for area in AREAS:
    bp.register_blueprint(area)


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
    # bearer tokens only: a browser cookie never authenticates here
    for blueprint in (bp, *AREAS):
        security.csrf.exempt(blueprint)
    app.register_blueprint(bp)
