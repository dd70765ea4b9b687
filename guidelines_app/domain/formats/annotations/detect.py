"""Which format a file is in, from its content; the file name only breaks CSV/TSV ties."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from guidelines_app.domain.errors import InvalidInput, Problem

from .strict_json import DECODER, MAX_LINE_BYTES, StrictJSONError, iter_lines
from .tabular import REQUIRED, resolve_columns, sniff_delimiter

_WS = re.compile(r"[ \t\n\r]*")
_PRODIGY_KEYS = frozenset({"_input_hash", "_task_hash", "_session_id", "_annotator_id"})


def _undetectable(filename: str, message: str, line: int | None = 1) -> InvalidInput:
    return InvalidInput(problems=[Problem(f"unknown annotation format: {message}", filename, line)])


def detect_format(
    text: str,
    *,
    filename: str = "",
    columns: Mapping[str, str] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> str:
    """A key of ``ANNOTATION_FORMATS``, or InvalidInput saying what the first record looked like."""
    name = filename or "<input>"
    pos = _WS.match(text).end()  # type: ignore[union-attr]
    first = text[pos : pos + 1]
    if first == "[":
        return _detect_array(text, pos + 1, name)
    if first == "{":
        return _detect_lines(text, name, columns, max_line_bytes)
    delimiter = sniff_delimiter(text[pos:])
    if delimiter == "\t" or name.lower().removesuffix(".gz").endswith((".tsv", ".tab")):
        return "tsv"
    return "csv"


def _detect_array(text: str, pos: int, name: str) -> str:
    pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
    try:
        element, _ = DECODER.raw_decode(text, pos)
    except (json.JSONDecodeError, StrictJSONError) as exc:
        line = getattr(exc, "lineno", None) or text.count("\n", 0, pos) + 1
        message = getattr(exc, "msg", None) or str(exc)
        raise InvalidInput(problems=[Problem(f"invalid JSON: {message}", name, line)]) from None
    if not isinstance(element, dict):
        raise _undetectable(name, "a JSON array whose first element is not an object")
    if isinstance(element.get("annotations", element.get("completions")), list):
        return "labelstudio"
    if "annotator" in element and "id" in element:
        return "labelstudio-min"
    raise _undetectable(name, f"a JSON array of objects with keys {_keys(element)}")


def _detect_lines(
    text: str, name: str, columns: Mapping[str, str] | None, max_line_bytes: int
) -> str:
    number, line = next(iter_lines(text, filename=name, max_line_bytes=max_line_bytes))
    try:
        obj = DECODER.decode(line)
    except (json.JSONDecodeError, StrictJSONError) as exc:
        message = getattr(exc, "msg", None) or str(exc)
        raise _undetectable(
            name, f"the first line is not one JSON object ({message}); JSON Lines expected", number
        ) from None
    if not isinstance(obj, dict):
        raise _undetectable(name, "the first line is not a JSON object", number)
    keys = set(obj)
    if keys & _PRODIGY_KEYS or ("answer" in keys and ("text" in keys or "image" in keys)):
        return "prodigy"
    mapping = resolve_columns(columns, name)
    if all(mapping[field] in keys for field in REQUIRED):
        return "jsonl"
    if "text" in keys and keys & {"label", "labels", "entities"}:
        return "doccano"
    if "annotations" in keys and "data" in keys:
        raise _undetectable(
            name, "one Label Studio task per line; export the project as JSON instead", number
        )
    raise _undetectable(name, f"JSON Lines with keys {_keys(obj)}", number)


def _keys(obj: dict[str, Any]) -> str:
    shown = sorted(obj)[:12]
    return ", ".join(repr(k) for k in shown) + (", ..." if len(obj) > 12 else "")
