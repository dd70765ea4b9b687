"""The Flask glue for the layers below: the app's engine and content store, a session per request.

Views, the API and the CLI get their database session and store from here and pass
them to services as keyword arguments.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request

from guidelines_app.db import SQLITE_BUSY_TIMEOUT_MS, Engine, Session, make_engine, open_session
from guidelines_app.store import ContentStore

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    # SQLITE_BUSY_TIMEOUT_MS is no environment setting: tests shorten the wait for a lock.
    busy_timeout_ms = app.config.get("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS)
    engine = make_engine(app.config["DATABASE_URL"], busy_timeout_ms=busy_timeout_ms)
    app.extensions["guidelines.engine"] = engine
    app.extensions["guidelines.store"] = ContentStore(app.config["CONTENT_REPO"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["guidelines.engine"]


def store() -> ContentStore:
    return current_app.extensions["guidelines.store"]


def db_session() -> Session:
    """The session of this request (or CLI command); a request that writes locks early."""
    session = g.get("_db_session")
    if session is None:
        writes = not has_request_context() or request.method not in SAFE_METHODS
        session = open_session(engine(), write=writes)
        g._db_session = session
    return session


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("_db_session", None)
    if session is not None:
        session.rollback()
        session.close()
