"""Exchange formats: taxonomy formats (``TAXONOMY_FORMATS``) and, in ``annotations``,
the annotation readers (``ANNOTATION_FORMATS``). Each kind is one registry whose
entries carry a key (its one spelling), a title and the functions that read or write it.
"""

from __future__ import annotations

from guidelines_app.domain.formats.registry import find_format, plain_name
from guidelines_app.domain.formats.taxonomy_csv import export_csv, import_csv, import_text
from guidelines_app.domain.formats.taxonomy_cvat import export_cvat, import_cvat
from guidelines_app.domain.formats.taxonomy_formats import (
    EXPORT_FORMATS,
    EXPORT_KEYS,
    IMPORT_FORMATS,
    IMPORT_KEYS,
    TAXONOMY_FORMATS,
    TaxonomyFormat,
    export_format,
    import_format,
)
from guidelines_app.domain.formats.taxonomy_labelbox import export_labelbox, import_labelbox
from guidelines_app.domain.formats.taxonomy_labelstudio import (
    export_label_studio,
    import_label_studio,
)
from guidelines_app.domain.formats.taxonomy_prodigy import export_prodigy, prodigy_label_argument
from guidelines_app.domain.formats.taxonomy_skos import export_skos

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_KEYS",
    "IMPORT_FORMATS",
    "IMPORT_KEYS",
    "TAXONOMY_FORMATS",
    "TaxonomyFormat",
    "export_csv",
    "export_cvat",
    "export_format",
    "export_label_studio",
    "export_labelbox",
    "export_prodigy",
    "export_skos",
    "find_format",
    "import_csv",
    "import_cvat",
    "import_format",
    "import_label_studio",
    "import_labelbox",
    "import_text",
    "plain_name",
    "prodigy_label_argument",
]
