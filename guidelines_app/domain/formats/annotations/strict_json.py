"""Strict JSON: refuses what Python's json module tolerates (NaN, Infinity, 1e999, duplicate keys).

Also walks a top-level array one element at a time, so a large Label Studio export
never exists as one tree of Python objects, and splits JSON Lines with a per-line cap.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from guidelines_app.domain.errors import TooLarge

MAX_LINE_BYTES = 16 * 1024 * 1024
_WS = re.compile(r"[ \t\n\r]*")


class StrictJSONError(ValueError):
    """A JSON value that parses but that we refuse; ``pos``: where its enclosing element starts."""

    def __init__(self, message: str, pos: int = -1) -> None:
        super().__init__(message)
        self.pos = pos


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise StrictJSONError(f"duplicate key {key!r} in a JSON object")
            seen.add(key)
    return obj


def _constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not valid JSON (non-finite numbers are refused)")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise StrictJSONError(f"number {text} overflows to infinity")
    return value


class _Decoder(json.JSONDecoder):
    """Deep nesting is a refused value, not a RecursionError that escapes every handler."""

    def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
        try:
            return super().raw_decode(s, idx)
        except RecursionError:
            raise StrictJSONError("a JSON value is nested too deeply", idx) from None


DECODER = _Decoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)


def loads(text: str) -> Any:
    return DECODER.decode(text)


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def iter_array(text: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(offset, element)`` for each element of the top-level JSON array in ``text``.

    Raises ``json.JSONDecodeError`` (with the document position) or ``StrictJSONError``.
    """
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if text[pos : pos + 1] != "[":
        raise json.JSONDecodeError("expected a JSON array", text, pos)
    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    if text[pos : pos + 1] == "]":
        _expect_end(text, pos + 1)
        return
    while True:
        try:
            element, end = DECODER.raw_decode(text, pos)
        except StrictJSONError as exc:
            raise StrictJSONError(str(exc), pos) from None
        yield pos, element
        pos = _WS.match(text, end).end()  # type: ignore[union-attr]
        sep = text[pos : pos + 1]
        if sep == ",":
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        elif sep == "]":
            _expect_end(text, pos + 1)
            return
        else:
            raise json.JSONDecodeError("expected ',' or ']' after an array element", text, pos)


def _expect_end(text: str, pos: int) -> None:
    pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
    if pos != len(text):
        raise json.JSONDecodeError("unexpected data after the JSON array", text, pos)


def iter_lines(
    text: str, *, filename: str, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` for non-blank lines; a line over the cap raises TooLarge.

    The cap is measured in characters, which is at most the byte length in UTF-8.
    """
    start = 0
    number = 0
    size = len(text)
    while start < size:
        number += 1
        end = text.find("\n", start)
        if end == -1:
            end = size
        if end - start > max_line_bytes:
            raise TooLarge(
                f"{filename} (line {number}): line is longer than the limit of "
                f"{max_line_bytes:,} characters"
            )
        line = text[start:end]
        start = end + 1
        if line.strip():
            yield number, line.rstrip("\r")
