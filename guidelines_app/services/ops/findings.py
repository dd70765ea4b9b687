"""What a consistency check of ``guidelines check`` is handed and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from guidelines_app.store import ContentStore


@dataclass(frozen=True)
class Finding:
    area: str
    message: str
    repairable: bool = False


@dataclass
class CheckContext:
    engine: Engine
    store: ContentStore
    repair: bool
    repaired: list[str] = field(default_factory=list)
    #: The data folder (its ``uploads/``), and when a running job counts as lost.
    data_dir: Path | None = None
    stale_after: timedelta = timedelta(seconds=120)
    max_attempts: int = 3


Check = Callable[[CheckContext], list[Finding]]
