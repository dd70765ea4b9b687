"""Where setuptools finds the packages: the one thing pyproject.toml cannot say declaratively.

The wheel ships the repository's top-level ``migrations/``, ``guidelines/`` and ``taxonomies/``
inside the package, as ``guidelines_app.migrations``, ``guidelines_app.guidelines`` and
``guidelines_app.taxonomies``; the folders stay at the top of the repository. ``package_dir``
maps those names onto the folders, and setuptools honours the mapping both when it builds the
wheel (the files land in ``guidelines_app/``) and in an editable install (the names resolve to
the folders themselves). ``guidelines_app/resources.py`` finds them by name. Metadata,
dependencies and package data stay in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

SHIPPED_FOLDERS = {
    "guidelines_app.migrations": "migrations",
    "guidelines_app.guidelines": "guidelines",
    "guidelines_app.taxonomies": "taxonomies",
}

setup(
    packages=[
        *find_namespace_packages(include=["guidelines_app*"]),
        *SHIPPED_FOLDERS,
        "guidelines_app.migrations.versions",
    ],
    package_dir=SHIPPED_FOLDERS,
)
