"""Blueprints for people: server-rendered HTML, htmx on top."""

from __future__ import annotations

from flask import Flask

from guidelines_app.web import links
from guidelines_app.web.views import (
    _htmx,
    account,
    admin,
    agreement,
    auth,
    decisions,
    errors,
    escalations,
    guidelines,
    home,
    items,
    release_agreement,
    taxonomies,
)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["public_url"] = links.public_url
    _htmx.init_app(app)
    errors.init_app(app)
    modules = (
        auth,
        home,
        account,
        admin,
        guidelines,
        escalations,
        decisions,
        items,
        taxonomies,
        agreement,
        release_agreement,
    )
    for module in modules:
        app.register_blueprint(module.bp)
