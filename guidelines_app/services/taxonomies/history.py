"""The label ids a taxonomy has ever used, for the rule that an id is never reused.

Scanning history parses every version of the file once; results are cached by commit id
(immutable), so a change pushed from outside is seen at once and costs one more parse.
"""

from __future__ import annotations

import re

from guidelines_app import cache
from guidelines_app.domain.errors import AppError
from guidelines_app.services.documents import TAXONOMY
from guidelines_app.services.taxonomies import parsed as parsed_taxonomies
from guidelines_app.store import ContentStore, PathNotFound, RevisionNotFound

FULL_ID = re.compile(r"[0-9a-f]{40}")
#: Keyed by (repository path, taxonomy slug, commit id).
_VERSION_IDS: cache.Area[dict[str, str]] = cache.Area("label ids of a taxonomy version", 256)
_EVER_IDS: cache.Area[dict[str, str]] = cache.Area("label ids ever, up to a commit", 64)


def ids_at(store: ContentStore, slug: str, commit_id: str) -> dict[str, str]:
    """Label id -> name in the version at ``commit_id``; empty when missing or unreadable."""

    def compute() -> dict[str, str]:
        try:
            taxonomy = parsed_taxonomies.parse(store.read(TAXONOMY.path(slug), commit_id)).taxonomy
        except (PathNotFound, RevisionNotFound, AppError, UnicodeDecodeError):
            return {}
        if taxonomy is None:
            return {}
        found: dict[str, str] = {}
        for entry in taxonomy.iter_labels():
            if entry.label.id:
                found.setdefault(entry.label.id, entry.label.name)
        return found

    if not FULL_ID.fullmatch(commit_id):
        return compute()  # a ref name may move: never cache it
    return cache.lookup(_VERSION_IDS, (str(store.path), slug, commit_id), compute)


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
        found = cache.get(_EVER_IDS, (repo, slug, commit_id))
        if found is not None:
            start, accumulated = index, found
            break
    for commit_id in reversed(commits[:start]):  # oldest uncached first
        accumulated = {**accumulated, **ids_at(store, slug, commit_id)}
        cache.put(_EVER_IDS, (repo, slug, commit_id), accumulated)
    return dict(accumulated)


def clear_caches() -> None:
    cache.clear(_VERSION_IDS, _EVER_IDS)
    parsed_taxonomies.clear()
