"""Browser tests: the real UI served on localhost, driven in Debian's headless Chromium.

They are skipped where Chromium or Playwright is missing, unless
GUIDELINES_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from guidelines_app import create_app
from tests.conftest import app_config

CHROMIUM = os.environ.get("GUIDELINES_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not (resources.files("guidelines_app.web") / "static/vendor/htmx.min.js").is_file():
        return "htmx is not installed (make install)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("GUIDELINES_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required but cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path, database_url, content_repo):
    return create_app(app_config(tmp_path, database_url, content_repo))


@pytest.fixture
def live_server(live_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    live_app.extensions["guidelines.engine"].dispose()


@pytest.fixture
def page(browser, request):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("[", "-").replace("]", "")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
