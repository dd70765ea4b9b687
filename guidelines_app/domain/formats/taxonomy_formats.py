"""The one registry of taxonomy exchange formats.

Each entry carries everything a page, command, API endpoint or the OpenAPI document
says about a format: its key (the one spelling, ``labelstudio``), its title, the media
type and file name of an export, and its exporter ``(Taxonomy) -> str`` and, where the
format can be read back, its importer ``(text, *, name=None) -> Taxonomy``. Each
format module's docstring says which fields the format carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from guidelines_app.domain.formats.registry import find_format
from guidelines_app.domain.formats.taxonomy_csv import export_csv, import_csv, import_text
from guidelines_app.domain.formats.taxonomy_cvat import export_cvat, import_cvat
from guidelines_app.domain.formats.taxonomy_labelbox import export_labelbox, import_labelbox
from guidelines_app.domain.formats.taxonomy_labelstudio import (
    export_label_studio,
    import_label_studio,
)
from guidelines_app.domain.formats.taxonomy_prodigy import export_prodigy
from guidelines_app.domain.formats.taxonomy_skos import export_skos
from guidelines_app.domain.taxonomy_model import Taxonomy

Exporter = Callable[[Taxonomy], str]


class Importer(Protocol):
    """Reads a whole file into a taxonomy named ``name``, or raises InvalidInput."""

    def __call__(self, text: str, *, name: str | None = None) -> Taxonomy: ...


@dataclass(frozen=True)
class TaxonomyFormat:
    key: str
    title: str
    media_type: str
    extension: str
    exporter: Exporter | None = None
    importer: Importer | None = None
    #: Added to the slug in an export's file name (``topics-labels.txt``).
    filename_suffix: str = ""

    def filename(self, slug: str) -> str:
        return f"{slug}{self.filename_suffix}{self.extension}"

    def export(self, taxonomy: Taxonomy) -> str:
        if self.exporter is None:
            raise ValueError(f"{self.title} cannot be exported to")
        return self.exporter(taxonomy)

    def read(self, text: str, *, name: str | None = None) -> Taxonomy:
        if self.importer is None:
            raise ValueError(f"{self.title} cannot be imported from")
        return self.importer(text, name=name)


TAXONOMY_FORMATS: tuple[TaxonomyFormat, ...] = (
    TaxonomyFormat(
        "labelstudio",
        "Label Studio labeling config",
        "application/xml",
        ".xml",
        export_label_studio,
        import_label_studio,
    ),
    TaxonomyFormat(
        "labelbox",
        "Labelbox ontology",
        "application/json",
        ".json",
        export_labelbox,
        import_labelbox,
    ),
    TaxonomyFormat(
        "cvat",
        "CVAT labels",
        "application/json",
        ".json",
        export_cvat,
        import_cvat,
        filename_suffix="-labels",
    ),
    TaxonomyFormat(
        "prodigy",
        "Prodigy label list",
        "text/plain; charset=utf-8",
        ".txt",
        export_prodigy,
        filename_suffix="-labels",
    ),
    TaxonomyFormat("skos", "SKOS (Turtle)", "text/turtle; charset=utf-8", ".ttl", export_skos),
    TaxonomyFormat("csv", "CSV", "text/csv; charset=utf-8", ".csv", export_csv, import_csv),
    TaxonomyFormat(
        "text", "Plain text list", "text/plain; charset=utf-8", ".txt", importer=import_text
    ),
)

EXPORT_FORMATS: tuple[TaxonomyFormat, ...] = tuple(
    f for f in TAXONOMY_FORMATS if f.exporter is not None
)
IMPORT_FORMATS: tuple[TaxonomyFormat, ...] = tuple(
    f for f in TAXONOMY_FORMATS if f.importer is not None
)
EXPORT_KEYS: tuple[str, ...] = tuple(f.key for f in EXPORT_FORMATS)
IMPORT_KEYS: tuple[str, ...] = tuple(f.key for f in IMPORT_FORMATS)


def export_format(name: str) -> TaxonomyFormat:
    """The format ``?to=`` / ``--to`` names; InvalidInput lists the ones there are."""
    return find_format(EXPORT_FORMATS, name, path="to")


def import_format(name: str) -> TaxonomyFormat:
    """The format ``--from`` / the upload form names; InvalidInput lists the ones there are."""
    return find_format(IMPORT_FORMATS, name, path="from")
