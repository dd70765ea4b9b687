"""doccano JSONL exports: one file per annotator, one line per item.

Lines look like ``{"id": 1, "text": "...", "label": ["positive"]}`` (classification),
``{"id": 1, "text": "...", "label": [[0, 5, "ORG"], ...]}`` (sequence labelling) or
``{"id": 1, "text": "...", "entities": [{"start_offset": 0, "end_offset": 5,
"label": "ORG"}]}`` (newer span exports); older files say ``labels``. The file does
not name its annotator: it is the ``annotator`` argument, else the file name without
its extensions (doccano names each user's file after the user). The item is ``id``,
else ``sha1:`` plus 16 hex digits of the text's SHA-1 (same text, same item across
annotators' files).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Any

from .jsonl import iter_objects
from .strict_json import MAX_LINE_BYTES
from .table import TableBuilder, as_id, snapshot

_SUFFIXES = (".gz", ".jsonl", ".json", ".txt")


def annotator_from_filename(filename: str) -> str:
    name = PurePath(filename).name
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name, changed = name[: -len(suffix)], True
    return name.strip()


def _spans(labels: Any) -> list[tuple[str, int | None, int | None]] | None:
    out: list[tuple[str, int | None, int | None]] = []
    for entry in labels:
        if isinstance(entry, str):
            out.append((entry, None, None))
        elif (
            isinstance(entry, list)
            and len(entry) == 3
            and all(isinstance(x, int) and not isinstance(x, bool) for x in entry[:2])
            and isinstance(entry[2], str)
        ):
            out.append((entry[2], entry[0], entry[1]))
        elif (
            isinstance(entry, dict)
            and isinstance(entry.get("label"), str)
            and isinstance(entry.get("start_offset"), int)
            and isinstance(entry.get("end_offset"), int)
        ):
            out.append((entry["label"], entry["start_offset"], entry["end_offset"]))
        else:
            return None
    return out


def read_doccano(
    text: str,
    builder: TableBuilder,
    *,
    annotator: str = "",
    max_line_bytes: int = MAX_LINE_BYTES,
) -> None:
    annotator = annotator or annotator_from_filename(builder.filename)
    if not annotator or annotator == "<input>":
        builder.problem("doccano files do not name their annotator: pass annotator= or a filename")
        return
    hashed = 0
    for number, line in iter_objects(text, builder, max_line_bytes=max_line_bytes):
        content = line.get("text")
        item = as_id(line.get("id"))
        if item is None and isinstance(content, str):
            item = "sha1:" + hashlib.sha1(content.encode()).hexdigest()[:16]
            hashed += 1
        key = next((k for k in ("label", "labels", "entities") if k in line), None)
        labels = line.get(key) if key else None
        if item is None or not isinstance(labels, list):
            builder.problem("a line needs 'id' or 'text', and a 'label' list", line=number)
            continue
        spans = _spans(labels)
        if spans is None:
            builder.problem(
                f"'{key}' must hold strings, [start, end, label] triples or entity objects",
                line=number,
            )
            continue
        if item not in builder.items and isinstance(content, str):
            builder.items[item] = snapshot({"text": content})
        if not spans:
            builder.skipped["items with no label"] += 1
            continue
        record = builder.new_record()
        for label, start, end in spans:
            cut = content[start:end] if isinstance(content, str) and start is not None else None
            builder.add(item, annotator, label, record, number, start=start, end=end, span_text=cut)
    if hashed:
        builder.notes.append(f"{hashed} lines have no id: items identified by a hash of the text")
