"""The annotation format registry: each entry reads what detection sends it."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats.annotations import (
    ANNOTATION_FORMATS,
    FORMATS,
    annotation_format,
    detect_format,
    read_annotations,
)

DATA = Path(__file__).parent / "data"
FIXTURES = {
    "labelstudio_export.json": "labelstudio",
    "labelstudio_min.json": "labelstudio-min",
    "prodigy_textcat.jsonl": "prodigy",
    "alice.jsonl": "doccano",
}


def test_one_entry_per_key_each_with_a_title():
    assert tuple(f.key for f in ANNOTATION_FORMATS) == FORMATS
    assert len(set(FORMATS)) == len(FORMATS)
    assert all(f.title for f in ANNOTATION_FORMATS)


@pytest.mark.parametrize(("name", "key"), FIXTURES.items())
def test_naming_the_format_reads_what_detection_reads(name, key):
    data = (DATA / name).read_bytes()
    assert detect_format(data.decode("utf-8"), filename=name) == key
    named = read_annotations(data, format=key, filename=name)
    detected = read_annotations(data, filename=name)
    assert named.format == detected.format == key
    assert named.annotations.equals(detected.annotations)
    assert len(named.annotations) > 0


def test_older_spellings_find_the_same_reader():
    assert annotation_format("Label-Studio").key == "labelstudio"
    assert annotation_format("labelstudio_min").key == "labelstudio-min"
    data = (DATA / "labelstudio_export.json").read_bytes()
    assert read_annotations(data, format="label-studio").format == "labelstudio"


def test_an_unknown_format_names_the_file_and_the_keys_there_are():
    with pytest.raises(InvalidInput) as raised:
        read_annotations(b"item,annotator,label\n1,a,x\n", format="excel", filename="a.xlsx")
    (problem,) = raised.value.problems
    assert problem.path == "a.xlsx"
    assert problem.message == f"unknown format 'excel' (one of: {', '.join(FORMATS)})"
