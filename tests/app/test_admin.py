from __future__ import annotations

from tests.factories import login


def test_admin_sees_people_and_roles(as_admin):
    page = as_admin.get("/admin/users")
    assert page.status_code == 200
    assert b"root" in page.data


def test_admin_creates_a_user_who_can_then_sign_in(app, as_admin):
    response = as_admin.post(
        "/admin/users",
        data={
            "username": "newbie",
            "display_name": "New Bie",
            "role": "annotator",
            "password": "long enough pw",
        },
    )
    assert response.status_code == 302
    assert b"newbie" in as_admin.get("/admin/users").data
    assert login(app.test_client(), "newbie", "long enough pw").status_code == 302


def test_invalid_new_user_is_answered_422_with_every_problem_and_kept_input(as_admin):
    response = as_admin.post(
        "/admin/users",
        data={
            "username": "Bad Name!",
            "display_name": "Kept",
            "role": "emperor",
            "password": "short",
        },
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "username" in text and "password" in text and "unknown role" in text
    assert 'value="Kept"' in text


def test_duplicate_username_is_answered_409(as_admin):
    data = {"username": "twin", "role": "viewer", "password": "long enough pw"}
    assert as_admin.post("/admin/users", data=data).status_code == 302
    response = as_admin.post("/admin/users", data=data)
    assert response.status_code == 409
    assert b"already exists" in response.data


def test_unknown_role_on_role_change_is_answered_422(as_admin):
    response = as_admin.post("/admin/users/root/role", data={"role": "superuser"})
    assert response.status_code == 422


def test_role_change_of_unknown_user_is_404(as_admin):
    assert as_admin.post("/admin/users/ghost/role", data={"role": "lead"}).status_code == 404


def test_admin_cannot_disable_their_own_account(as_admin):
    response = as_admin.post("/admin/users/root/disable")
    assert response.status_code == 409
    assert as_admin.get("/").status_code == 200


def test_disabling_and_enabling_a_user_is_audited(app, as_admin):
    as_admin.post(
        "/admin/users", data={"username": "temp", "role": "viewer", "password": "long enough pw"}
    )
    assert as_admin.post("/admin/users/temp/disable").status_code == 302
    assert login(app.test_client(), "temp", "long enough pw").status_code == 200
    assert as_admin.post("/admin/users/temp/enable").status_code == 302
    assert login(app.test_client(), "temp", "long enough pw").status_code == 302
    audit = as_admin.get("/admin/audit").get_data(as_text=True)
    for action in ("user.create", "user.disable", "user.enable"):
        assert action in audit
