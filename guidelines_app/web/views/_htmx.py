"""The one module that knows htmx-flask: is this an htmx request, and page-or-fragment rendering."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from htmx_flask import Htmx
from htmx_flask import request as htmx_request

htmx = Htmx()


def init_app(app: Flask) -> None:
    htmx.init_app(app)


def is_htmx() -> bool:
    """True for requests made by htmx, except history restores (they need the whole page)."""
    headers = getattr(htmx_request, "htmx", None)
    if not headers:
        return False
    return not headers.history_restore_request


def render_page_or_fragment(page: str, fragment: str, **context: Any) -> str:
    """The whole page for a normal request, only the fragment for htmx: one URL, two views."""
    return render_template(fragment if is_htmx() else page, **context)
