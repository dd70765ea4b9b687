"""The JSON API for tools, under /api/v1, with bearer tokens.

Request and response bodies are the schemas of ``models/schemas``; each view declares its
operation (``operations.py``) and ``/api/v1/openapi.json`` is generated from them.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.models import Role
from guidelines_app.models.schemas import MePublic
from guidelines_app.web import security
from guidelines_app.web.api import batches, datasets, decisions, escalations, taxonomies
from guidelines_app.web.api.openapi import document
from guidelines_app.web.api.operations import Answer, operation

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: Each area's routes live in a blueprint nested here: endpoints ``api.<area>.<view>``.
AREAS = (batches.bp, datasets.bp, decisions.bp, escalations.bp, taxonomies.bp)
for area in AREAS:
    bp.register_blueprint(area)


@bp.get("/openapi.json")
@security.public
@operation("This document", {200: Answer("The OpenAPI 3.1 document of this API")})
def openapi() -> ResponseReturnValue:
    return jsonify(document(current_app))


@bp.get("/me")
@security.requires(Role.VIEWER)
@operation("The user the bearer token belongs to", {200: MePublic})
def me() -> MePublic:
    return MePublic(
        username=current_user.username,
        display_name=current_user.display_name,
        role=current_user.role,
    )


def init_app(app: Flask) -> None:
    # bearer tokens only: a browser cookie never authenticates here
    for blueprint in (bp, *AREAS):
        security.csrf.exempt(blueprint)
    app.register_blueprint(bp)
