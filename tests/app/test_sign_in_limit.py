"""The sign-in limit is exact under parallel attempts, and scoped so one proxy is not one user.

The app is served by a real HTTP server on a loopback port, with a thread per request,
against the test database (SQLite, and PostgreSQL when configured).
"""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.factories import DEFAULT_PASSWORD, make_user

ATTEMPTS = 40


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()


def _sign_in(port: int, username: str, password: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        body = urlencode({"username": username, "password": password})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", "/login", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_parallel_wrong_passwords_get_exactly_the_limit_through(app, served):
    limit = app.config["LOGIN_MAX_FAILURES"]
    make_user(app, "ada", "lead")
    make_user(app, "bea", "annotator")
    start = threading.Barrier(ATTEMPTS)
    answers: list[tuple[int, str]] = []

    def attempt() -> None:
        start.wait()
        answers.append(_sign_in(served, "ada", "not her password"))

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(status for status, _page in answers) == {200: limit, 429: ATTEMPTS - limit}
    for status, page in answers:
        expected = "Unknown username or wrong password." if status == 200 else "Too many failed"
        assert expected in page
    # Same address, another name: not locked out by ada's attempts.
    assert _sign_in(served, "bea", DEFAULT_PASSWORD)[0] == 302
    # ada herself is, even with the right password, until the window ends.
    assert _sign_in(served, "ada", DEFAULT_PASSWORD)[0] == 429


def test_the_address_ceiling_stops_guessing_across_many_names(app, served):
    app.config["LOGIN_MAX_FAILURES"] = 2  # so the ceiling per address is 10
    make_user(app, "bea", "annotator")
    statuses = [_sign_in(served, f"name{i}", "wrong password!")[0] for i in range(12)]
    assert statuses == [200] * 10 + [429] * 2
    assert _sign_in(served, "bea", DEFAULT_PASSWORD)[0] == 429


def test_successful_sign_ins_do_not_use_up_the_address_ceiling(app, served):
    app.config["LOGIN_MAX_FAILURES"] = 1  # ceiling 5 per address
    for i in range(7):
        make_user(app, f"user{i}", "viewer")
    assert [_sign_in(served, f"user{i}", DEFAULT_PASSWORD)[0] for i in range(7)] == [302] * 7


@pytest.mark.parametrize("username", ["a" * 200, "a" * 65])
def test_a_name_longer_than_any_account_is_answered_422_with_a_message(app, client, username):
    make_user(app, "ada", "lead")
    response = client.post("/login", data={"username": username, "password": "whatever pw"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Check your username: it must be at most 64 characters." in page
