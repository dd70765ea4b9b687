"""Prodigy JSONL (``db-out``): one task per line with ``answer`` and Prodigy's ``_`` keys.

Mapping (documented contract):

- item: the task's own ``id``, else ``meta.id``, when *every* task in the file has one
  (so the ids match the dataset the tasks were made from); otherwise ``_input_hash``,
  which Prodigy gives every annotation of the same input. ``items`` holds ``text`` (or
  ``meta``);
- annotator: ``_annotator_id``, else ``_session_id``, else "unknown" (with a warning);
- created_at: ``_timestamp`` (Unix seconds);
- ``answer: ignore`` tasks are skipped and counted;
- choice views (``options``): one row per accepted option id (label = the option's
  ``id``); a rejected choice task applies no label and is skipped and counted;
- binary tasks (a top-level ``label``, or the ``ner`` view with one suggested span) are
  yes/no questions: dimension = the label asked about, label = "accept" or "reject",
  so each question's agreement is computed on its own and rejections are not lost;
- manual span tasks (``spans``): one row per span with ``start``/``end`` and the span
  text; a rejected manual task is skipped and counted.
"""

from __future__ import annotations

from typing import Any

from .jsonl import iter_objects
from .strict_json import MAX_LINE_BYTES
from .table import TableBuilder, as_id, epoch_to_iso, snapshot


def _explicit_id(task: dict[str, Any]) -> str | None:
    explicit = as_id(task.get("id"))
    meta = task.get("meta")
    if explicit is None and isinstance(meta, dict):
        explicit = as_id(meta.get("id"))
    return explicit


def _annotator(task: dict[str, Any]) -> str | None:
    for key in ("_annotator_id", "_session_id"):
        value = as_id(task.get(key))
        if value:
            return value
    return None


def read_prodigy(text: str, builder: TableBuilder, *, max_line_bytes: int = MAX_LINE_BYTES) -> None:
    unknown = 0
    explicit_ids: list[str | None] = []
    explicit_of: dict[str, str | None] = {}
    for number, task in iter_objects(text, builder, max_line_bytes=max_line_bytes):
        answer = task.get("answer")
        if answer == "ignore":
            builder.skipped["ignored tasks (answer 'ignore')"] += 1
            continue
        item = as_id(task.get("_input_hash"))
        explicit = _explicit_id(task)
        if answer not in ("accept", "reject") or (item is None and explicit is None):
            builder.problem(
                "a task needs 'answer' (accept, reject or ignore) and '_input_hash' or 'id'",
                line=number,
            )
            continue
        item = item if item is not None else f"id:{explicit}"
        if item not in builder.items:
            content = task.get("text") if isinstance(task.get("text"), str) else task.get("meta")
            builder.items[item] = snapshot(
                {"text": content} if isinstance(content, str) else content
            )
            explicit_of[item] = explicit
        stamp = task.get("_timestamp")
        created = epoch_to_iso(stamp) if isinstance(stamp, int | float) else None
        annotator = _annotator(task)
        if annotator is None:
            unknown += 1
            annotator = "unknown"
        before = len(builder.item)
        _read_task(task, answer, item, annotator, created, number, builder)
        explicit_ids.extend([explicit] * (len(builder.item) - before))
    if unknown:
        builder.notes.append(
            f"{unknown} tasks have no _annotator_id or _session_id: annotator set to 'unknown'"
        )
    if explicit_ids and all(x is not None for x in explicit_ids):
        builder.item = explicit_ids  # type: ignore[assignment]
        builder.items = {explicit_of[k] or k: v for k, v in builder.items.items()}
    else:
        builder.notes.append("items are identified by Prodigy's _input_hash")


def _read_task(
    task: dict[str, Any],
    answer: str,
    item: str,
    annotator: str,
    created: str | None,
    line: int,
    builder: TableBuilder,
) -> None:
    options, spans, asked = task.get("options"), task.get("spans"), task.get("label")
    text = task.get("text") if isinstance(task.get("text"), str) else None
    record = builder.new_record()
    if isinstance(options, list):
        if answer == "reject":
            builder.skipped["rejected choice tasks (no label applied)"] += 1
            return
        known = {as_id(o.get("id")) for o in options if isinstance(o, dict)}
        accepted = task.get("accept", [])
        chosen = [as_id(x) for x in accepted] if isinstance(accepted, list) else [None]
        if any(x is None or x not in known for x in chosen):
            builder.problem(f"'accept' {accepted!r} is not a list of option ids", line=line)
            return
        if not chosen:
            builder.skipped["accepted choice tasks with no option selected"] += 1
        for label in chosen:
            builder.add(item, annotator, label, record, line, created_at=created)  # type: ignore[arg-type]
        return
    if isinstance(spans, list) and not all(_is_span(s) for s in spans):
        builder.problem("'spans' must be objects with integer start, end and a label", line=line)
        return
    binary_span = task.get("_view_id") == "ner" and isinstance(spans, list) and len(spans) == 1
    if isinstance(asked, str) or binary_span:
        span = spans[0] if isinstance(spans, list) and len(spans) == 1 else None
        question = asked if isinstance(asked, str) else span["label"]  # type: ignore[index]
        start, end = (span["start"], span["end"]) if span else (None, None)
        builder.add(
            item, annotator, answer, record, line, dimension=question, created_at=created,
            start=start, end=end, span_text=_cut(text, start, end),
        )  # fmt: skip
        return
    if not isinstance(spans, list):
        builder.problem("cannot tell the task type: no 'options', 'label' or 'spans'", line=line)
        return
    if answer == "reject":
        builder.skipped["rejected span tasks"] += 1
        return
    if not spans:
        builder.skipped["accepted span tasks with no spans"] += 1
    for span in spans:
        builder.add(
            item, annotator, span["label"], record, line, created_at=created,
            start=span["start"], end=span["end"], span_text=_cut(text, span["start"], span["end"]),
        )  # fmt: skip


def _is_span(span: Any) -> bool:
    return (
        isinstance(span, dict)
        and isinstance(span.get("start"), int)
        and isinstance(span.get("end"), int)
        and isinstance(span.get("label"), str)
    )


def _cut(text: str | None, start: int | None, end: int | None) -> str | None:
    if text is None or start is None or end is None:
        return None
    return text[start:end]
