"""The one in-process cache of immutable answers, keyed by git ids.

A blob id or a full commit id names content that never changes, so whatever is computed
from it (a parsed taxonomy, the label ids of a version, "this commit exists") stays true
for the life of the process and needs no invalidation, only a bound on memory. Anything
that can change (a branch, a release list, database rows) must not be cached here.

Each user declares an :class:`Area` (a name, how many entries it may keep and, for large
answers such as file contents, how many bytes they may weigh together); the cache
keeps one least-recently-used table per area behind one lock, so it is safe to share
between the threads of a worker. Values are computed outside the lock: two threads that
miss at once both compute the same answer, and either copy is right.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

__all__ = ["Area", "clear", "get", "lookup", "put", "size"]

V = TypeVar("V")
_MISSING = object()


@dataclass(frozen=True, eq=False)
class Area(Generic[V]):
    """One kind of answer in the cache; compared by identity, so two areas never share
    entries even when their names are alike."""

    name: str
    limit: int
    #: With ``weigh``: the most the entries may weigh together (bytes, say); the least
    #: recently used go first beyond it, but the newest entry is always kept.
    max_weight: int = 0
    weigh: Callable[[V], int] | None = None

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"cache area {self.name!r} needs room for at least one entry")
        if (self.weigh is None) != (self.max_weight <= 0):
            raise ValueError(f"cache area {self.name!r}: give both weigh and max_weight")


_lock = threading.Lock()
_tables: dict[Area, OrderedDict[Hashable, object]] = {}
_weights: dict[Area, dict[Hashable, int]] = {}
_totals: dict[Area, int] = {}


def get(area: Area[V], key: Hashable, default: V | None = None) -> V | None:
    """The answer kept for ``key``, or ``default``; a hit counts as recent use."""
    with _lock:
        table = _tables.get(area)
        if table is None or key not in table:
            return default
        table.move_to_end(key)
        return cast(V, table[key])


def put(area: Area[V], key: Hashable, value: V) -> None:
    """Keep ``value``; the least recently used entries of the area go beyond its limit."""
    weight = area.weigh(value) if area.weigh is not None else 0
    with _lock:
        table = _tables.setdefault(area, OrderedDict())
        weights = _weights.setdefault(area, {})
        table[key] = value
        table.move_to_end(key)
        _totals[area] = _totals.get(area, 0) - weights.get(key, 0) + weight
        weights[key] = weight
        while len(table) > area.limit or (
            area.max_weight and _totals[area] > area.max_weight and len(table) > 1
        ):
            old, _ = table.popitem(last=False)
            _totals[area] -= weights.pop(old, 0)


def lookup(area: Area[V], key: Hashable, compute: Callable[[], V]) -> V:
    """The answer for ``key``, computed (outside the lock) and kept when it is not known."""
    with _lock:
        table = _tables.get(area)
        found = _MISSING if table is None else table.get(key, _MISSING)
        if found is not _MISSING:
            cast(OrderedDict, table).move_to_end(key)
            return cast(V, found)
    value = compute()
    put(area, key, value)
    return value


def size(area: Area[V]) -> int:
    with _lock:
        return len(_tables.get(area, ()))


def clear(*areas: Area) -> None:
    """Forget the given areas, or everything (tests start from a known state with it)."""
    with _lock:
        if not areas:
            _tables.clear()
            _weights.clear()
            _totals.clear()
        for area in areas:
            _tables.pop(area, None)
            _weights.pop(area, None)
            _totals.pop(area, None)
