"""Two admins demoting each other at the same moment: exactly one of them succeeds."""

from __future__ import annotations

import threading

import pytest

from guidelines_app.db import make_engine, session_scope
from guidelines_app.domain.errors import AppError
from guidelines_app.models import Role
from guidelines_app.services import accounts


@pytest.fixture
def engine(database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("change", ["set_role", "set_disabled"])
def test_concurrent_demotions_of_the_last_two_admins_leave_one_admin(engine, change):
    with session_scope(engine) as session:
        for name in ("ada", "bob"):
            accounts.create_user(
                session=session,
                username=name,
                password="long enough pw",
                role=Role.ADMIN,
                profile="fast",
            )
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def demote(username: str) -> None:
        start.wait()
        try:
            with session_scope(engine) as session:
                if change == "set_role":
                    accounts.set_role(session=session, username=username, role=Role.LEAD)
                else:
                    accounts.set_disabled(session=session, username=username, disabled=True)
            outcomes[username] = "changed"
        except AppError as error:
            outcomes[username] = type(error).__name__

    threads = [threading.Thread(target=demote, args=(name,)) for name in ("ada", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["LastAdmin", "changed"]
    with session_scope(engine, write=False) as session:
        admins = [
            u.username
            for u in accounts.list_users(session=session)
            if u.role == Role.ADMIN.value and not u.is_disabled
        ]
    assert len(admins) == 1
