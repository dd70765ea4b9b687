from __future__ import annotations

import re

from tests.factories import DEFAULT_PASSWORD


def test_mismatched_new_passwords_are_answered_422(as_viewer):
    response = as_viewer.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "abcdefghijk",
            "confirm_password": "abcdefghijx",
        },
    )
    assert response.status_code == 422
    assert b"differ" in response.data


def test_wrong_current_password_is_answered_422(as_viewer):
    response = as_viewer.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "new_password": "abcdefghijk",
            "confirm_password": "abcdefghijk",
        },
    )
    assert response.status_code == 422
    assert b"not your current password" in response.data


def test_too_short_new_password_is_answered_422(as_viewer):
    response = as_viewer.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
        },
    )
    assert response.status_code == 422
    assert b"at least 10" in response.data


def _new_token(client) -> str:
    response = client.post("/account/tokens", data={"name": "pipeline"})
    assert response.status_code == 201
    return re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(
        1
    )


def test_api_token_authenticates_against_the_api_until_revoked(as_viewer):
    token = _new_token(as_viewer)
    api = as_viewer.application.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json == {"username": "vic", "display_name": "", "role": "viewer"}
    token_id = re.search(
        r"/account/tokens/(\d+)/revoke", as_viewer.get("/account").get_data(as_text=True)
    ).group(1)
    assert as_viewer.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_without_a_name_is_answered_422(as_viewer):
    response = as_viewer.post("/account/tokens", data={"name": "   "})
    assert response.status_code == 422


def test_revoking_someone_elses_token_is_404(app, as_viewer, as_lead):
    _new_token(as_lead)
    assert as_viewer.post("/account/tokens/1/revoke").status_code == 404


def test_disabled_users_tokens_stop_working(app, as_viewer, runner):
    token = _new_token(as_viewer)
    assert runner.invoke(args=["user", "disable", "vic"]).exit_code == 0
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_password_change_stops_the_users_api_tokens(app, as_viewer):
    token = _new_token(as_viewer)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    response = as_viewer.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a brand new secret",
            "confirm_password": "a brand new secret",
        },
    )
    assert response.status_code == 302
    refused = api.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401
    assert refused.json["error"]["status"] == 401
    assert as_viewer.get("/account").status_code == 200  # this session goes on
