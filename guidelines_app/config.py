"""Configuration: embedded defaults, ``GUIDELINES_*`` environment variables, ``check()``.

Nothing here is read at import time: ``load()`` is called by the app factory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Secret keys that must never run outside debug and tests.
INSECURE_SECRET_KEYS = frozenset({"", "dev", "change-me", "secret", "test"})

#: Every setting read from the environment: name -> (config key, default, description).
#: The README's configuration table is generated from (and tested against) this mapping.
ENVIRONMENT: dict[str, tuple[str, str, str]] = {
    "GUIDELINES_DATA_DIR": (
        "DATA_DIR",
        "instance",
        "Folder holding all state: SQLite file, content repository, secret key, uploads.",
    ),
    "GUIDELINES_DATABASE_URL": (
        "DATABASE_URL",
        "sqlite:///<DATA_DIR>/guidelines.sqlite3",
        "SQLAlchemy URL; use postgresql+psycopg://user@host/db in production.",
    ),
    "GUIDELINES_CONTENT_REPO": (
        "CONTENT_REPO",
        "<DATA_DIR>/content.git",
        "The bare git repository holding guidelines/ and taxonomies/.",
    ),
    "GUIDELINES_SECRET_KEY": (
        "SECRET_KEY",
        "generated into <DATA_DIR>/secret_key",
        "Signs session cookies; must be the same on every worker.",
    ),
    "GUIDELINES_SESSION_COOKIE_SECURE": (
        "SESSION_COOKIE_SECURE",
        "false",
        "Send the session cookie over HTTPS only (set to true behind TLS).",
    ),
    "GUIDELINES_SESSION_DAYS": (
        "SESSION_DAYS",
        "14",
        "How long a sign-in lasts without activity.",
    ),
    "GUIDELINES_MAX_CONTENT_LENGTH": (
        "MAX_CONTENT_LENGTH",
        "268435456",
        "Largest request body in bytes (annotation uploads); larger requests get 413.",
    ),
    "GUIDELINES_LOGIN_MAX_FAILURES": (
        "LOGIN_MAX_FAILURES",
        "10",
        "Sign-in attempts allowed per address and username in the window (5x per address).",
    ),
    "GUIDELINES_LOGIN_WINDOW_SECONDS": (
        "LOGIN_WINDOW_SECONDS",
        "900",
        "The rate-limit window for failed sign-ins.",
    ),
    "GUIDELINES_TRUSTED_PROXIES": (
        "TRUSTED_PROXIES",
        "0",
        "Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.",
    ),
    "GUIDELINES_BASE_URL": (
        "BASE_URL",
        "none",
        "The app's public address (https://guidelines.example.org); links in API answers "
        "start with it. Unset: they are paths from the site's root. Never the Host header.",
    ),
    "GUIDELINES_REPORT_RESAMPLES": (
        "REPORT_RESAMPLES",
        "1000",
        "Bootstrap resamples and permutations behind each interval of the release reports.",
    ),
    "GUIDELINES_JOB_WORKERS": (
        "JOB_WORKERS",
        "1",
        "Threads per app process (gunicorn worker) that run jobs such as cold release reports; "
        "0 leaves them to `guidelines worker`.",
    ),
    "GUIDELINES_JOB_STALE_SECONDS": (
        "JOB_STALE_SECONDS",
        "120",
        "A running job whose heartbeat is older than this lost its worker: it is resumed.",
    ),
    "GUIDELINES_JOB_ATTEMPTS": (
        "JOB_ATTEMPTS",
        "3",
        "How often a job whose worker was lost is started before it is failed.",
    ),
    "GUIDELINES_REPORTS_INLINE": (
        "REPORTS_INLINE",
        "false",
        "Compute a release report that is not kept yet inside the request (a long blank "
        "wait) instead of as a job with a progress page.",
    ),
    "GUIDELINES_STARTER_DIR": (
        "STARTER_DIR",
        "the starter folders shipped with the package",
        "A folder holding guidelines/ and taxonomies/ that `guidelines init` seeds from instead.",
    ),
}

_BOOLEAN = {"SESSION_COOKIE_SECURE", "REPORTS_INLINE"}
_INTEGER = {
    "SESSION_DAYS",
    "MAX_CONTENT_LENGTH",
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW_SECONDS",
    "TRUSTED_PROXIES",
    "REPORT_RESAMPLES",
    "JOB_WORKERS",
    "JOB_STALE_SECONDS",
    "JOB_ATTEMPTS",
}


class ConfigError(RuntimeError):
    """The configuration cannot run: the message says which setting and why."""


def _parse(key: str, raw: str) -> Any:
    if key in _BOOLEAN:
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"GUIDELINES_{key} must be true or false, not {raw!r}")
    if key in _INTEGER:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"GUIDELINES_{key} must be a whole number, not {raw!r}") from None
    return raw


def load(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Resolve the settings: embedded defaults < environment < ``overrides`` (test config)."""
    env = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    settings: dict[str, Any] = {
        "SESSION_COOKIE_SECURE": False,
        "SESSION_DAYS": 14,
        "MAX_CONTENT_LENGTH": 256 * 1024 * 1024,
        "LOGIN_MAX_FAILURES": 10,
        "LOGIN_WINDOW_SECONDS": 900,
        "TRUSTED_PROXIES": 0,
        "REPORT_RESAMPLES": 1000,
        "JOB_WORKERS": 1,
        "JOB_STALE_SECONDS": 120,
        "JOB_ATTEMPTS": 3,
        "REPORTS_INLINE": False,
        "BASE_URL": "",  # empty: links are paths from the site's root
        "STARTER_DIR": "",  # empty: the starter content shipped with the package
        "PASSWORD_HASH_PROFILE": "strong",
    }
    for name, (key, _default, _help) in ENVIRONMENT.items():
        if name in env:
            settings[key] = _parse(key, env[name])
    settings.update(overrides)

    data_dir = Path(settings.get("DATA_DIR") or "instance").expanduser().resolve()
    settings["DATA_DIR"] = str(data_dir)
    settings.setdefault("DATABASE_URL", f"sqlite:///{data_dir / 'guidelines.sqlite3'}")
    settings.setdefault("CONTENT_REPO", str(data_dir / "content.git"))
    settings["SECRET_KEY"] = settings.get("SECRET_KEY") or _secret_key_from(data_dir)
    return settings


