from pathlib import Path

import pandas as pd
import pytest

from guidelines_app.domain.errors import InvalidInput, TooLarge
from guidelines_app.domain.formats.annotations import read_annotations

DATA = Path(__file__).parent / "data"


def read_csv_fixture():
    path = DATA / "annotations.csv"
    return read_annotations(path.read_bytes(), filename=path.name, columns={"item": "item_id"})


def problems_of(data, **kwargs):
    with pytest.raises(InvalidInput) as caught:
        read_annotations(data, **kwargs)
    return caught.value.problems


def test_csv_with_mapped_item_column_is_read():
    result = read_csv_fixture()
    assert result.format == "csv"
    assert result.annotations[["item", "annotator"]].values.tolist() == [
        ["r-1", "alex"], ["r-1", "sam"], ["r-2", "alex"], ["r-2", "sam"]
    ]  # fmt: skip


def test_formula_like_labels_are_kept_verbatim():
    labels = read_csv_fixture().annotations["label"].tolist()
    assert labels[2] == '=HYPERLINK("http://x")'


def test_gold_values_are_read_as_booleans():
    assert read_csv_fixture().annotations["gold"].tolist() == [True, False, False, False]


def test_created_at_offsets_are_converted_to_utc_and_blank_is_nat():
    created = read_csv_fixture().annotations["created_at"]
    assert created.iloc[1] == pd.Timestamp("2024-03-01T09:00:00Z")
    assert pd.isna(created.iloc[2])
    assert created.iloc[3] == pd.Timestamp("2024-03-02T09:30:00Z")


def test_text_column_with_quoted_newlines_becomes_the_item_snapshot():
    assert read_csv_fixture().items["r-2"] == {"text": 'A "quoted", multi-line\nreview'}


def test_tsv_is_detected_from_tabs():
    result = read_annotations(b"item\tannotator\tlabel\n1\ta\tx,y\n", filename="f.txt")
    assert result.format == "tsv"
    assert result.annotations["label"].tolist() == ["x,y"]


def test_semicolon_delimiter_is_sniffed():
    result = read_annotations(b"item;annotator;label\n1;a;x\n")
    assert (result.format, result.annotations["label"].tolist()) == ("csv", ["x"])


def test_duplicate_header_is_an_error_naming_both_columns():
    (problem,) = problems_of(b"item,annotator,label,label\n1,a,x,y\n", filename="d.csv")
    assert problem.line == 1
    assert "duplicate column 'label' (columns 3, 4)" in problem.message
    assert problem.path == "d.csv"


def test_missing_required_column_is_an_error():
    (problem,) = problems_of(b"item,user,label\n1,a,x\n", filename="m.csv")
    assert "missing required column 'annotator'" in problem.message


def test_column_mapping_with_unknown_key_is_an_error():
    assert "unknown column mapping key 'labels'" in str(
        problems_of(b"item,annotator,label\n1,a,x\n", columns={"labels": "x"})[0]
    )


def test_empty_values_are_errors_with_their_lines():
    data = b"item,annotator,label\n1,a,x\n,a,x\n2, ,x\n3,b,\n"
    problems = problems_of(data, filename="e.csv")
    assert [(p.line, p.message) for p in problems] == [
        (3, "item is empty"),
        (4, "annotator is empty"),
        (5, "label is empty"),
    ]


def test_wrong_field_count_is_an_error_with_the_line():
    (problem,) = problems_of(b"item,annotator,label\n1,a,x\n2,b\n")
    assert (problem.line, problem.message) == (3, "expected 3 fields, found 2")


def test_line_numbers_count_quoted_newlines():
    data = b'item,annotator,label\n1,a,"multi\nline"\n2,b,\n'
    (problem,) = problems_of(data)
    assert problem.line == 4


def test_unparseable_gold_is_an_error():
    (problem,) = problems_of(b"item,annotator,label,gold\n1,a,x,maybe\n")
    assert "gold value 'maybe'" in problem.message


def test_unparseable_created_at_is_an_error_with_its_line():
    data = b"item,annotator,label,created_at\n1,a,x,2024-01-01\n2,a,x,yesterday\n"
    (problem,) = problems_of(data)
    assert (problem.line, "yesterday" in problem.message) == (3, True)


def test_every_problem_is_reported_not_just_the_first():
    data = b"item,annotator,label\n" + b",a,x\n" * 5
    assert len(problems_of(data)) == 5


def test_problems_stop_at_one_hundred():
    data = b"item,annotator,label\n" + b",a,x\n" * 500
    with pytest.raises(InvalidInput, match="stopped at the first 100"):
        read_annotations(data)


def test_dimension_column_is_read_when_present():
    data = b"item,annotator,label,dimension\n1,a,x,topic\n1,a,y,tone\n"
    assert read_annotations(data).annotations["dimension"].tolist() == ["topic", "tone"]


def test_crlf_line_endings_are_read():
    result = read_annotations(b"item,annotator,label\r\n1,a,x\r\n2,b,y\r\n")
    assert result.annotations["label"].tolist() == ["x", "y"]


def test_a_100_mib_line_is_too_large_and_names_the_line():
    data = b"item,annotator,label\n1,a," + b"y" * (100 * 2**20) + b"\n"
    with pytest.raises(TooLarge, match=r"\(line 2\)"):
        read_annotations(data, filename="huge.csv")
