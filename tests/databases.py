"""Test databases: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.

Each kind of test gets its own PostgreSQL schema (through the connection's
search_path), so migration tests can drop everything without touching the app tests.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from sqlalchemy import text

from guidelines_app.db import make_engine

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
if POSTGRES_URL.startswith("postgresql://"):
    POSTGRES_URL = "postgresql+psycopg://" + POSTGRES_URL.removeprefix("postgresql://")

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
# Two test runs against one PostgreSQL database at once need their own schemas, and so do
# the workers of one run (pytest-xdist names them gw0, gw1, ...).
SCHEMA_PREFIX = os.environ.get("TEST_SCHEMA_PREFIX", "").strip()
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "").strip()


def postgres_schema_url(schema: str) -> str:
    """A URL whose connections see only ``schema`` (created empty, dropped first if present)."""
    schema = f"{SCHEMA_PREFIX}{schema}" + (f"_{WORKER}" if WORKER else "")
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"


def truncate_all(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables)
        if names:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