def secret_key_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / "secret_key"


def _secret_key_from(data_dir: Path) -> str:
    """The generated key of this installation, or a throw-away one before ``init``."""
    path = secret_key_path(data_dir)
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    if data_dir.is_dir():
        return ensure_secret_key(data_dir)
    # Not initialised yet: sessions will not survive a restart, and every page says so.
    return "ephemeral-" + secrets.token_urlsafe(32)


def ensure_secret_key(data_dir: str | Path) -> str:
    """Create the installation's secret key once; concurrent workers agree on one file."""
    path = secret_key_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text(encoding="ascii").strip()


def check(settings: Mapping[str, Any]) -> None:
    """Refuse configurations that must not serve real users."""
    relaxed = bool(settings.get("DEBUG") or settings.get("TESTING"))
    key = str(settings.get("SECRET_KEY") or "")
    if not relaxed and (key in INSECURE_SECRET_KEYS or len(key) < 24):
        raise ConfigError(
            "GUIDELINES_SECRET_KEY is a default or too short: set a long random value "
            "or remove it to use the key generated in the data folder."
        )
    _check_base_url(str(settings.get("BASE_URL") or ""))
    url = str(settings.get("DATABASE_URL") or "")
    if not url.startswith(("sqlite:", "postgresql")):
        raise ConfigError(
            f"GUIDELINES_DATABASE_URL must be a sqlite:// or postgresql:// URL, not {url!r}"
        )


def _check_base_url(base: str) -> None:
    """An absolute http(s) address with a host and nothing after its path."""
    if not base:
        return
    parts = urlsplit(base)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            "GUIDELINES_BASE_URL must be the app's address such as "
            f"https://guidelines.example.org (a path may follow), not {base!r}"
        )
