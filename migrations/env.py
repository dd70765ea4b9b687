"""Alembic environment: migrations run against ``SQLModel.metadata``.

The app passes either an open connection (``config.attributes["connection"]``) or a URL
(``sqlalchemy.url``); there is no alembic.ini: ``guidelines db ...`` and
``guidelines init`` build the configuration (``services/ops/schema.py``), with this folder
as the script location. The wheel ships it as ``guidelines_app.migrations``, so nothing here
may assume a source checkout.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import guidelines_app.models  # noqa: F401  (registers the tables)
from guidelines_app.db import UTCDateTime, make_engine
from guidelines_app.services.ops.schema import include_name

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write plain SQLAlchemy types into migrations, so they never import the app's types."""
    if type_ == "type":
        if isinstance(obj, UTCDateTime):
            return "sa.DateTime(timezone=True)"
        if type(obj).__name__ == "AutoString":
            length = getattr(obj, "length", None)
            return f"sa.String(length={length})" if length else "sa.String()"
    return False


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        user_module_prefix="sa.",
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run them online.")
run_migrations_online()
