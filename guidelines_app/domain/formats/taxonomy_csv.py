"""CSV, one label per row, for spreadsheets; and plain text lists, one label per line.

CSV columns: ``id, name, parent, description, examples, counter_examples, synonyms,
color, hint, value, deprecated, replaced_by``; list cells hold one item per line.
Carried: every label field and the hierarchy (``parent`` is an id). The taxonomy's
name comes from the ``name=`` argument; its kind is ordinal when values are present,
otherwise single-choice (or ``kind=``).

Formula injection: a cell starting with ``= + - @``, tab or CR is written with a leading
apostrophe (and so is one that starts with an apostrophe, so that the rule reverses);
numbers are left alone. On import one leading apostrophe before any of those is removed.

A plain text list has one label name per line; indentation (two spaces or a tab per
level) nests labels, and "- " or "* " bullets are ignored.
"""

from __future__ import annotations

import csv
import io
import re

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats.taxonomy_common import DEFAULT_NAME, finish_import, import_id
from guidelines_app.domain.taxonomy_model import Label, Taxonomy
from guidelines_app.domain.taxonomy_yaml import check_size

COLUMNS = (
    "id",
    "name",
    "parent",
    "description",
    "examples",
    "counter_examples",
    "synonyms",
    "color",
    "hint",
    "value",
    "deprecated",
    "replaced_by",
)
_LIST_COLUMNS = ("examples", "counter_examples", "synonyms", "replaced_by")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRUE = {"true", "yes", "1", "x", "y"}


def neutralise(cell: str) -> str:
    if cell.startswith((*_RISKY, "'")) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:2] in (*_RISKY, "'") else cell


def export_csv(taxonomy: Taxonomy) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in taxonomy.iter_labels():
        label = entry.label
        row = {
            "id": label.id,
            "name": label.name,
            "parent": entry.parent_id or "",
            "description": label.description,
            "color": label.color or "",
            "hint": label.hint,
            "value": "" if label.value is None else repr(label.value),
            "deprecated": "true" if label.deprecated else "",
        }
        for column in _LIST_COLUMNS:
            row[column] = "\n".join(getattr(label, column))
        writer.writerow([neutralise(row[column]) for column in COLUMNS])
    return out.getvalue()


def import_csv(text: str, *, name: str | None = None, kind: str | None = None) -> Taxonomy:
    """CSV with a header row naming at least ``name``; anything else is a plain list."""
    check_size(text, "file")
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:  # a field over the csv module's limit, a NUL in older Pythons
        raise InvalidInput(problems=[Problem(f"not readable as CSV: {exc}")]) from None
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "name" not in header:
        return import_text(text, name=name, kind=kind)
    problems: list[Problem] = []
    taken: set[str] = set()
    built: list[tuple[str, dict, str, int]] = []
    has_values = False
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        cells = {column: restore(raw[i]) if i < len(raw) else "" for i, column in enumerate(header)}
        fields: dict = {"name": cells.get("name", "").strip()}
        for column in ("description", "hint"):
            fields[column] = cells.get(column, "")
        fields["color"] = cells.get("color", "").strip() or None
        for column in _LIST_COLUMNS:
            fields[column] = tuple(
                x.strip() for x in cells.get(column, "").splitlines() if x.strip()
            )
        fields["replaced_by"] = tuple(
            part for item in fields["replaced_by"] for part in re.split(r"[\s,|]+", item) if part
        )
        fields["deprecated"] = cells.get("deprecated", "").strip().lower() in _TRUE
        value = cells.get("value", "").strip()
        if value:
            has_values = True
            try:
                fields["value"] = int(value) if re.fullmatch(r"[+-]?\d+", value) else float(value)
            except ValueError:
                problems.append(Problem(f"not a number: {value!r}", path="value", line=number))
        label_id = import_id(cells.get("id", "").strip() or None, fields["name"], taken)
        built.append((label_id, fields, cells.get("parent", "").strip(), number))
    labels = _assemble(built, problems)
    if problems:
        raise InvalidInput(problems=problems)
    kind = kind or ("ordinal" if has_values else "single-choice")
    return finish_import(Taxonomy(name=name or DEFAULT_NAME, kind=kind, labels=labels))


def _assemble(rows: list[tuple[str, dict, str, int]], problems: list[Problem]) -> tuple[Label, ...]:
    """Build the tree from rows naming their parent by id, in any order."""
    known = {label_id for label_id, _, _, _ in rows}
    children: dict[str | None, list[tuple[str, dict, str, int]]] = {}
    for row in rows:
        label_id, _, parent, number = row
        if parent and parent not in known:
            problems.append(Problem(f"unknown parent {parent!r}", path="parent", line=number))
            continue
        children.setdefault(parent or None, []).append(row)
    placed: set[str] = set()

    def build(parent: str | None) -> tuple[Label, ...]:
        labels = []
        for label_id, fields, _, _ in children.get(parent, []):
            placed.add(label_id)
            labels.append(Label(id=label_id, **fields, children=build(label_id)))
        return tuple(labels)

    roots = build(None)
    for label_id, _, parent, number in rows:
        if label_id not in placed and not (parent and parent not in known):
            problems.append(
                Problem(f"{label_id!r} is its own ancestor", path="parent", line=number)
            )
    return roots


def import_text(text: str, *, name: str | None = None, kind: str | None = None) -> Taxonomy:
    check_size(text, "file")
    taken: set[str] = set()
    root: list[Label] = []
    # Each open level: its indentation and the children collected so far.
    stack: list[tuple[int, str, list[Label]]] = [(-1, "", root)]
    for line in text.lstrip("\ufeff").splitlines():
        if not line.strip():
            continue
        indent = len(line.expandtabs(2)) - len(line.expandtabs(2).lstrip())
        label_name = re.sub(r"^[-*•]\s+", "", line.strip())
        while stack[-1][0] >= indent:
            _close(stack)
        stack.append((indent, label_name, []))
    while len(stack) > 1:
        _close(stack)
    labels = tuple(_with_ids(label, taken) for label in root)
    return finish_import(
        Taxonomy(name=name or DEFAULT_NAME, kind=kind or "single-choice", labels=labels)
    )


def _close(stack: list[tuple[int, str, list[Label]]]) -> None:
    _, label_name, children = stack.pop()
    stack[-1][2].append(Label(id="", name=label_name, children=tuple(children)))


def _with_ids(label: Label, taken: set[str]) -> Label:
    label_id = import_id(None, label.name, taken)
    return Label(
        id=label_id,
        name=label.name,
        children=tuple(_with_ids(child, taken) for child in label.children),
    )
