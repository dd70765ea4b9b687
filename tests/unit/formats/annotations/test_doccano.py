from pathlib import Path

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats.annotations import read_annotations

DATA = Path(__file__).parent / "data"


def test_doccano_annotator_comes_from_the_file_name():
    result = read_annotations((DATA / "alice.jsonl").read_bytes(), filename="exports/alice.jsonl")
    assert result.format == "doccano"
    assert set(result.annotations["annotator"]) == {"alice"}


def test_doccano_sequence_labels_are_spans_with_text():
    rows = read_annotations((DATA / "alice.jsonl").read_bytes(), filename="alice.jsonl").annotations
    assert rows[["item", "label", "start", "end", "span_text"]].values.tolist() == [
        ["1", "ORG", 0, 5, "Apple"],
        ["1", "PERSON", 12, 20, "Tim Cook"],
    ]


def test_doccano_annotator_argument_wins_over_the_file_name():
    data = b'{"id": 7, "text": "fine", "label": ["positive"]}\n'
    rows = read_annotations(data, filename="x.jsonl", annotator="bob").annotations
    assert rows[["item", "annotator", "label"]].values.tolist() == [["7", "bob", "positive"]]


def test_doccano_items_with_no_label_are_counted():
    result = read_annotations((DATA / "alice.jsonl").read_bytes(), filename="alice.jsonl")
    assert "skipped 1 items with no label" in result.warnings


def test_doccano_entities_objects_are_read():
    data = b'{"id": 1, "text": "Paris", "entities": [{"id": 3, "label": "LOC", "start_offset": 0, "end_offset": 5}]}\n'  # noqa: E501
    rows = read_annotations(data, filename="carol.jsonl").annotations
    assert rows[["label", "span_text"]].values.tolist() == [["LOC", "Paris"]]


def test_doccano_without_id_identifies_items_by_text_hash():
    data = b'{"text": "same text", "label": ["a"]}\n'
    first = read_annotations(data, filename="a.jsonl").annotations["item"].iloc[0]
    second = read_annotations(data, filename="b.jsonl").annotations["item"].iloc[0]
    assert first == second
    assert first.startswith("sha1:")


def test_doccano_without_annotator_or_filename_is_an_error():
    with pytest.raises(InvalidInput, match="annotator"):
        read_annotations(b'{"id": 1, "text": "t", "label": ["a"]}\n', format="doccano")


def test_doccano_bad_label_entry_is_an_error_naming_the_line():
    data = b'{"id": 1, "text": "t", "label": ["a"]}\n{"id": 2, "text": "t", "label": [[0, "x"]]}\n'
    with pytest.raises(InvalidInput) as caught:
        read_annotations(data, filename="dan.jsonl")
    assert caught.value.problems[0].line == 2
