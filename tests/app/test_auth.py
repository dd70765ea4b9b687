from __future__ import annotations

import re

from guidelines_app import create_app
from tests.conftest import app_config
from tests.factories import DEFAULT_PASSWORD, login, make_user

GENERIC = "Unknown username or wrong password."


def test_login_page_renders_a_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="username"' in response.data and b'name="password"' in response.data


def test_correct_credentials_sign_in_and_show_the_home_page(app, client):
    make_user(app, "ada", "lead", display_name="Ada Lovelace")
    response = login(client, "ada")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"Ada Lovelace" in home.data


def test_username_is_case_insensitive(app, client):
    make_user(app, "ada", "lead")
    assert login(client, "  ADA ").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(app, client):
    make_user(app, "ada", "lead")
    unknown = login(client, "nobody", DEFAULT_PASSWORD)
    wrong = login(client, "ada", "not the password")
    assert unknown.status_code == wrong.status_code == 200
    assert GENERIC.encode() in unknown.data and GENERIC.encode() in wrong.data
    assert b"nobody" in unknown.data  # the username stays in the form
    assert b"does not exist" not in unknown.data


def test_disabled_account_gets_the_generic_answer(app, client, runner):
    make_user(app, "ada", "lead")
    assert runner.invoke(args=["user", "disable", "ada"]).exit_code == 0
    response = login(client, "ada")
    assert response.status_code == 200
    assert GENERIC.encode() in response.data


def test_empty_fields_are_answered_422_with_the_form(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    assert b"Enter your username and password." in response.data


def test_failed_sign_ins_are_rate_limited_across_workers(app, tmp_path, database_url, content_repo):
    app.config["LOGIN_MAX_FAILURES"] = 3
    make_user(app, "ada", "lead")
    first = app.test_client()
    for _ in range(3):
        assert login(first, "ada", "wrong password!").status_code == 200
    # A second worker process shares nothing with the first but the database.
    other = create_app(app_config(tmp_path / "other", database_url, content_repo))
    other.config["LOGIN_MAX_FAILURES"] = 3
    refused = login(other.test_client(), "ada")  # even the right password
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in refused.data
    other.extensions["guidelines.engine"].dispose()


def test_a_successful_sign_in_clears_the_failure_count(app, client):
    app.config["LOGIN_MAX_FAILURES"] = 3
    make_user(app, "ada", "lead")
    for _ in range(2):
        login(client, "ada", "wrong password!")
    assert login(client, "ada").status_code == 302
    client.post("/logout")
    for _ in range(2):
        login(client, "ada", "wrong password!")
    assert login(client, "ada").status_code == 302


def test_next_parameter_redirects_only_within_the_site(app, client):
    make_user(app, "ada", "lead")
    local = client.post(
        "/login", data={"username": "ada", "password": DEFAULT_PASSWORD, "next": "/account"}
    )
    assert local.headers["Location"] == "/account"
    client.post("/logout")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            "/login", data={"username": "ada", "password": DEFAULT_PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/", target
        client.post("/logout")


def test_anonymous_visit_redirects_to_login_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account")


def _session_cookie(client) -> str:
    cookie = client.get_cookie("guidelines_session")
    assert cookie is not None
    return cookie.value


def _client_with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("guidelines_session", value)
    return other


def test_logout_revokes_the_session_even_for_a_copied_cookie(app, client):
    make_user(app, "ada", "lead")
    login(client, "ada")
    stolen = _session_cookie(client)
    assert _client_with_cookie(app, stolen).get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert _client_with_cookie(app, stolen).get("/").status_code == 302


def test_logout_page_without_javascript_offers_a_post_form(app, client):
    make_user(app, "ada", "lead")
    login(client, "ada")
    page = client.get("/logout")
    assert page.status_code == 200
    assert b'method="post"' in page.data
    assert client.get("/").status_code == 200  # a GET does not sign out


def test_role_change_ends_every_session_of_that_user(app, runner):
    make_user(app, "ada", "annotator")
    one, two = app.test_client(), app.test_client()
    login(one, "ada")
    login(two, "ada")
    assert runner.invoke(args=["user", "set-role", "ada", "lead"]).exit_code == 0
    assert one.get("/").status_code == 302
    assert two.get("/").status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(app):
    make_user(app, "ada", "lead")
    mine, elsewhere = app.test_client(), app.test_client()
    login(mine, "ada")
    login(elsewhere, "ada")
    response = mine.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a brand new secret",
            "confirm_password": "a brand new secret",
        },
    )
    assert response.status_code == 302
    assert mine.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), "ada", "a brand new secret").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_user(app, "ada", "lead")
    response = login(client, "ada")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(tmp_path, database_url, content_repo):
    app = create_app(app_config(tmp_path, database_url, content_repo, SESSION_COOKIE_SECURE=True))
    make_user(app, "ada", "lead")
    response = login(app.test_client(), "ada")
    assert "Secure" in response.headers["Set-Cookie"]
    app.extensions["guidelines.engine"].dispose()


def test_csrf_token_is_required_on_forms(tmp_path, database_url, content_repo):
    app = create_app(app_config(tmp_path, database_url, content_repo, WTF_CSRF_ENABLED=True))
    make_user(app, "ada", "lead")
    client = app.test_client()
    refused = client.post("/login", data={"username": "ada", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 400
    assert b"Form expired" in refused.data
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    accepted = client.post(
        "/login", data={"username": "ada", "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    # htmx requests carry the token in a header, set once on <body hx-headers>.
    home = client.get("/").get_data(as_text=True)
    header_token = re.search(
        r"X-CSRFToken&#34;: &#34;([^&]+)&#34;|\"X-CSRFToken\": \"([^\"]+)\"", home
    )
    assert header_token is not None
    token = header_token.group(1) or header_token.group(2)
    without = client.post("/logout", headers={"HX-Request": "true"})
    assert without.status_code == 400
    with_header = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert with_header.status_code == 302
    app.extensions["guidelines.engine"].dispose()


def test_oversized_request_bodies_are_refused_with_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"username": "x" * 4096, "password": "y"})
    assert response.status_code == 413
