"""Label Studio JSON_MIN export: one flat object per annotation.

Each object holds the task's data fields, the task ``id``, one key per control tag
(``from_name``) with its value, then ``annotator`` (an id or an email),
``annotation_id``, ``created_at``, ``updated_at``, ``lead_time``. The export does
not say which keys are data and which are control tags; label-studio-converter
writes the control tags after ``id`` and before ``annotator``, so those keys are
the dimensions. ``columns={"label": "sentiment,topic"}`` names them explicitly instead.

Values: a single choice or text is a plain string; several choices are
``{"choices": [...]}``; spans, taxonomies and ratings are lists of value objects
(read like the full export's ``value``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .labelstudio import Region, regions_of
from .strict_json import StrictJSONError, iter_array, line_of
from .table import TableBuilder, as_id, snapshot

META_KEYS = frozenset(
    {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement"}
)


def control_keys(record: dict[str, Any]) -> list[str]:
    """Keys between ``id`` and ``annotator``, in the order label-studio-converter writes them."""
    keys = list(record)
    if "id" not in record or "annotator" not in record:
        return []
    first, last = keys.index("id"), keys.index("annotator")
    return [k for k in keys[first + 1 : last] if k not in META_KEYS]


def regions_of_min(value: Any) -> list[Region] | None:
    if isinstance(value, str):
        return [(value, None, None, None, None)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(str(value), None, None, None, None)]
    if isinstance(value, dict):
        return regions_of(None, value)
    if isinstance(value, list):
        out: list[Region] = []
        for element in value:
            regions = regions_of_min(element)
            if regions is None:
                return None
            out.extend(regions)
        return out
    return None


def read_labelstudio_min(
    text: str, builder: TableBuilder, *, columns: Mapping[str, str] | None = None
) -> None:
    builder.locate = lambda pos: None if pos is None else line_of(text, pos)
    named = [k.strip() for k in (columns or {}).get("label", "").split(",") if k.strip()]
    try:
        for index, (pos, record) in enumerate(iter_array(text)):
            _read_record(record, pos, builder, f"[{index}]", named)
    except json.JSONDecodeError as exc:
        builder.problem(f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
    except StrictJSONError as exc:
        builder.problem(f"{exc} (in the element starting here)", line=builder.locate(exc.pos))


def _read_record(
    record: Any, pos: int, builder: TableBuilder, where: str, named: list[str]
) -> None:
    if not isinstance(record, dict):
        builder.problem("expected an object", line=builder.locate(pos), where=where)
        return
    item, annotator = as_id(record.get("id")), as_id(record.get("annotator"))
    created = record.get("created_at") or record.get("updated_at")
    if item is None or annotator is None or not isinstance(created, str | None):
        builder.problem(
            "a JSON_MIN record needs 'id', 'annotator' (id or email) and a string 'created_at'",
            line=builder.locate(pos),
            where=where,
        )
        return
    dimensions = [k for k in named if k in record] if named else control_keys(record)
    if item not in builder.items:
        data = {k: v for k, v in record.items() if k not in META_KEYS and k not in dimensions}
        builder.items[item] = snapshot(data)
    if not dimensions:
        builder.skipped["records without any label"] += 1
        return
    record_id = builder.new_record()
    for dimension in dimensions:
        regions = regions_of_min(record[dimension])
        if regions is None:
            builder.problem(
                f"value of {dimension!r} has an unexpected shape",
                line=builder.locate(pos),
                where=where,
            )
            continue
        for label, path, start, end, span in regions:
            builder.add(
                item,
                annotator,
                label,
                record_id,
                pos,
                dimension=dimension,
                created_at=created,
                start=start,
                end=end,
                span_text=span,
                label_path=path,
                where=f"{where}.{dimension}",
            )
