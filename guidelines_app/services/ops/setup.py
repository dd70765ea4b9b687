"""Initialising an installation: the database schema and the seeded content repository."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from sqlalchemy import Engine

from guidelines_app import resources
from guidelines_app.domain.errors import Conflict
from guidelines_app.services.ops import schema
from guidelines_app.store import Author, ContentStore, StoreError

SETUP_AUTHOR = Author(name="Guidelines setup", email="setup@guidelines.invalid")
STARTER_FOLDERS = {"guidelines": "*.md", "taxonomies": "*.yaml"}


class SetupError(Conflict):
    """The installation cannot be initialised as it is; nothing was changed."""


@dataclass
class InitReport:
    actions: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(not a.startswith("unchanged:") for a in self.actions)


def starter_files(starter_dir: str | Path | None = None) -> dict[str, bytes]:
    """The starter guidelines and taxonomies, keyed by their path in the content repository:
    those of ``starter_dir`` (a folder holding ``guidelines/`` and ``taxonomies/``) when
    given, else the ones shipped with the package."""
    files: dict[str, bytes] = {}
    for folder, root in resources.starter_folders(starter_dir).items():
        if not root.is_dir():
            continue
        pattern = STARTER_FOLDERS[folder]
        entries = [e for e in root.iterdir() if e.is_file() and fnmatch(e.name, pattern)]
        for entry in sorted(entries, key=lambda e: e.name):
            files[f"{folder}/{entry.name}"] = entry.read_bytes()
    return files


def _content_state(store: ContentStore) -> str:
    """ "missing", "empty-dir", "repository", "seeded" or "foreign" (a path we must not touch)."""
    path = Path(store.path)
    if not path.exists():
        return "missing"
    if path.is_dir() and not any(path.iterdir()):
        return "empty-dir"
    if store.is_repository():
        return "seeded" if store.head() is not None else "repository"
    return "foreign"


def initialise(
    *, engine: Engine, store: ContentStore, starter_dir: str | Path | None = None
) -> InitReport:
    """Create or upgrade the database and create and seed the content repository.

    ``starter_dir`` overrides the starter content shipped with the package.
    Idempotent: on an initialised installation it changes nothing. Everything is
    checked before anything is written, so a refusal leaves both untouched.
    """
    report = InitReport()
    content = _content_state(store)
    if content == "foreign":
        raise SetupError(
            f"{store.path} exists but is not a bare git repository; move it away or set "
            "GUIDELINES_CONTENT_REPO to another path (nothing was changed)"
        )
    try:
        before = schema.state(engine)
    except Exception as error:  # the database cannot be reached or read
        raise SetupError(f"cannot open the database: {error}") from error
    if not before.known:
        raise SetupError(
            f"the database is at migration {before.current!r}, unknown to this version of the "
            "app (is it newer than the code?); nothing was changed"
        )
    if not before.currents and before.other_tables:
        raise SetupError(
            "the database holds tables that were not created by this app ("
            + ", ".join(before.other_tables[:5])
            + "); use an empty database (nothing was changed)"
        )

    if before.at_head:
        report.actions.append(f"unchanged: database at migration {before.head}")
    else:
        after = schema.upgrade(engine)
        report.actions.append(
            f"database migrated from {before.current or 'empty'} to {after.current}"
        )

    files = starter_files(starter_dir)
    try:
        if content in {"missing", "empty-dir"}:
            ContentStore.create(
                store.path, files=files or None, author=SETUP_AUTHOR, message="Starter content"
            )
            report.actions.append(
                f"content repository created at {store.path} with {len(files)} starter files"
            )
        elif content == "repository":
            if files:
                store.write(files, base=None, author=SETUP_AUTHOR, message="Starter content")
            report.actions.append(f"content repository seeded with {len(files)} starter files")
        else:
            report.actions.append(f"unchanged: content repository at {store.path}")
    except StoreError as error:
        raise SetupError(f"content repository: {error}") from error
    return report
