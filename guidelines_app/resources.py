"""The files the package ships besides its code, found through ``importlib.resources``.

The repository keeps ``migrations/``, ``guidelines/`` and ``taxonomies/`` at its top level;
``setup.py`` maps them to the packages ``guidelines_app.migrations``,
``guidelines_app.guidelines`` and ``guidelines_app.taxonomies``. A wheel carries them inside
``guidelines_app/``; an editable install resolves the same names to the repository's folders,
so a new migration or starter file is seen without reinstalling. Either way the app finds them
by package name, never by a path relative to a source checkout. (Templates, static files and
demo data already live inside the package: Flask and ``demo/`` find them the same way.)
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

MIGRATIONS_PACKAGE = "guidelines_app.migrations"

#: The starter folders, named as in the content repository, and the package shipping each.
STARTER_PACKAGES = {
    "guidelines": "guidelines_app.guidelines",
    "taxonomies": "guidelines_app.taxonomies",
}


class ResourceMissing(RuntimeError):
    """The installation lacks a folder the package ships: it was installed incompletely."""


def _package(name: str) -> Traversable:
    try:
        return resources.files(name)
    except ModuleNotFoundError:
        raise ResourceMissing(
            f"{name} is not installed: the installation predates it or is incomplete; "
            "reinstall the package (`make install`, or `pip install -e .` in a checkout)"
        ) from None


def migrations_dir() -> Path:
    """The Alembic script folder. Alembic reads (and ``db revision`` writes) files by path,
    so this must be a real folder: it is, for a wheel or an editable install on disk."""
    folder = _package(MIGRATIONS_PACKAGE)
    if not isinstance(folder, Path):
        raise ResourceMissing(
            f"{MIGRATIONS_PACKAGE} is not a folder on disk ({folder!r}); "
            "install the package unzipped so Alembic can read its migrations"
        )
    return folder


def starter_folders(starter_dir: str | Path | None = None) -> dict[str, Traversable]:
    """The starter ``guidelines/`` and ``taxonomies/``: those of ``starter_dir`` when given
    (``GUIDELINES_STARTER_DIR``), else the ones shipped with the package."""
    if starter_dir:
        root = Path(starter_dir)
        return {folder: root / folder for folder in STARTER_PACKAGES}
    return {folder: _package(package) for folder, package in STARTER_PACKAGES.items()}
