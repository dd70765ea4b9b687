"""Prodigy label lists, for a recipe's ``--label``: one label per line (a file Prodigy
reads when ``--label`` is given a path) or the comma-separated value itself.

Active labels only, flattened depth-first. Carried: names (or ids, with ``use="id"``).
"""

from __future__ import annotations

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats.taxonomy_common import flat_offered
from guidelines_app.domain.taxonomy_model import Taxonomy


def _names(taxonomy: Taxonomy, use: str) -> list[str]:
    if use not in ("name", "id"):
        raise ValueError("use is 'name' or 'id'")
    return [getattr(label, use).strip() for label in flat_offered(taxonomy, "Prodigy")]


def export_prodigy(taxonomy: Taxonomy, *, use: str = "name") -> str:
    return "".join(f"{name}\n" for name in _names(taxonomy, use))


def prodigy_label_argument(taxonomy: Taxonomy, *, use: str = "name") -> str:
    """The comma-separated ``--label`` value; a name holding a comma cannot be written so."""
    names = _names(taxonomy, use)
    problems = [
        Problem(f"{name!r} contains a comma; use the one-per-line file instead", path="labels")
        for name in names
        if "," in name
    ]
    if problems:
        raise InvalidInput(problems=problems)
    return ",".join(names)
