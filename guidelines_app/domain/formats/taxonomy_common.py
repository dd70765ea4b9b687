"""What the taxonomy exchange formats share: safe XML, the labels a tool should offer,
and the final check every import goes through."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, NoReturn
from xml.etree import ElementTree as ET
from xml.parsers import expat

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.taxonomy_model import ID_PATTERN, Label, Taxonomy, name_key, slug_id
from guidelines_app.domain.taxonomy_validate import validate
from guidelines_app.domain.taxonomy_yaml import check_size

DEFAULT_NAME = "Imported taxonomy"


def offered_labels(labels: tuple[Label, ...]) -> tuple[Label, ...]:
    """The tree an annotation tool should offer: deprecated labels (and below) left out."""
    return tuple(
        replace(label, children=offered_labels(label.children))
        for label in labels
        if not label.deprecated
    )


def flat_offered(taxonomy: Taxonomy, fmt: str) -> list[Label]:
    """Active labels depth-first, for formats without hierarchy; names must stay unique."""
    flat = taxonomy.active_labels()
    seen: dict[str, Label] = {}
    problems = []
    for label in flat:
        key = name_key(label.name)
        if key in seen:
            problems.append(
                Problem(
                    f"{fmt} has no hierarchy and needs unique names: {label.id!r} and "
                    f"{seen[key].id!r} are both called {label.name!r}",
                    path=f'label "{label.id}"',
                    line=label.line,
                )
            )
        seen.setdefault(key, label)
    if problems:
        raise InvalidInput(problems=problems)
    return flat


def finish_import(taxonomy: Taxonomy) -> Taxonomy:
    """Every importer ends here: what it built must be a valid taxonomy."""
    problems = validate(taxonomy)
    if problems:
        raise InvalidInput(problems=problems)
    return taxonomy


def import_id(candidate: str | None, name: str, taken: set[str]) -> str:
    """Keep a carried id when it is valid and unused, otherwise derive one from the name."""
    if candidate and ID_PATTERN.fullmatch(candidate) and candidate not in taken:
        taken.add(candidate)
        return candidate
    return slug_id(name, taken)


def parse_xml(text: str) -> ET.Element:
    """Parse XML with no DTD, no entity declarations and no external entities."""
    check_size(text, "file")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> NoReturn:
        raise InvalidInput(
            problems=[
                Problem(
                    "DTDs and entity declarations are not allowed",
                    line=parser.CurrentLineNumber,
                )
            ]
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        message = f"not valid XML: {expat.ErrorString(exc.code)}"
        raise InvalidInput(problems=[Problem(message, line=exc.lineno)]) from exc
    return builder.close()


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def load_json(text: str) -> Any:
    """A JSON file's value, or InvalidInput: bad syntax, NaN or nesting too deep to read."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            problems=[Problem(f"not valid JSON: {exc.msg}", line=exc.lineno)]
        ) from exc
    except RecursionError:
        problem = Problem("not readable: the JSON is nested too deeply")
        raise InvalidInput(problems=[problem]) from None
    except ValueError as exc:
        raise InvalidInput(problems=[Problem(f"not valid JSON: {exc}")]) from None
