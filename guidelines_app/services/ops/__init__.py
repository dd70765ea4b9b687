"""Running an installation: initialising it, its schema, its health checks, its overview."""

from __future__ import annotations

from guidelines_app.services.ops.health import check
from guidelines_app.services.ops.overview import Summary, summary
from guidelines_app.services.ops.schema import (
    SchemaError,
    SchemaState,
    alembic_config,
    autogenerate,
    downgrade,
    include_name,
    state,
    upgrade,
)
from guidelines_app.services.ops.setup import (
    SETUP_AUTHOR,
    STARTER_FOLDERS,
    InitReport,
    SetupError,
    initialise,
    starter_files,
)

__all__ = [
    "SETUP_AUTHOR",
    "STARTER_FOLDERS",
    "InitReport",
    "SchemaError",
    "SchemaState",
    "SetupError",
    "Summary",
    "alembic_config",
    "autogenerate",
    "check",
    "downgrade",
    "include_name",
    "initialise",
    "starter_files",
    "state",
    "summary",
    "upgrade",
]
