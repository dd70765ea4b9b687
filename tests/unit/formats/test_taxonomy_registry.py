"""The taxonomy format registry: one entry per format, every field of it lines up."""

from __future__ import annotations

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats import (
    EXPORT_FORMATS,
    EXPORT_KEYS,
    IMPORT_FORMATS,
    IMPORT_KEYS,
    TAXONOMY_FORMATS,
    export_format,
    import_format,
)
from guidelines_app.domain.taxonomy import Label, Taxonomy

SAMPLE = Taxonomy(
    name="Topics",
    labels=(Label("sport", "Sport", children=(Label("football", "Football"),)), Label("x", "X")),
)


def test_one_entry_per_key_and_every_entry_reads_or_writes():
    keys = [f.key for f in TAXONOMY_FORMATS]
    assert len(keys) == len(set(keys))
    assert EXPORT_KEYS == ("labelstudio", "labelbox", "cvat", "prodigy", "skos", "csv")
    assert IMPORT_KEYS == ("labelstudio", "labelbox", "cvat", "csv", "text")
    for fmt in TAXONOMY_FORMATS:
        assert fmt.exporter or fmt.importer
        assert fmt.extension.startswith(".") and "/" in fmt.media_type and fmt.title


@pytest.mark.parametrize("fmt", EXPORT_FORMATS, ids=lambda f: f.key)
def test_every_exporter_writes_text_naming_every_active_label(fmt):
    text = fmt.export(SAMPLE)
    assert isinstance(text, str)
    assert all(label.name in text for label in SAMPLE.active_labels())


@pytest.mark.parametrize(
    "fmt", [f for f in EXPORT_FORMATS if f.importer], ids=lambda f: f.key
)  # fmt: skip
def test_every_importable_export_reads_back_the_same_names(fmt):
    back = fmt.read(fmt.export(SAMPLE), name="Topics")
    assert [lab.name for lab in back.active_labels()] == ["Sport", "Football", "X"]


def test_export_file_names():
    assert export_format("labelstudio").filename("topics") == "topics.xml"
    assert export_format("prodigy").filename("topics") == "topics-labels.txt"


@pytest.mark.parametrize(
    "spelling", ["labelstudio", "label-studio", "Label_Studio", " LABELSTUDIO "]
)
def test_older_spellings_find_the_same_entry(spelling):
    assert export_format(spelling).key == "labelstudio"
    assert import_format(spelling).key == "labelstudio"


def test_an_unknown_or_one_way_format_lists_the_keys_there_are():
    with pytest.raises(InvalidInput) as raised:
        import_format("skos")  # written, never read back
    (problem,) = raised.value.problems
    assert problem.path == "from"
    assert problem.message == f"unknown format 'skos' (one of: {', '.join(IMPORT_KEYS)})"
    with pytest.raises(InvalidInput) as raised:
        export_format("text")
    assert raised.value.problems[0].path == "to"


def test_a_format_that_cannot_be_read_says_so_instead_of_calling_none():
    with pytest.raises(ValueError, match="cannot be imported"):
        export_format("skos").read("x")
    assert not any(f.importer is None for f in IMPORT_FORMATS)
