"""The last active admin stays an admin: pages answer 409 and the CLI exits 2, nothing changes."""

from __future__ import annotations

from guidelines_app.db import session_scope
from guidelines_app.services import accounts
from tests.factories import make_user


def _state(app, username: str) -> tuple[str, bool]:
    with session_scope(app.extensions["guidelines.engine"], write=False) as session:
        user = accounts.get_user(session, username)
        return user.role, user.is_disabled


def test_demoting_the_last_admin_on_the_page_is_409_with_the_message(app, as_admin):
    response = as_admin.post("/admin/users/root/role", data={"role": "lead"})
    assert response.status_code == 409
    assert "root is the last active admin" in response.get_data(as_text=True)
    assert _state(app, "root") == ("admin", False)
    assert as_admin.get("/admin/users").status_code == 200  # still signed in, still admin


def test_disabling_the_last_admin_from_the_cli_exits_2_and_changes_nothing(app, runner):
    make_user(app, "boss", "admin")
    result = runner.invoke(args=["user", "disable", "boss"])
    assert result.exit_code == 2
    assert "boss is the last active admin and cannot be disabled" in result.output
    assert _state(app, "boss") == ("admin", False)


def test_demoting_the_last_admin_from_the_cli_exits_2(app, runner):
    make_user(app, "boss", "admin")
    result = runner.invoke(args=["user", "set-role", "boss", "viewer"])
    assert result.exit_code == 2
    assert "last active admin" in result.output
    assert _state(app, "boss") == ("admin", False)


def test_a_disabled_admin_does_not_count_as_the_other_admin(app, runner):
    make_user(app, "boss", "admin")
    make_user(app, "old", "admin")
    assert runner.invoke(args=["user", "disable", "old"]).exit_code == 0
    assert runner.invoke(args=["user", "set-role", "boss", "lead"]).exit_code == 2
    assert _state(app, "boss") == ("admin", False)


def test_with_a_second_admin_either_may_step_down(app, as_admin):
    make_user(app, "deputy", "admin")
    assert as_admin.post("/admin/users/deputy/role", data={"role": "lead"}).status_code == 302
    assert _state(app, "deputy") == ("lead", False)
    assert as_admin.post("/admin/users/deputy/role", data={"role": "admin"}).status_code == 302
    assert as_admin.post("/admin/users/deputy/disable").status_code == 302
    assert as_admin.post("/admin/users/root/role", data={"role": "lead"}).status_code == 409


def test_other_users_roles_change_freely_with_one_admin(app, as_admin):
    make_user(app, "ada", "annotator")
    assert as_admin.post("/admin/users/ada/role", data={"role": "lead"}).status_code == 302
    assert as_admin.post("/admin/users/ada/disable").status_code == 302
