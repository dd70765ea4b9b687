"""The one registry of annotation file formats: key, title and reader of each.

``read_annotations`` and format detection name formats by these keys; the upload page,
``guidelines annotations import --format`` and ``guidelines agreement --format`` offer
exactly these, and a batch's ``source_format`` is one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from guidelines_app.domain.formats.registry import find_format

from .doccano import read_doccano
from .jsonl import read_jsonl
from .labelstudio import read_labelstudio
from .labelstudio_min import read_labelstudio_min
from .prodigy import read_prodigy
from .table import TableBuilder
from .tabular import read_tabular, sniff_delimiter


@dataclass(frozen=True)
class ReadOptions:
    """What the caller said about the file; each reader uses the part it understands."""

    columns: Mapping[str, str] | None = None
    annotator: str = ""
    max_line_bytes: int = 0


Reader = Callable[[str, TableBuilder, ReadOptions], None]


@dataclass(frozen=True)
class AnnotationFormat:
    key: str
    title: str
    read: Reader
    #: One control tag in the whole file means one dimension: the column stays empty.
    collapse_dimension: bool = False


def _csv(text: str, builder: TableBuilder, options: ReadOptions) -> None:
    read_tabular(
        text,
        builder,
        delimiter=sniff_delimiter(text),
        columns=options.columns,
        max_line_bytes=options.max_line_bytes,
    )


def _tsv(text: str, builder: TableBuilder, options: ReadOptions) -> None:
    read_tabular(
        text,
        builder,
        delimiter="\t",
        columns=options.columns,
        max_line_bytes=options.max_line_bytes,
    )


def _jsonl(text: str, builder: TableBuilder, options: ReadOptions) -> None:
    read_jsonl(text, builder, columns=options.columns, max_line_bytes=options.max_line_bytes)


def _labelstudio(text: str, builder: TableBuilder, options: ReadOptions) -> None:
    read_labelstudio(text, builder)


def _labelstudio_min(text: str, builder: TableBuilder, options: ReadOptions) -> None:
    read_labelstudio_min(text, builder, columns=options.columns)


def _prodigy(text: str, builder: TableBuilder, options: ReadOptions) -> None:
    read_prodigy(text, builder, max_line_bytes=options.max_line_bytes)


def _doccano(text: str, builder: TableBuilder, options: ReadOptions) -> None:
    read_doccano(text, builder, annotator=options.annotator, max_line_bytes=options.max_line_bytes)


ANNOTATION_FORMATS: tuple[AnnotationFormat, ...] = (
    AnnotationFormat("csv", "CSV (item, annotator, label)", _csv),
    AnnotationFormat("tsv", "TSV (item, annotator, label)", _tsv),
    AnnotationFormat("jsonl", "JSON Lines (item, annotator, label)", _jsonl),
    AnnotationFormat("labelstudio", "Label Studio JSON export", _labelstudio, True),
    AnnotationFormat("labelstudio-min", "Label Studio JSON_MIN export", _labelstudio_min, True),
    AnnotationFormat("prodigy", "Prodigy JSONL (db-out)", _prodigy),
    AnnotationFormat("doccano", "doccano JSONL export", _doccano),
)

#: The keys, in the order the registry lists them.
FORMATS: tuple[str, ...] = tuple(f.key for f in ANNOTATION_FORMATS)


def annotation_format(name: str) -> AnnotationFormat:
    """The format ``name`` spells (``label-studio`` finds ``labelstudio``), or InvalidInput."""
    return find_format(ANNOTATION_FORMATS, name)
