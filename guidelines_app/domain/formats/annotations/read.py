"""``read_annotations``: any supported file to one long table, or every problem found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from guidelines_app.domain.errors import InvalidInput, Problem

from .decode import DEFAULT_MAX_BYTES, decode_text, read_input
from .detect import detect_format
from .registry import AnnotationFormat, ReadOptions, annotation_format
from .strict_json import MAX_LINE_BYTES
from .table import AnnotationFile, TableBuilder, TooManyProblems, invalid


def read_annotations(
    data: bytes | IO[bytes],
    *,
    format: str = "auto",
    filename: str = "",
    columns: Mapping[str, str] | None = None,
    annotator: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> AnnotationFile:
    """Read an annotation file; raises InvalidInput (422) or TooLarge (413), never half a table.

    ``format="auto"`` detects the format from the content. ``columns`` maps our names
    (item, annotator, label, created_at, gold, dimension, text) to the file's keys
    for CSV/TSV/JSONL, and ``{"label": "a,b"}`` names the control tags of a Label
    Studio JSON_MIN file. ``annotator`` names the annotator of a doccano file.
    ``max_bytes`` caps the file and its decompressed size; ``max_line_bytes`` caps
    one line of a JSON Lines or CSV/TSV file (a Label Studio export is often one line).
    """
    name = filename or "<input>"
    chosen = None if format == "auto" else _named(format, name)
    raw = read_input(data, filename=name, max_bytes=max_bytes)
    sha256 = raw.sha256
    text = decode_text(raw.data, filename=name)
    del raw
    if chosen is None:
        key = detect_format(text, filename=name, columns=columns, max_line_bytes=max_line_bytes)
        chosen = annotation_format(key)
    builder = TableBuilder(name)
    options = ReadOptions(columns=columns, annotator=annotator, max_line_bytes=max_line_bytes)
    try:
        chosen.read(text, builder, options)
        del text  # the rows are in the builder now: on a large file, memory for the table
        return builder.finish(chosen.key, sha256, collapse_dimension=chosen.collapse_dimension)
    except TooManyProblems:
        raise invalid(builder.filename, builder.problems) from None


def _named(format: str, filename: str) -> AnnotationFormat:
    """The format the caller named; InvalidInput about this file lists the keys there are."""
    try:
        return annotation_format(format)
    except InvalidInput as error:
        problems = [Problem(p.message, filename) for p in error.problems]
        raise InvalidInput(problems=problems) from None
