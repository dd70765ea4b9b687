"""``guidelines demo``: demo accounts, then the demo content of every capability, in order.

Demo content and data, not a use case: it calls the services as a lead would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, col, select

from guidelines_app.demo import batches, cases, content
from guidelines_app.demo.accounts import DEMO_ACCOUNTS, DemoAccount, ensure_demo_accounts
from guidelines_app.demo.context import DemoContext
from guidelines_app.models import User
from guidelines_app.store import ContentStore

__all__ = ["DEMO_ACCOUNTS", "DemoAccount", "DemoContext", "ensure_demo_accounts", "load_demo"]


def load_demo(
    *,
    session: Session,
    store: ContentStore,
    credentials_file: Path,
    profile: str = "strong",
    log: Callable[[str], None] = lambda _message: None,
) -> list[DemoAccount]:
    demo_accounts = ensure_demo_accounts(
        session=session, credentials_file=credentials_file, profile=profile
    )
    users = {
        user.username: user
        for user in session.exec(
            select(User).where(col(User.username).in_([a.username for a in demo_accounts]))
        )
    }
    context = DemoContext(session=session, store=store, accounts=users, log=log)
    # Each step is idempotent; content first, since the others point into its history.
    content.replay_revisions(context)
    batches.load_demo_annotations(context)
    cases.load_demo_cases(context)
    return demo_accounts
