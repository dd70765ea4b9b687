"""Labelbox ontology JSON (``{"tools": [...], "classifications": [...]}``).

Choice kinds export as one classification (``radio`` for single-choice, ordinal and
pairwise-preference, ``checklist`` for multi-choice) whose ``options`` carry ``label``
(the name) and ``value`` (the id); children become a nested classification inside the
parent option. Spans export as one ``named-entity`` tool per active label.

Carried: taxonomy name (classification ``name``), label id (option ``value``; not for
spans, whose ids are derived from names on import), name, hierarchy (classifications),
colour (tools only), single vs multiple choice, spans.
Not carried: descriptions, examples, synonyms, hints, ordinal values, deprecated labels.
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
    offered_labels,
)
from guidelines_app.domain.taxonomy_model import Label, Taxonomy
from guidelines_app.domain.taxonomy_yaml import check_size


def _classification(kind: str, name: str, labels: tuple[Label, ...]) -> dict[str, Any]:
    return {
        "type": kind,
        "name": name,
        "instructions": name,
        "required": False,
        "options": [
            {
                "label": label.name,
                "value": label.id,
                "options": [_classification(kind, label.name, label.children)]
                if label.children
                else [],
            }
            for label in labels
        ],
    }


def export_labelbox(taxonomy: Taxonomy) -> str:
    ontology: dict[str, Any] = {"tools": [], "classifications": []}
    if taxonomy.kind == "spans":
        for label in flat_offered(taxonomy, "Labelbox tools"):
            tool: dict[str, Any] = {"tool": "named-entity", "name": label.name}
            if label.color:
                tool["color"] = label.color
            tool["classifications"] = []
            ontology["tools"].append(tool)
    else:
        kind = "checklist" if taxonomy.kind == "multi-choice" else "radio"
        labels = offered_labels(taxonomy.labels)
        ontology["classifications"].append(_classification(kind, taxonomy.name, labels))
    return json.dumps(ontology, indent=2, ensure_ascii=False) + "\n"


def _fail(message: str, path: str = "") -> InvalidInput:
    return InvalidInput(problems=[Problem(message, path=path)])


def import_labelbox(text: str, *, name: str | None = None) -> Taxonomy:
    check_size(text, "file")
    data = load_json(text)
    if not isinstance(data, dict):
        raise _fail("a Labelbox ontology is a JSON object with tools and classifications")
    taken: set[str] = set()
    classifications = data.get("classifications") or []
    tools = data.get("tools") or []
    if classifications:
        first = classifications[0]
        if not isinstance(first, dict):
            raise _fail("a classification must be an object", "classifications[0]")
        kind = "multi-choice" if first.get("type") == "checklist" else "single-choice"
        labels = _options(first.get("options"), "classifications[0].options", taken)
        title = first.get("name") or first.get("instructions")
    elif tools:
        kind, title, found = "spans", None, []
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
                raise _fail("a tool needs a name", f"tools[{i}]")
            found.append(
                Label(
                    id=import_id(None, tool["name"], taken),
                    name=tool["name"],
                    color=tool.get("color") or None,
                )
            )
        labels = tuple(found)
    else:
        raise _fail("the ontology has neither classifications nor tools")
    return finish_import(Taxonomy(name=name or title or DEFAULT_NAME, kind=kind, labels=labels))


def _options(options: object, path: str, taken: set[str]) -> tuple[Label, ...]:
    if not isinstance(options, list):
        raise _fail("options must be a list", path)
    labels = []
    for i, option in enumerate(options):
        where = f"{path}[{i}]"
        if not isinstance(option, dict):
            raise _fail("an option must be an object", where)
        label = option.get("label") or option.get("value")
        if not isinstance(label, str):
            raise _fail("an option needs a label", where)
        value = option.get("value")
        children: tuple[Label, ...] = ()
        for j, nested in enumerate(option.get("options") or []):
            # Labelbox nests classifications in options; older files nest options directly.
            if isinstance(nested, dict) and "options" in nested and "type" in nested:
                children += _options(nested["options"], f"{where}.options[{j}].options", taken)
            else:
                children += _options([nested], f"{where}.options", taken)
        labels.append(
            Label(
                id=import_id(value if isinstance(value, str) else None, label, taken),
                name=label,
                children=children,
            )
        )
    return tuple(labels)
