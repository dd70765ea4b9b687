"""Spreadsheet formula injection: labels are kept verbatim as data, neutralised on CSV export.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be run
as a formula by Excel, LibreOffice or Google Sheets. Prefixing a single quote makes
the spreadsheet show the text as typed (the OWASP "CSV injection" advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TextIO

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(
    rows: Iterable[Sequence[object]],
    out: TextIO | None = None,
    *,
    header: Sequence[str] | None = None,
    delimiter: str = ",",
) -> str:
    """Write rows with every cell neutralised; returns the text when ``out`` is None."""
    target = out if out is not None else io.StringIO()
    writer = csv.writer(target, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        writer.writerow([csv_safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe_cell(cell) for cell in row])
    return target.getvalue() if isinstance(target, io.StringIO) and out is None else ""
