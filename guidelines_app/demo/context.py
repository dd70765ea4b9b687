"""What every demo step is handed: the session, the store, the demo accounts, a logger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from guidelines_app.models import User
from guidelines_app.store import ContentStore


@dataclass
class DemoContext:
    session: Session
    store: ContentStore
    accounts: dict[str, User]
    log: Callable[[str], None]
