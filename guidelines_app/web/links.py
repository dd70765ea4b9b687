"""Links that leave the page (API answers, permanent links): from the configured address only.

The Host header is whatever the client sent, so a URL built from it (``url_for(...,
_external=True)``, ``request.host_url``) lets anyone put their own host into an answer that
tools store and people click. ``GUIDELINES_BASE_URL`` names the app's public address; without
it links are paths from the site's root (``/decisions/7``), which every client resolves
against the address it used.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, current_app, redirect, request, url_for


def base_url() -> str:
    """The configured public address of the app's root, without a trailing slash, or ''."""
    return str(current_app.config.get("BASE_URL") or "").rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """The URL of ``endpoint``: under ``GUIDELINES_BASE_URL`` if set, else its root path."""
    return public_path(url_for(endpoint, **values))


def public_path(path: str) -> str:
    """A path of this app (as ``url_for`` gives it) under the configured address, if any."""
    base = base_url()
    if not base:
        return path
    prefix = request.script_root if request else ""
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :]
    return base + path


def _own_location(response: Response) -> Response:
    """Redirects werkzeug makes itself (``//x`` to ``/x``, a missing slash) name the Host
    header's host in ``Location``; they are pointed at the configured address instead."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.netloc and parts.netloc == request.host:
            path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
            target = public_path(request.script_root + path)
            # werkzeug's redirect page repeats the address in its body: write both again
            again = redirect(target, response.status_code)
            response.headers["Location"] = target
            response.set_data(again.get_data())
    return response


def init_app(app: Flask) -> None:
    app.after_request(_own_location)
