"""The demo accounts, one per role, with random passwords kept in the data folder."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from guidelines_app.models import Role, User
from guidelines_app.services import accounts

DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Avery Admin", Role.ADMIN),
    ("ada", "Ada Lovelace", Role.LEAD),
    ("grace", "Grace Hopper", Role.LEAD),
    ("alan", "Alan Turing", Role.ANNOTATOR),
    ("katherine", "Katherine Johnson", Role.ANNOTATOR),
    ("dorothy", "Dorothy Vaughan", Role.ANNOTATOR),
    ("vera", "Vera Viewer", Role.VIEWER),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    password: str | None  # None when the account existed before the demo and is not ours


def _load_credentials(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_credentials(path: Path, credentials: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(credentials, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)


def ensure_demo_accounts(
    *, session: Session, credentials_file: Path, profile: str = "strong"
) -> list[DemoAccount]:
    """Create the demo accounts once, with random passwords kept (mode 600) in the data folder."""
    credentials = _load_credentials(credentials_file)
    result: list[DemoAccount] = []
    for username, display_name, role in DEMO_ACCOUNTS:
        existing = session.exec(select(User).where(User.username == username)).first()
        if existing is None:
            password = secrets.token_urlsafe(9)
            accounts.create_user(
                session=session,
                username=username,
                password=password,
                role=role,
                display_name=display_name,
                profile=profile,
            )
            credentials[username] = password
            _save_credentials(credentials_file, credentials)
        result.append(DemoAccount(username, display_name, role.value, credentials.get(username)))
    return result
