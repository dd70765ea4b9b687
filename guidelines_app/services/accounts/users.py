"""Users, roles, passwords, sign-in sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from guidelines_app.db import saved_id, utcnow, write_aside
from guidelines_app.domain.errors import Conflict, InvalidInput, NotFound, Problem
from guidelines_app.models import ApiToken, Role, User, UserSession
from guidelines_app.services import audit

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
#: Refresh ``last_seen_at`` at most this often, so reads do not turn into writes.
SEEN_RESOLUTION = timedelta(minutes=5)


class LastAdmin(Conflict):
    """The change would leave no active admin, and nobody could manage users any more."""

    def __init__(self, username: str, change: str) -> None:
        super().__init__(
            f"{username} is the last active admin and cannot be {change}: "
            "make another user admin first"
        )


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the web layer sees it: plain data, never an ORM object."""

    user_id: int
    username: str
    display_name: str
    role: Role
    session_token: str | None = None
    via_api_token: bool = False

    # The attributes Flask-Login expects of a user object.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def can(self, role: Role | str) -> bool:
        return self.role.includes(Role(role))


@lru_cache(maxsize=4)
def hasher(profile: str = "strong") -> PasswordHasher:
    """argon2id; "strong" is argon2-cffi's RFC 9106 profile (64 MiB, t=3, p=4).

    "fast" exists for the test suite only.
    """
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def _dummy_hash(profile: str) -> str:
    return _dummy_hashes.setdefault(profile, hasher(profile).hash(secrets.token_hex(16)))


_dummy_hashes: dict[str, str] = {}


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_role(value: str) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(
            problems=[Problem(f"unknown role {value!r}; use one of {allowed}", "role")]
        ) from None


def _check_password(password: str, field: str = "password") -> list[Problem]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [Problem(f"must be at least {MIN_PASSWORD_LENGTH} characters", field)]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [Problem(f"must be at most {MAX_PASSWORD_LENGTH} characters", field)]
    return []


def get_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))))


