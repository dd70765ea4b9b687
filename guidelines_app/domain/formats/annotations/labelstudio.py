"""Label Studio JSON export: an array of tasks, each with ``id``, ``data`` and ``annotations``.

Mapping (documented contract):

- item = the task ``id``; ``items[id]`` = a small snapshot of the task ``data``;
- one row per label of each ``result`` entry; dimension = the result's ``from_name``
  (collapsed to "" when the whole file has a single ``from_name``);
- annotator = ``completed_by`` (an integer id, or the object's ``email``, else its ``id``);
- ``was_cancelled`` (or the legacy ``skipped``) annotations are skipped and counted;
  ``ground_truth`` sets ``gold``; ``created_at`` falls back to ``updated_at``;
- ``predictions`` are ignored: they are model output, not human annotations;
- ``taxonomy`` paths: label = the leaf of each selected path, ``label_path`` = the whole
  path joined with " / " (so agreement on leaves and on paths are both possible);
- ``labels`` (text spans): ``start``/``end`` offsets and ``span_text``; other
  ``*labels`` region types (rectangles, polygons...) give their labels without offsets;
- ``rating``/``number``/``datetime`` give their value as text, ``textarea`` each text;
- ``relation`` and other result types (``pairwise``, ``ranker``...) are skipped and
  counted, as are results with an empty label list.
"""

from __future__ import annotations

import json
from typing import Any

from .strict_json import StrictJSONError, iter_array, line_of
from .table import TableBuilder, as_id, snapshot

Region = tuple[str, str | None, int | None, int | None, str | None]
_SCALAR_KEYS = ("rating", "number", "datetime")


def annotator_of(completed_by: Any) -> str | None:
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email.strip():
            return email
        return as_id(completed_by.get("id"))
    return as_id(completed_by)


def _strings(values: Any) -> list[str] | None:
    if isinstance(values, list) and all(isinstance(v, str) for v in values):
        return values
    return None


def _offset(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def supported(kind: str) -> bool:
    return kind in ("choices", "taxonomy", "textarea", *_SCALAR_KEYS) or kind.endswith("labels")


def regions_of(kind: str | None, value: dict[str, Any]) -> list[Region] | None:
    """Labels carried by one result ``value``; None when its shape is not understood.

    ``kind`` is the result ``type``; JSON_MIN drops it, so None means "infer from keys".
    """
    if kind is None:
        kind = next((k for k in value if k.endswith("labels")), None)
        kind = kind or next((k for k in value if k in ("choices", "taxonomy", *_SCALAR_KEYS)), None)
        kind = kind or ("textarea" if "text" in value else None)
        if kind is None:
            return None
    if kind == "choices":
        labels = _strings(value.get("choices"))
        return None if labels is None else [(x, None, None, None, None) for x in labels]
    if kind == "taxonomy":
        paths = value.get("taxonomy")
        if not isinstance(paths, list) or not all(_strings(p) for p in paths):
            return None
        return [(p[-1], " / ".join(p), None, None, None) for p in paths]
    if kind == "textarea":
        texts = _strings(value.get("text"))
        return None if texts is None else [(x, None, None, None, None) for x in texts]
    if kind in _SCALAR_KEYS:
        scalar = value.get(kind)
        if isinstance(scalar, bool) or not isinstance(scalar, str | int | float):
            return None
        return [(str(scalar), None, None, None, None)]
    if kind.endswith("labels"):
        labels = _strings(value.get(kind, value.get("labels")))
        if labels is None:
            return None
        start, end = _offset(value.get("start")), _offset(value.get("end"))
        text = value.get("text") if isinstance(value.get("text"), str) else None
        return [(x, None, start, end, text) for x in labels]
    return None


def read_labelstudio(text: str, builder: TableBuilder) -> None:
    builder.locate = lambda pos: None if pos is None else line_of(text, pos)
    try:
        for index, (pos, task) in enumerate(iter_array(text)):
            _read_task(task, index, pos, builder)
    except json.JSONDecodeError as exc:
        builder.problem(f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
    except StrictJSONError as exc:
        builder.problem(f"{exc} (in the element starting here)", line=builder.locate(exc.pos))


def _read_task(task: Any, index: int, pos: int, builder: TableBuilder) -> None:
    where = f"task[{index}]"
    if not isinstance(task, dict):
        builder.problem("expected a task object", line=builder.locate(pos), where=where)
        return
    item = as_id(task.get("id"))
    annotations = task.get("annotations", task.get("completions"))
    if item is None or not isinstance(annotations, list):
        builder.problem(
            "a task needs an integer or string 'id' and an 'annotations' list",
            line=builder.locate(pos),
            where=where,
        )
        return
    if item not in builder.items:
        builder.items[item] = snapshot(task.get("data"))
    for number, annotation in enumerate(annotations):
        _read_annotation(annotation, item, pos, builder, index, number)


def _read_annotation(
    annotation: Any, item: str, pos: int, builder: TableBuilder, task: int, index: int
) -> None:
    if not isinstance(annotation, dict):
        builder.problem(
            "expected an annotation object", line=builder.locate(pos), where=_where(task, index)
        )
        return
    if annotation.get("was_cancelled") or annotation.get("skipped"):
        builder.skipped["cancelled annotations"] += 1
        return
    annotator = annotator_of(annotation.get("completed_by"))
    result = annotation.get("result")
    created = annotation.get("created_at") or annotation.get("updated_at")
    if annotator is None or not isinstance(result, list) or not isinstance(created, str | None):
        builder.problem(
            "an annotation needs 'completed_by' (id or object with email), a 'result' list "
            "and a string 'created_at'",
            line=builder.locate(pos),
            where=_where(task, index),
        )
        return
    if not result:
        builder.skipped["annotations with an empty result"] += 1
        return
    record = builder.new_record()
    gold = annotation.get("ground_truth") is True
    for number, entry in enumerate(result):
        kind = entry.get("type") if isinstance(entry, dict) else None
        value = entry.get("value") if isinstance(entry, dict) else None
        if kind == "choices" and isinstance(value, dict):
            choices = value.get("choices")
            if isinstance(choices, list) and len(choices) == 1 and isinstance(choices[0], str):
                dimension = entry.get("from_name") or ""
                builder.add_label(
                    item, annotator, choices[0], record, pos, dimension, created, gold
                )
                continue
        if isinstance(kind, str) and not supported(kind):
            builder.skipped[f"results of unsupported type {kind!r}"] += 1
            continue
        regions = (
            regions_of(kind, value) if isinstance(kind, str) and isinstance(value, dict) else None
        )
        if regions is None:
            builder.problem(
                f"result[{number}] has an unexpected shape (type {kind!r})",
                line=builder.locate(pos),
                where=_where(task, index),
            )
            continue
        if not regions:
            builder.skipped["results with no label"] += 1
        dimension = entry.get("from_name") or ""
        for label, path, start, end, span in regions:
            builder.add(
                item,
                annotator,
                label,
                record,
                pos,
                dimension=dimension,
                created_at=created,
                gold=gold,
                start=start,
                end=end,
                span_text=span,
                label_path=path,
                where=f"{_where(task, index)}.result[{number}]",
            )


def _where(task: int, annotation: int) -> str:
    return f"task[{task}].annotations[{annotation}]"
