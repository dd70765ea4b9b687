"""Exchange formats for taxonomies (and, beside them, annotation formats).

The registry maps a format key to its exporter ``(Taxonomy) -> str`` and, where the
format can be read back, its importer ``(text, *, name=None) -> Taxonomy``. Each
module's docstring says which fields the format carries.
"""

from __future__ import annotations

from collections.abc import Callable

from guidelines_app.domain.formats.taxonomy_csv import export_csv, import_csv, import_text
from guidelines_app.domain.formats.taxonomy_cvat import export_cvat, import_cvat
from guidelines_app.domain.formats.taxonomy_labelbox import export_labelbox, import_labelbox
from guidelines_app.domain.formats.taxonomy_labelstudio import (
    export_label_studio,
    import_label_studio,
)
from guidelines_app.domain.formats.taxonomy_prodigy import export_prodigy, prodigy_label_argument
from guidelines_app.domain.formats.taxonomy_skos import export_skos
from guidelines_app.domain.taxonomy_model import Taxonomy

EXPORTERS: dict[str, Callable[[Taxonomy], str]] = {
    "label-studio": export_label_studio,
    "labelbox": export_labelbox,
    "cvat": export_cvat,
    "prodigy": export_prodigy,
    "skos": export_skos,
    "csv": export_csv,
}

IMPORTERS: dict[str, Callable[..., Taxonomy]] = {
    "label-studio": import_label_studio,
    "labelbox": import_labelbox,
    "cvat": import_cvat,
    "csv": import_csv,
    "text": import_text,
}

MEDIA_TYPES: dict[str, str] = {
    "label-studio": "application/xml",
    "labelbox": "application/json",
    "cvat": "application/json",
    "prodigy": "text/plain; charset=utf-8",
    "skos": "text/turtle; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}

FILE_EXTENSIONS: dict[str, str] = {
    "label-studio": ".xml",
    "labelbox": ".json",
    "cvat": ".json",
    "prodigy": ".txt",
    "skos": ".ttl",
    "csv": ".csv",
    "text": ".txt",
}

TITLES: dict[str, str] = {
    "label-studio": "Label Studio labeling config",
    "labelbox": "Labelbox ontology",
    "cvat": "CVAT labels",
    "prodigy": "Prodigy label list",
    "skos": "SKOS (Turtle)",
    "csv": "CSV",
    "text": "Plain text list",
}


def export_filename(slug: str, fmt: str) -> str:
    suffix = "-labels" if fmt in ("prodigy", "cvat") else ""
    return f"{slug}{suffix}{FILE_EXTENSIONS[fmt]}"


__all__ = [
    "EXPORTERS",
    "FILE_EXTENSIONS",
    "IMPORTERS",
    "MEDIA_TYPES",
    "TITLES",
    "export_csv",
    "export_cvat",
    "export_filename",
    "export_label_studio",
    "export_labelbox",
    "export_prodigy",
    "export_skos",
    "import_csv",
    "import_cvat",
    "import_label_studio",
    "import_labelbox",
    "import_text",
    "prodigy_label_argument",
]
