"""Readers for annotation files from labeling tools, into one long pandas table.

``read_annotations(data, format="auto", ...)`` (or a key of ``ANNOTATION_FORMATS``)
returns an ``AnnotationFile`` whose ``annotations`` has one row per (item, annotator,
label) with the columns in ``COLUMNS``. Contract shared by every format (each module
documents its own mapping):

- the whole file is read or nothing is: any problem raises ``InvalidInput`` listing
  every problem (up to 100) with file, line and field; sizes raise ``TooLarge``;
- values are kept verbatim, formula-like labels included; export them with
  ``write_csv``, which neutralises spreadsheet formulas;
- ``created_at`` is UTC; times without an offset are taken as UTC;
- several annotations by one annotator on one item and dimension (a re-annotation,
  or a tool exporting duplicates) are all kept, with a warning counting them: which
  one counts is a policy for the caller, not something a reader should guess;
- ``warnings`` also counts what was skipped (cancelled, ignored, rejected...) and why.
"""

from .decode import DEFAULT_MAX_BYTES
from .detect import detect_format
from .read import read_annotations
from .registry import ANNOTATION_FORMATS, FORMATS, AnnotationFormat, annotation_format
from .safety import csv_safe_cell, write_csv
from .strict_json import MAX_LINE_BYTES
from .table import COLUMNS, AnnotationFile

__all__ = [
    "ANNOTATION_FORMATS",
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "MAX_LINE_BYTES",
    "AnnotationFile",
    "AnnotationFormat",
    "annotation_format",
    "csv_safe_cell",
    "detect_format",
    "read_annotations",
    "write_csv",
]
