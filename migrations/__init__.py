"""Alembic migrations, shipped with the package as ``guidelines_app.migrations``.

A regular package (not a bare folder) so that editable installs resolve the name to this
folder; Alembic itself reads ``env.py`` and ``versions/`` by path.
"""
