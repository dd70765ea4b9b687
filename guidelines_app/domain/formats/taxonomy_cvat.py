"""CVAT labels JSON: the list a project or task takes (``[{"name", "color", "type",
"attributes"}]``), as pasted in CVAT's raw label editor or sent to ``/api/projects``.

CVAT has no hierarchy for classes (sublabels belong to skeletons), so active labels are
flattened. Choice kinds export with ``"type": "tag"`` (frame-level tags), spans with
``"type": "any"``.

Carried: name, colour (as #rrggbb; a #rgb colour comes back expanded), spans vs choice.
Not carried: ids (derived from names on import), hierarchy, descriptions, examples,
synonyms, hints, ordinal values, single vs multiple choice, deprecated labels.
"""

from __future__ import annotations

import json
from typing import Any

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats.taxonomy_common import (
    DEFAULT_NAME,
    finish_import,
    flat_offered,
    import_id,
    load_json,
)
from guidelines_app.domain.taxonomy_model import Label, Taxonomy
from guidelines_app.domain.taxonomy_yaml import check_size


def _six_digit(colour: str) -> str:
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def export_cvat(taxonomy: Taxonomy) -> str:
    label_type = "any" if taxonomy.kind == "spans" else "tag"
    labels: list[dict[str, Any]] = []
    for label in flat_offered(taxonomy, "CVAT"):
        item: dict[str, Any] = {"name": label.name}
        if label.color:
            item["color"] = _six_digit(label.color)
        item["type"] = label_type
        item["attributes"] = []
        labels.append(item)
    return json.dumps(labels, indent=2, ensure_ascii=False) + "\n"


def import_cvat(text: str, *, name: str | None = None) -> Taxonomy:
    check_size(text, "file")
    data = load_json(text)
    if isinstance(data, dict) and isinstance(data.get("labels"), list):
        data = data["labels"]  # a whole project or task description
    if not isinstance(data, list):
        raise InvalidInput(problems=[Problem("CVAT labels are a JSON list of objects")])
    taken: set[str] = set()
    labels, types = [], set()
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InvalidInput(problems=[Problem("a label needs a name", path=f"[{i}]")])
        types.add(item.get("type") or "any")
        labels.append(
            Label(
                id=import_id(None, item["name"], taken),
                name=item["name"],
                color=item.get("color") or None,
            )
        )
    kind = "single-choice" if types == {"tag"} else "spans"
    return finish_import(Taxonomy(name=name or DEFAULT_NAME, kind=kind, labels=tuple(labels)))