def count_users(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: str | Role,
    display_name: str = "",
    email: str | None = None,
    actor_id: int | None = None,
    profile: str = "strong",
) -> User:
    username = username.strip().lower()
    problems: list[Problem] = []
    if not USERNAME_RE.fullmatch(username):
        problems.append(
            Problem("2-64 characters: lowercase letters, digits, '.', '_' or '-'", "username")
        )
    problems += _check_password(password)
    if len(display_name) > 120:
        problems.append(Problem("must be at most 120 characters", "display_name"))
    try:
        role = parse_role(role)
    except InvalidInput as error:
        problems += error.problems
    if problems:
        raise InvalidInput(problems=problems)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise Conflict(f"a user named {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=(email or None),
        role=Role(role).value,
        password_hash=hasher(profile).hash(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="user.create",
        object_type="user",
        object_id=username,
        summary=f"created {username} as {user.role}",
    )
    session.commit()
    return user


def _revoke_all(session: Session, user_id: int, *, except_token: str | None = None) -> None:
    statement = (
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    if except_token is not None:
        statement = statement.where(col(UserSession.id) != _sha256(except_token))
    session.execute(statement)


def _keep_an_admin(session: Session, user: User, change: str) -> None:
    """Refuse to take away the last active admin.

    The active admins' rows are locked (``FOR UPDATE``) in the transaction that makes the
    change, so two admins demoting each other at once cannot both succeed on PostgreSQL: the
    second waits for the first to commit and then counts one admin. SQLite has no row locks,
    but its writers hold the database's write lock from BEGIN (``BEGIN IMMEDIATE``).
    """
    if user.role != Role.ADMIN.value or user.is_disabled:
        return
    admins = session.exec(
        select(User.id)
        .where(User.role == Role.ADMIN.value, col(User.disabled_at).is_(None))
        .with_for_update()
    ).all()
    if list(admins) == [user.id]:
        raise LastAdmin(user.username, change)


def _revoke_tokens(session: Session, user_id: int) -> None:
    session.execute(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def set_role(
    *, session: Session, username: str, role: str | Role, actor_id: int | None = None
) -> User:
    new_role = parse_role(role)
    user = get_user(session, username)
    old = user.role
    if old == new_role.value:
        return user
    if new_role != Role.ADMIN:
        _keep_an_admin(session, user, f"made {new_role.value}")
    user.role = new_role.value
    _revoke_all(session, saved_id(user))
    audit.record(
        session,
        actor_id=actor_id,
        action="user.set_role",
        object_type="user",
        object_id=user.username,
        summary=f"{old} -> {new_role.value}",
        detail={"from": old, "to": new_role.value},
    )
    session.commit()
    return user


def set_disabled(
    *, session: Session, username: str, disabled: bool, actor_id: int | None = None
) -> User:
    user = get_user(session, username)
    if disabled and actor_id is not None and actor_id == user.id:
        raise Conflict("you cannot disable your own account")
    if disabled == user.is_disabled:
        return user
    if disabled:
        _keep_an_admin(session, user, "disabled")
    user.disabled_at = utcnow() if disabled else None
    if disabled:
        _revoke_all(session, saved_id(user))
        _revoke_tokens(session, saved_id(user))
    audit.record(
        session,
        actor_id=actor_id,
        action="user.disable" if disabled else "user.enable",
        object_type="user",
        object_id=user.username,
    )
    session.commit()
    return user


def change_password(
    *,
    session: Session,
    user_id: int,
    current_password: str | None,
    new_password: str,
    keep_session: str | None = None,
    actor_id: int | None = None,
    profile: str = "strong",
) -> None:
    """Change a password; every other session and every API token of the user stop working.

    A token is a standing credential like a session: whoever changes a password because it
    leaked expects what was obtained with it to stop working too, so tokens are revoked in
    the same transaction (the user makes new ones on the account page).

    ``current_password`` is required when users change their own password; an admin
    resetting someone else's (``actor_id`` differs) passes None.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    if current_password is not None and not _verify(user.password_hash, current_password, profile):
        raise InvalidInput(problems=[Problem("is not your current password", "current_password")])
    problems = _check_password(new_password, "new_password")
    if problems:
        raise InvalidInput(problems=problems)
    user.password_hash = hasher(profile).hash(new_password)
    _revoke_all(session, saved_id(user), except_token=keep_session)
    _revoke_tokens(session, saved_id(user))
    audit.record(
        session,
        actor_id=actor_id if actor_id is not None else user.id,
        action="user.password",
        object_type="user",
        object_id=user.username,
    )
    session.commit()


def _verify(password_hash: str, password: str, profile: str) -> bool:
    try:
        return hasher(profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(
    *, session: Session, user: User, lifetime: timedelta, user_agent: str = "", address: str = ""
) -> str:
    """Open a server-side session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            id=_sha256(token),
            user_id=saved_id(user),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            user_agent=user_agent[:255],
            address=address[:64],
        )
    )
    audit.record(
        session, actor_id=user.id, action="user.login", object_type="user", object_id=user.username
    )
    session.commit()
    return token


def _principal(user: User, *, token: str | None, via_api: bool = False) -> Principal:
    return Principal(
        user_id=saved_id(user),
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        session_token=token,
        via_api_token=via_api,
    )


def load_session(*, session: Session, token: str, lifetime: timedelta) -> Principal | None:
    """The principal behind a session token, or None if it is revoked, expired or disabled."""
    now = utcnow()
    row = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == UserSession.user_id)
        .where(UserSession.id == _sha256(token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if user_session.revoked_at is not None or user_session.expires_at <= now or user.is_disabled:
        return None
    if now - user_session.last_seen_at >= SEEN_RESOLUTION:
        # Sliding expiry, written rarely and aside (every request reads this, GETs too);
        # a busy database must not sign the user out: a later request writes it.
        statement = (
            update(UserSession)
            .where(col(UserSession.id) == user_session.id)
            .values(last_seen_at=now, expires_at=now + lifetime)
        )
        write_aside(session, lambda aside: aside.execute(statement))
    return _principal(user, token=token)


def end_session(*, session: Session, token: str) -> None:
    row = session.get(UserSession, _sha256(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            session,
            actor_id=row.user_id,
            action="user.logout",
            object_type="user",
            object_id=str(row.user_id),
        )
        session.commit()


def create_api_token(*, session: Session, user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new bearer token; the secret is returned once and never stored."""
    name = name.strip()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    if user.is_disabled:
        raise Conflict(f"{user.username} is disabled and cannot get a token")
    if not name or len(name) > 120:
        raise InvalidInput(problems=[Problem("give the token a name of 1-120 characters", "name")])
    secret = "gl_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=name, token_hash=_sha256(secret))
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_id=user_id,
        action="token.create",
        object_type="api_token",
        object_id=saved_id(token),
        summary=name,
    )
    session.commit()
    return token, secret


def list_api_tokens(*, session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(col(ApiToken.created_at).desc())
        )
    )


def revoke_api_token(*, session: Session, user_id: int, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            actor_id=user_id,
            action="token.revoke",
            object_type="api_token",
            object_id=token_id,
        )
        session.commit()


def load_api_token(*, session: Session, secret: str) -> Principal | None:
    row = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == _sha256(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or user.is_disabled:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= SEEN_RESOLUTION:
        statement = update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now)
        write_aside(session, lambda aside: aside.execute(statement))
    return _principal(user, token=None, via_api=True)
