"""Demo step: replay the revision scripts of ``demo/data/`` so history, diffs and releases show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import yaml

from guidelines_app.demo import cases as demo_cases
from guidelines_app.demo.context import DemoContext
from guidelines_app.services import documents, guidelines
from guidelines_app.services.documents import GUIDELINE, TAXONOMY, Kind
from guidelines_app.store import Author

SCRIPT_KEYS = {"slug", "seed", "revisions"}
#: The demo's history is spread over the past weeks, so annotations can be dated
#: under each release: the seed (v1) 12 weeks ago, then one revision every 2 weeks.
HISTORY_WEEKS = 12
REVISION_EVERY = timedelta(days=14)


def history_start(today: datetime | None = None) -> datetime:
    """When the demo's first release was made (09:00 UTC, twelve weeks before today)."""
    today = today or datetime.now(UTC)
    day = today.replace(hour=9, minute=0, second=0, microsecond=0)
    return day - timedelta(weeks=HISTORY_WEEKS)


ENTRY_KEYS = {
    "author",
    "message",
    "taxonomy",
    "taxonomy_release",
    "guideline",
    "decisions",
    "release",
}


def _author(context: DemoContext, username: str) -> Author:
    user = context.accounts.get(username)
    return documents.author_for(username, user.display_name if user else username)


def _release(
    context: DemoContext, kind: Kind, slug: str, notes: str, username: str, when: datetime
) -> None:
    documents.create_release(
        context.store, kind, slug, notes=notes, tagger=_author(context, username), when=when
    )


def _replay(context: DemoContext, folder: Any) -> None:
    script = yaml.safe_load((folder / "revisions.yaml").read_text(encoding="utf-8"))
    unknown = set(script) - SCRIPT_KEYS
    if unknown:
        raise ValueError(f"{folder.name}/revisions.yaml: unknown keys {sorted(unknown)}")
    slug = script["slug"]
    store = context.store
    if not documents.exists(store, GUIDELINE, slug) or documents.releases(store, GUIDELINE, slug):
        return  # not seeded here, or replayed already
    seed = script.get("seed") or {}
    start = history_start()
    if seed.get("taxonomy_release") and documents.exists(store, TAXONOMY, slug):
        _release(context, TAXONOMY, slug, seed["taxonomy_release"]["notes"], seed["author"], start)
    if seed.get("release"):
        _release(context, GUIDELINE, slug, seed["release"]["notes"], seed["author"], start)
    for number, entry in enumerate(script["revisions"], start=1):
        when = start + number * REVISION_EVERY
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise ValueError(f"{slug}: unknown keys {sorted(unknown)} in a revision")
        author = _author(context, entry["author"])
        message = entry["message"].rstrip("\n")
        for kind, key, release_key in (
            (TAXONOMY, "taxonomy", "taxonomy_release"),
            (GUIDELINE, "guideline", "release"),
        ):
            if key not in entry:
                continue
            text = (folder / entry[key]).read_text(encoding="utf-8")
            if kind is GUIDELINE:
                cited = demo_cases.record_cited(context, slug, entry.get("decisions", []), when)
                guidelines.save_guideline(
                    session=context.session,
                    store=store,
                    slug=slug,
                    text=text,
                    base=None,
                    author=author,
                    message=message,
                    decisions=cited,
                    when=when,
                )
            else:
                documents.save(
                    store, kind, slug, text=text, base=None, author=author, message=message,
                    when=when,
                )  # fmt: skip
            if entry.get(release_key):
                _release(context, kind, slug, entry[release_key]["notes"], entry["author"], when)
    context.log(f"replayed the demo history of {slug}")


def replay_revisions(context: DemoContext) -> None:
    root = resources.files("guidelines_app.demo.data")
    for folder in sorted(root.iterdir(), key=lambda f: f.name):
        if folder.is_dir() and (folder / "revisions.yaml").is_file():
            _replay(context, folder)
