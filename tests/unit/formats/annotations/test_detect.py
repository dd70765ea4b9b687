import json
from pathlib import Path

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats.annotations import FORMATS, detect_format, read_annotations

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("labelstudio_export.json", "labelstudio"),
        ("labelstudio_min.json", "labelstudio-min"),
        ("prodigy_textcat.jsonl", "prodigy"),
        ("prodigy_mixed.jsonl", "prodigy"),
        ("alice.jsonl", "doccano"),
        ("annotations.csv", "csv"),
    ],
)
def test_fixtures_are_detected_by_content(name, expected):
    text = (DATA / name).read_text(encoding="utf-8")
    assert detect_format(text, filename="upload.bin") == expected


def test_formats_lists_every_reader():
    assert FORMATS == (
        "csv", "tsv", "jsonl", "labelstudio", "labelstudio-min", "prodigy", "doccano"
    )  # fmt: skip


def test_plain_jsonl_is_detected_by_its_keys():
    assert detect_format('{"item": 1, "annotator": "a", "label": "x"}\n') == "jsonl"


def test_mapped_jsonl_keys_are_detected():
    line = '{"doc": 1, "who": "a", "tag": "x"}\n'
    columns = {"item": "doc", "annotator": "who", "label": "tag"}
    assert detect_format(line, columns=columns) == "jsonl"


def test_tsv_extension_breaks_a_one_column_tie():
    assert detect_format("item\n", filename="a.tsv") == "tsv"


def test_format_argument_overrides_detection():
    data = b'{"id": 1, "text": "t", "label": ["a"]}\n'
    with pytest.raises(InvalidInput, match="missing key"):
        read_annotations(data, format="jsonl")


def test_unknown_format_name_is_an_error():
    with pytest.raises(InvalidInput, match="unknown format 'excel'"):
        read_annotations(b"item,annotator,label\n1,a,x\n", format="excel")


def test_json_array_of_unknown_objects_is_undetectable():
    with pytest.raises(InvalidInput, match=r"unknown annotation format.*'foo'"):
        read_annotations(json.dumps([{"foo": 1}]).encode())


def test_json_lines_of_unknown_objects_are_undetectable():
    with pytest.raises(InvalidInput, match="unknown annotation format"):
        read_annotations(b'{"foo": 1}\n')


def test_pretty_printed_single_object_is_undetectable():
    with pytest.raises(InvalidInput, match="JSON Lines expected"):
        read_annotations(b'{\n  "item": 1\n}\n')


def test_label_studio_tasks_one_per_line_get_a_hint():
    with pytest.raises(InvalidInput, match="export the project as JSON"):
        read_annotations(b'{"id": 1, "data": {}, "annotations": []}\n')
