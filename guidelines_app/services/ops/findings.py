"""What a consistency check of ``guidelines check`` is handed and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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


Check = Callable[[CheckContext], list[Finding]]
