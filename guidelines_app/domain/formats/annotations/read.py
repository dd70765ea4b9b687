"""``read_annotations``: any supported file to one long table, or every problem found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from guidelines_app.domain.errors import InvalidInput, Problem

from .decode import DEFAULT_MAX_BYTES, decode_text, read_input
from .detect import FORMATS, detect_format
from .doccano import read_doccano
from .jsonl import read_jsonl
from .labelstudio import read_labelstudio
from .labelstudio_min import read_labelstudio_min
from .prodigy import read_prodigy
from .strict_json import MAX_LINE_BYTES
from .table import AnnotationFile, TableBuilder, TooManyProblems, invalid
from .tabular import read_tabular, sniff_delimiter


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
    if format != "auto" and format not in FORMATS:
        known = ", ".join(FORMATS)
        raise InvalidInput(problems=[Problem(f"unknown format {format!r} (known: {known})", name)])
    raw = read_input(data, filename=name, max_bytes=max_bytes)
    sha256 = raw.sha256
    text = decode_text(raw.data, filename=name)
    del raw
    if format == "auto":
        format = detect_format(text, filename=name, columns=columns, max_line_bytes=max_line_bytes)
    builder = TableBuilder(name)
    try:
        _dispatch(format, text, builder, columns, annotator, max_line_bytes)
        del text  # the rows are in the builder now: on a large file, memory for the table
        return builder.finish(format, sha256, collapse_dimension=format.startswith("labelstudio"))
    except TooManyProblems:
        raise invalid(builder.filename, builder.problems) from None


def _dispatch(
    format: str,
    text: str,
    builder: TableBuilder,
    columns: Mapping[str, str] | None,
    annotator: str,
    cap: int,
) -> None:
    if format == "csv":
        delimiter = sniff_delimiter(text)
        read_tabular(text, builder, delimiter=delimiter, columns=columns, max_line_bytes=cap)
    elif format == "tsv":
        read_tabular(text, builder, delimiter="\t", columns=columns, max_line_bytes=cap)
    elif format == "jsonl":
        read_jsonl(text, builder, columns=columns, max_line_bytes=cap)
    elif format == "labelstudio":
        read_labelstudio(text, builder)
    elif format == "labelstudio-min":
        read_labelstudio_min(text, builder, columns=columns)
    elif format == "prodigy":
        read_prodigy(text, builder, max_line_bytes=cap)
    else:
        read_doccano(text, builder, annotator=annotator, max_line_bytes=cap)
