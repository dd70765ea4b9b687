"""A cold release report in the browser: the progress page polls, then shows the report."""

from __future__ import annotations

import pytest

from guidelines_app import create_app
from guidelines_app.services import jobs
from guidelines_app.web import jobs as web_jobs
from tests.app.test_report_jobs import PAGE, _history
from tests.conftest import app_config
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(tmp_path, database_url, content_repo):
    config = app_config(tmp_path, database_url, content_repo, REPORTS_INLINE=False)
    application = create_app({**config, "REPORT_RESAMPLES": 20})
    _history(application)
    return application


def test_the_progress_page_turns_into_the_report_when_its_job_is_done(live_app, live_server, page):
    make_user(live_app, "ada", "viewer")
    page.goto(f"{live_server}/login")
    page.fill("#username", "ada")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}{PAGE}")
    assert page.is_visible("text=Computing the report")
    assert page.locator("#report-progress progress").count() == 1
    engine = live_app.extensions["guidelines.engine"]
    store = live_app.extensions["guidelines.store"]
    [job] = jobs.run_pending(engine, store, settings=web_jobs.settings_of(live_app))
    assert job.status == "done"
    # the next poll (every 2 s) answers HX-Refresh and the page reloads with the report
    page.wait_for_selector("text=Release by release", timeout=60_000)
    assert page.locator("svg.chart").count() >= 2
    assert page.console_errors == []
