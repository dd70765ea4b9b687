"""CSV and TSV: one row per annotation, ``item, annotator, label[, created_at][, gold]``.

Column names are configurable (``columns`` maps our name to the file's header). The
header is read here, not by pandas, because pandas silently renames a duplicate
header ``x`` to ``x.1``: a duplicate header is an error. Values are kept verbatim
(no trimming), so a label such as ``=SUM(A1)`` stays data; export it with
``safety.write_csv``.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Mapping

from guidelines_app.domain.errors import InvalidInput, Problem, TooLarge

from .strict_json import MAX_LINE_BYTES
from .table import TableBuilder

FIELDS = ("item", "annotator", "label", "created_at", "gold", "dimension", "text")
REQUIRED = ("item", "annotator", "label")
_DELIMITERS = (",", "\t", ";", "|")
_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n"})


def resolve_columns(columns: Mapping[str, str] | None, filename: str) -> dict[str, str]:
    mapping = {name: name for name in FIELDS}
    unknown = sorted(set(columns or {}) - set(FIELDS))
    if unknown:
        known = ", ".join(FIELDS)
        raise InvalidInput(
            problems=[
                Problem(f"unknown column mapping key {key!r} (known: {known})", path=filename)
                for key in unknown
            ]
        )
    mapping.update(columns or {})
    return mapping


def parse_gold(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def sniff_delimiter(text: str) -> str:
    """The most frequent candidate delimiter outside quotes on the header line."""
    end = text.find("\n", 0, 65536)
    header = text[: end if end != -1 else 65536]
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_tabular(
    text: str,
    builder: TableBuilder,
    *,
    delimiter: str,
    columns: Mapping[str, str] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> None:
    mapping = resolve_columns(columns, builder.filename)
    lines = _physical_lines(text, builder.filename, max_line_bytes)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except (csv.Error, StopIteration) as exc:
        builder.problem(f"cannot read the header: {exc}", line=1)
        return
    _check_header(header, mapping, builder)
    builder.fail_if_problems()
    index = {ours: header.index(theirs) for ours, theirs in mapping.items() if theirs in header}
    width = len(header)
    i_item, i_annotator, i_label = index["item"], index["annotator"], index["label"]
    i_created, i_gold = index.get("created_at"), index.get("gold")
    i_dimension, i_text = index.get("dimension"), index.get("text")
    previous = reader.line_num
    try:
        for row in reader:
            line = previous + 1
            previous = reader.line_num
            if not row:
                continue
            if len(row) != width:
                builder.problem(f"expected {width} fields, found {len(row)}", line=line)
                continue
            gold = False
            if i_gold is not None:
                parsed = parse_gold(row[i_gold])
                if parsed is None:
                    builder.problem(
                        f"gold value {row[i_gold]!r} is not true/false/1/0/yes/no",
                        line=line,
                        where=f"column {header[i_gold]!r}",
                    )
                    continue
                gold = parsed
            item = row[i_item]
            builder.add(
                item,
                row[i_annotator],
                row[i_label],
                builder.new_record(),
                line,
                dimension=row[i_dimension] if i_dimension is not None else "",
                created_at=(row[i_created] or None) if i_created is not None else None,
                gold=gold,
            )
            if i_text is not None and item not in builder.items:
                builder.items[item] = {"text": row[i_text]}
    except csv.Error as exc:
        builder.problem(f"malformed CSV: {exc}", line=reader.line_num)


def _physical_lines(text: str, filename: str, max_line_bytes: int) -> Iterator[str]:
    """Lines with their endings, as csv wants them; a line over the cap raises TooLarge."""
    start, number, size = 0, 0, len(text)
    while start < size:
        number += 1
        end = text.find("\n", start)
        end = size if end == -1 else end + 1
        if end - start > max_line_bytes:
            raise TooLarge(
                f"{filename} (line {number}): line is longer than the limit of "
                f"{max_line_bytes:,} characters"
            )
        yield text[start:end]
        start = end


def _check_header(header: list[str], mapping: dict[str, str], builder: TableBuilder) -> None:
    positions: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):
        positions.setdefault(name, []).append(number)
    for name, count in Counter(header).items():
        if count > 1:
            where = ", ".join(str(n) for n in positions[name])
            builder.problem(f"duplicate column {name!r} (columns {where})", line=1)
    for ours in REQUIRED:
        theirs = mapping[ours]
        if theirs not in header:
            found = ", ".join(repr(h) for h in header)
            builder.problem(
                f"missing required column {theirs!r} for {ours} (the header has {found})", line=1
            )
