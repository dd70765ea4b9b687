"""Annotation guidelines and label taxonomies, versioned in git, with decisions and agreement."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory: configuration, then the layers, then the blueprints."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from guidelines_app import cli, config
    from guidelines_app.web import api, context, inputs, jobs, links, readiness, security, views

    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    settings = config.load(overrides=test_config)
    app.config.update(settings)
    app.config.update(
        SESSION_COOKIE_NAME="guidelines_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["SESSION_COOKIE_SECURE"]),
        PERMANENT_SESSION_LIFETIME=timedelta(days=int(settings["SESSION_DAYS"])),
        MAX_CONTENT_LENGTH=int(settings["MAX_CONTENT_LENGTH"]),
        # Form fields up to 4 MiB: a 1 MB guideline gets our own 413 message, not werkzeug's.
        MAX_FORM_MEMORY_SIZE=4 * 1024 * 1024,
    )
    config.check(app.config)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    context.init_app(app)
    security.init_app(app)
    inputs.init_app(app)  # after security: who may not see a page never learns more
    links.init_app(app)
    views.init_app(app)
    api.init_app(app)
    readiness.init_app(app)
    jobs.init_app(app)
    cli.register(app)
    return app
