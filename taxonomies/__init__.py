"""Starter taxonomies, shipped with the package as ``guidelines_app.taxonomies``.

`guidelines init` seeds the content repository with the ``*.yaml`` files here. The file exists
so that editable installs resolve the package name to this folder; it is never seeded.
"""
