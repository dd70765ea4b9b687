"""Starter guidelines, shipped with the package as ``guidelines_app.guidelines``.

`guidelines init` seeds the content repository with the ``*.md`` files here. The file exists
so that editable installs resolve the package name to this folder; it is never seeded.
"""
