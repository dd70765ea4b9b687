"""Blueprints for people: server-rendered HTML, htmx on top."""

from __future__ import annotations

from flask import Flask

from guidelines_app.views import _htmx, account, admin, auth, errors, guidelines, home


def init_app(app: Flask) -> None:
    _htmx.init_app(app)
    errors.init_app(app)
    for module in (auth, home, account, admin, guidelines):
        app.register_blueprint(module.bp)
