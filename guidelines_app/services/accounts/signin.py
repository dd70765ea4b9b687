"""Sign-in: checking a password, and the rate limit that holds across workers and hosts.

Attempts are counted per fixed window in ``login_counters``, under two keys: the client
address and the username together (the strict limit, ``max_failures``), and the address
alone (a ceiling five times looser). A per-address limit alone would lock out everyone
behind one proxy or NAT when one of them mistypes; a per-username limit alone would let
anyone lock out anyone by guessing at their name. Each attempt is counted *before* the
password is checked, by one upsert that returns the new count, and committed at once: two
parallel attempts can never read the same count, so exactly ``max_failures`` of them get
through. A successful sign-in clears its pair's count and gives its attempt back to the
address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from guidelines_app.db import utcnow
from guidelines_app.domain.errors import AppError, InvalidInput, Problem
from guidelines_app.models import LoginCounter, User
from guidelines_app.services.accounts.users import _dummy_hash, _verify, hasher

#: The longest username that can exist (``USERNAME_RE``) and of an address kept in a key.
MAX_USERNAME = 64
MAX_ADDRESS = 64
#: The per-address ceiling is this many times the per-(address, username) limit.
ADDRESS_FACTOR = 5


class LoginRejected(AppError):
    """Unknown user, wrong password or disabled account: deliberately one message for all."""

    def __init__(self) -> None:
        super().__init__("Unknown username or wrong password.")


class RateLimited(AppError):
    """Too many sign-in attempts from an address, or for a name from it: wait ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many failed sign-ins. Try again in about {minutes} minute"
            + ("s." if minutes != 1 else ".")
        )
        self.retry_after = retry_after


def _check_username(name: str) -> None:
    """A name no account can have is refused before it reaches the database (which would
    refuse a NUL on PostgreSQL, or a key longer than its column)."""
    if len(name) > MAX_USERNAME:
        raise InvalidInput(
            problems=[Problem(f"must be at most {MAX_USERNAME} characters", "username")]
        )
    if any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in name):
        raise InvalidInput(problems=[Problem("contains a character no name has", "username")])


def _window_start(now: datetime, window_seconds: int) -> datetime:
    seconds = int(now.timestamp()) // window_seconds * window_seconds
    return datetime.fromtimestamp(seconds, UTC)


def _count(session: Session, scope: str, key: str, window: datetime, step: int = 1) -> int:
    """Add ``step`` to a counter in one statement and return the new count."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    row = insert(LoginCounter).values(scope=scope, key=key, window_start=window, count=step)
    statement = row.on_conflict_do_update(
        index_elements=["scope", "key", "window_start"],
        set_={"count": col(LoginCounter.count) + step},
    ).returning(col(LoginCounter.count))
    return int(session.execute(statement).scalar_one())


def _admit(
    session: Session, keys: tuple[str, str], window: datetime, limits: tuple[int, int]
) -> bool:
    """Count one attempt under both keys; False (and nothing counted) when over a limit."""
    if _count(session, "pair", keys[0], window) > limits[0]:
        session.rollback()
        return False
    if _count(session, "address", keys[1], window) > limits[1]:
        session.rollback()
        return False
    session.commit()  # before the slow hash: parallel attempts see this one at once
    return True


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    address: str,
    max_failures: int = 10,
    window_seconds: int = 900,
    profile: str = "strong",
) -> User:
    """Check a sign-in; attempts are counted in the database, so the limit holds everywhere."""
    name = username.strip().lower()
    _check_username(name)
    now = utcnow()
    window = _window_start(now, window_seconds)
    address = address[:MAX_ADDRESS]
    keys = (f"{address} {name}", address)
    if not _admit(session, keys, window, (max_failures, max_failures * ADDRESS_FACTOR)):
        retry = window + timedelta(seconds=window_seconds) - now
        raise RateLimited(retry_after=max(1, int(retry.total_seconds())))

    user = session.exec(select(User).where(User.username == name)).first()
    ok = _verify(user.password_hash if user else _dummy_hash(profile), password, profile)
    if user is None or not ok or user.is_disabled:
        session.execute(delete(LoginCounter).where(col(LoginCounter.window_start) < window))
        session.commit()
        raise LoginRejected()

    session.execute(
        delete(LoginCounter).where(
            col(LoginCounter.scope) == "pair", col(LoginCounter.key) == keys[0]
        )
    )
    session.execute(
        update(LoginCounter)
        .where(
            col(LoginCounter.scope) == "address",
            col(LoginCounter.key) == keys[1],
            col(LoginCounter.window_start) == window,
            col(LoginCounter.count) > 0,
        )
        .values(count=col(LoginCounter.count) - 1)
    )
    if hasher(profile).check_needs_rehash(user.password_hash):
        user.password_hash = hasher(profile).hash(password)
    user.last_login_at = now
    session.commit()
    return user
