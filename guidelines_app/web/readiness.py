"""Is this installation ready to serve? Checked cheaply per request, explained on every page.

A missing or corrupt content repository must not turn pages into 500s: every page
carries a banner and the pages that need the content answer 503 with the reason.
A database that is not migrated to the code's head answers 503 everywhere with what
to run.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from guidelines_app.db import DAMAGED, is_damaged
from guidelines_app.services import ops
from guidelines_app.store import StoreError
from guidelines_app.web import context

#: (label, endpoint): shown when the endpoint exists, so the menu never links to nothing.
NAVIGATION = (
    ("Guidelines", "guidelines.index"),
    ("Taxonomies", "taxonomies.index"),
    ("Escalations", "escalations.index"),
    ("Decisions", "decisions.index"),
    ("Agreement", "agreement.index"),
)


def content_problem() -> str | None:
    """Why the content repository cannot be used, or None; cheap enough for every request."""
    if "_content_problem" not in g:
        store = context.store()
        problem: str | None = None
        try:
            if not store.is_repository():
                problem = (
                    f"The content repository {store.path} is missing or is not a git repository."
                )
            elif store.head() is None:
                problem = "The content repository has no commits yet: run `guidelines init`."
        except StoreError as error:
            problem = f"The content repository cannot be read: {error}"
        g._content_problem = problem
    return g._content_problem


def _database_ready(app: Flask) -> str | None:
    if app.extensions.get("guidelines.db_ready"):
        return None
    try:
        state = ops.state(context.engine())
    except Exception as error:  # the driver's text names hosts and roles: logged, not shown
        app.logger.error("the database cannot be opened: %s", error)
        if is_damaged(error):
            return DAMAGED
        return "The database cannot be reached right now: try again in a minute."
    if not state.at_head:
        if not state.currents:
            return "The database is not initialised: run `guidelines init`."
        return (
            f"The database is at migration {state.current}, the app expects {state.head}: "
            "run `guidelines init` to upgrade it."
        )
    app.extensions["guidelines.db_ready"] = True
    return None


def _require_database() -> ResponseReturnValue | None:
    if request.endpoint in {"static", None}:
        return None
    problem = _database_ready(current_app._get_current_object())  # type: ignore[attr-defined]
    if problem is None:
        return None
    if request.path.startswith("/api/"):
        return {"error": {"status": 503, "message": problem}}, 503
    return (
        render_template(
            "errors/error.html", status=503, title="Not ready", message=problem, problems=[]
        ),
        503,
    )


def _template_globals() -> dict[str, Any]:
    nav = [
        (label, url_for(endpoint))
        for label, endpoint in NAVIGATION
        if endpoint in current_app.view_functions
    ]
    return {
        "navigation": nav,
        "content_problem": content_problem,
        "endpoint_exists": lambda name: name in current_app.view_functions,
    }


def init_app(app: Flask) -> None:
    # Before the role guard: a database that cannot answer cannot tell who is signed in.
    app.before_request_funcs.setdefault(None, []).insert(0, _require_database)
    app.context_processor(_template_globals)
