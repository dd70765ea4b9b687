"""The label ids a taxonomy has ever used, for the rule that an id is never reused.

Scanning history parses every version of the file once; results are cached by commit id
(immutable), so a change pushed from outside is seen at once and costs one more parse.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from guidelines_app.domain.errors import AppError
from guidelines_app.domain.taxonomy import parse_taxonomy_lenient
from guidelines_app.services.documents import TAXONOMY
from guidelines_app.store import ContentStore, PathNotFound, RevisionNotFound

_Key = tuple[str, str, str]  # (repository path, taxonomy slug, commit id)


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[_Key, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _Key) -> dict[str, str] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: _Key, value: dict[str, str]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


FULL_ID = re.compile(r"[0-9a-f]{40}")
_VERSION_IDS = _Lru(256)
_EVER_IDS = _Lru(64)


def _cached(cache: _Lru, key: _Key, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.put(key, found)
    return found


def ids_at(store: ContentStore, slug: str, commit_id: str) -> dict[str, str]:
    """Label id -> name in the version at ``commit_id``; empty when missing or unreadable."""

    def compute() -> dict[str, str]:
        try:
            text = store.read(TAXONOMY.path(slug), commit_id).text
            taxonomy, _problems = parse_taxonomy_lenient(text)
        except (PathNotFound, RevisionNotFound, AppError, UnicodeDecodeError):
            return {}
        found: dict[str, str] = {}
        for entry in taxonomy.iter_labels():
            if entry.label.id:
                found.setdefault(entry.label.id, entry.label.name)
        return found

    if not FULL_ID.fullmatch(commit_id):
        return compute()  # a ref name may move: never cache it
    return _cached(_VERSION_IDS, (str(store.path), slug, commit_id), compute)


def ids_ever(store: ContentStore, slug: str, rev: str | None = None) -> dict[str, str]:
    """Every id used in the history up to ``rev`` (default: the newest), with its last name."""
    path = TAXONOMY.path(slug)
    total = store.count_history(path, rev=rev)
    if total == 0:
        return {}
    commits = [c.id for c in store.history(path, rev=rev, limit=total)]  # newest first
    repo = str(store.path)
    start = len(commits)
    accumulated: dict[str, str] = {}
    for index, commit_id in enumerate(commits):
        found = _EVER_IDS.get((repo, slug, commit_id))
        if found is not None:
            start, accumulated = index, found
            break
    for commit_id in reversed(commits[:start]):  # oldest uncached first
        accumulated = {**accumulated, **ids_at(store, slug, commit_id)}
        _EVER_IDS.put((repo, slug, commit_id), accumulated)
    return dict(accumulated)


def clear_caches() -> None:
    _VERSION_IDS.clear()
    _EVER_IDS.clear()
