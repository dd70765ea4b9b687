"""What every request must be before a view reads it: ids in range, text a database can keep.

Ids in URLs go through the ``id`` converter (:class:`IntegerInRange`): ``2**31``, ``2**63``,
``-1`` or ``abc`` match no route (404) instead of reaching the database, which refuses
integers beyond its columns (PostgreSQL) or beyond 64 bits (SQLite). Text with a NUL, which
PostgreSQL refuses in text, or a lone surrogate (``\\ud800``, which no encoding can write),
and JSON numbers that are ``NaN`` or infinite, are refused for every request in one place
(:func:`refuse_unstorable_input`) with a 422 naming each field, before any view runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map

from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.models.schemas import MAX_ID

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class IntegerInRange(IntegerConverter):
    """A database id in a URL: digits only, from 0 to ``MAX_ID`` (2**31 - 1)."""

    def __init__(self, map: Map, min: int = 0, max: int = MAX_ID) -> None:
        super().__init__(map, min=min, max=max)


def unstorable(text: str) -> str | None:
    """Why a database cannot keep ``text``, or None when it can."""
    if "\x00" in text:
        return "must not contain a NUL character (\\u0000)"
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "must not contain a lone surrogate (\\ud800-\\udfff): send valid Unicode"
    return None


def _json_problems(data: Any) -> Iterator[Problem]:
    """Every string (keys too) and number of a JSON document that cannot be kept; iterative,
    so a deeply nested document costs no recursion."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            why = unstorable(value)
            if why:
                yield Problem(why, path)
        elif isinstance(value, float) and not math.isfinite(value):
            yield Problem(f"must be a number, not {value!r}", path)
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                why = unstorable(str(key))
                if why:
                    yield Problem(f"a key {why}", path)
                    where = path
                stack.append((where, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))


def _field_problems(fields: Any) -> list[Problem]:
    problems = []
    for key, value in fields.items(multi=True):
        why = unstorable(key) or unstorable(value)
        if why:
            problems.append(Problem(why, key if not unstorable(key) else ""))
    return problems


def refuse_unstorable_input() -> None:
    """Refuse a request whose path, query string, form or JSON holds what cannot be kept."""
    if any(isinstance(v, str) and unstorable(v) for v in (request.view_args or {}).values()):
        raise NotFound("no such page: the address holds a character no name has")
    problems = _field_problems(request.args)
    if request.mimetype in FORM_TYPES:
        problems += _field_problems(request.form)
    elif request.is_json and request.content_length != 0:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # the parser gives up on deep nesting with no ValueError
            raise InvalidInput(problems=[Problem("the JSON is nested too deeply")]) from None
        problems += list(_json_problems(data))
    if problems:
        raise InvalidInput(problems=problems)


def whole_number(source: Any, name: str, *, maximum: int = MAX_ID, strip: str = "") -> int | None:
    """A whole number from a query string or form (``?page=2``, ``decision_id=#12``).

    Absent or not a number is None, as these fields always were; a number beyond
    ``maximum`` names no row and is refused with a problem for the field (422).
    """
    raw = str(source.get(name, "")).strip().lstrip(strip)
    if not (raw.isascii() and raw.isdigit()):
        return None
    if len(raw) > len(str(maximum)) or int(raw) > maximum:
        raise InvalidInput(problems=[Problem(f"must be at most {maximum}", name)])
    return int(raw)


def page_number() -> int:
    """The ``page`` of a paged list: 1 unless a page from 1 to ``MAX_ID`` is asked for."""
    return whole_number(request.args, "page") or 1


def init_app(app: Flask) -> None:
    """The ``id`` converter must exist before the blueprints add their rules."""
    app.url_map.converters["id"] = IntegerInRange
    app.before_request(refuse_unstorable_input)
