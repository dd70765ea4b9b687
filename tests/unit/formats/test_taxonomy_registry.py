"""The format registry: every exporter, importer, media type and extension lines up."""

from __future__ import annotations

import pytest

from guidelines_app.domain.formats import (
    EXPORTERS,
    FILE_EXTENSIONS,
    IMPORTERS,
    MEDIA_TYPES,
    export_filename,
)
from guidelines_app.domain.taxonomy import Label, Taxonomy

SAMPLE = Taxonomy(
    name="Topics",
    labels=(Label("sport", "Sport", children=(Label("football", "Football"),)), Label("x", "X")),
)


def test_every_format_has_a_media_type_and_an_extension():
    for fmt in {*EXPORTERS, *IMPORTERS}:
        assert fmt in MEDIA_TYPES
        assert FILE_EXTENSIONS[fmt].startswith(".")


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_every_exporter_writes_text_naming_every_active_label(fmt):
    text = EXPORTERS[fmt](SAMPLE)
    assert isinstance(text, str)
    assert all(label.name in text for label in SAMPLE.active_labels())


@pytest.mark.parametrize("fmt", sorted(set(EXPORTERS) & set(IMPORTERS)))
def test_every_importable_export_reads_back_the_same_names(fmt):
    back = IMPORTERS[fmt](EXPORTERS[fmt](SAMPLE), name="Topics")
    assert [lab.name for lab in back.active_labels()] == ["Sport", "Football", "X"]


def test_export_filename():
    assert export_filename("topics", "label-studio") == "topics.xml"
    assert export_filename("topics", "prodigy") == "topics-labels.txt"
