"""Plain JSON Lines: one object per line with the CSV keys (``item``, ``annotator``, ``label``...).

``label`` may be a string or a list of strings (one row each); ``created_at`` an ISO
8601 string or Unix seconds; ``gold`` a boolean. Key names are configurable like CSV.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from .strict_json import MAX_LINE_BYTES, StrictJSONError, iter_lines, loads
from .table import TableBuilder, as_id, epoch_to_iso, snapshot
from .tabular import REQUIRED, resolve_columns


def iter_objects(
    text: str, builder: TableBuilder, *, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line, object)``; lines that are not JSON objects become problems."""
    for number, line in iter_lines(text, filename=builder.filename, max_line_bytes=max_line_bytes):
        try:
            obj = loads(line)
        except json.JSONDecodeError as exc:
            builder.problem(f"invalid JSON: {exc.msg} (column {exc.colno})", line=number)
            continue
        except StrictJSONError as exc:
            builder.problem(str(exc), line=number)
            continue
        if not isinstance(obj, dict):
            builder.problem(f"expected a JSON object, found {type(obj).__name__}", line=number)
            continue
        yield number, obj


def timestamp(value: Any) -> str | Literal[False] | None:
    """An ISO string, Unix seconds as ISO, None when absent, False when unusable."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return epoch_to_iso(value)
    return False


def read_jsonl(
    text: str,
    builder: TableBuilder,
    *,
    columns: Mapping[str, str] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> None:
    keys = resolve_columns(columns, builder.filename)
    for number, obj in iter_objects(text, builder, max_line_bytes=max_line_bytes):
        missing = [keys[name] for name in REQUIRED if keys[name] not in obj]
        if missing:
            builder.problem(f"missing key(s) {', '.join(map(repr, missing))}", line=number)
            continue
        item, annotator = as_id(obj[keys["item"]]), as_id(obj[keys["annotator"]])
        if item is None or annotator is None:
            builder.problem("item and annotator must be strings or integers", line=number)
            continue
        labels = obj[keys["label"]]
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            builder.problem("label must be a string or a list of strings", line=number)
            continue
        if not labels:
            builder.problem("label is empty", line=number)
            continue
        created = timestamp(obj.get(keys["created_at"]))
        gold = obj.get(keys["gold"], False)
        dimension = obj.get(keys["dimension"], "")
        if created is False or not isinstance(gold, bool) or not isinstance(dimension, str):
            builder.problem(
                "created_at must be a string or a number, gold a boolean, dimension a string",
                line=number,
            )
            continue
        record = builder.new_record()
        for label in labels:
            builder.add(
                item,
                annotator,
                label,
                record,
                number,
                dimension=dimension,
                created_at=created,
                gold=gold,
            )
        if item not in builder.items and keys["text"] in obj:
            builder.items[item] = snapshot({"text": obj[keys["text"]]})
