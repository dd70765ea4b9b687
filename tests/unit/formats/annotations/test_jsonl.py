import pytest

from guidelines_app.domain.errors import InvalidInput, TooLarge
from guidelines_app.domain.formats.annotations import read_annotations


def problems_of(data, **kwargs):
    with pytest.raises(InvalidInput) as caught:
        read_annotations(data, **kwargs)
    return caught.value.problems


def test_jsonl_lines_become_rows_and_label_lists_several_rows():
    data = (
        b'{"item": "a", "annotator": "x", "label": "pos", "gold": true}\n'
        b"\n"
        b'{"item": 7, "annotator": 2, "label": ["pos", "neg"], "created_at": 1709287200}\n'
    )
    result = read_annotations(data, filename="f.jsonl")
    assert result.format == "jsonl"
    rows = result.annotations
    assert rows[["item", "annotator", "label", "gold"]].values.tolist() == [
        ["a", "x", "pos", True],
        ["7", "2", "pos", False],
        ["7", "2", "neg", False],
    ]
    assert str(rows["created_at"].iloc[1]) == "2024-03-01 10:00:00+00:00"


def test_jsonl_keys_can_be_mapped():
    data = b'{"doc": "a", "who": "x", "tag": "pos"}\n'
    columns = {"item": "doc", "annotator": "who", "label": "tag"}
    result = read_annotations(data, columns=columns)
    assert result.annotations[["item", "annotator", "label"]].values.tolist() == [["a", "x", "pos"]]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused_with_the_line(literal):
    data = (
        b'{"item": "a", "annotator": "x", "label": "p"}\n'
        + f'{{"item": "b", "annotator": "x", "label": "p", "score": {literal}}}\n'.encode()
    )
    (problem,) = problems_of(data, format="jsonl")
    assert problem.line == 2


def test_duplicate_keys_are_refused():
    data = b'{"item": "a", "annotator": "x", "label": "p", "label": "q"}\n'
    (problem,) = problems_of(data, format="jsonl")
    assert "duplicate key 'label'" in problem.message


def test_invalid_json_line_names_line_and_column():
    data = b'{"item": "a", "annotator": "x", "label": "p"}\n{"item": "b", oops}\n'
    (problem,) = problems_of(data, format="jsonl", filename="f.jsonl")
    assert (problem.line, problem.path) == (2, "f.jsonl")
    assert "column 15" in problem.message


def test_missing_keys_and_empty_values_are_errors():
    data = b'{"item": "a", "annotator": "x"}\n{"item": "", "annotator": "x", "label": "p"}\n'
    problems = problems_of(data, format="jsonl")
    assert [(p.line, p.message) for p in problems] == [
        (1, "missing key(s) 'label'"),
        (2, "item is empty"),
    ]


def test_a_line_over_the_cap_is_too_large_and_names_the_line():
    data = b'{"item": "a", "annotator": "x", "label": "p"}\n' + b'{"item": "' + b"x" * 200
    with pytest.raises(TooLarge, match=r"line 2"):
        read_annotations(data, format="jsonl", max_line_bytes=100)


def test_a_100_mib_line_is_refused_with_the_default_cap():
    line = b'{"item": "a", "annotator": "x", "label": "' + b"y" * (100 * 2**20) + b'"}\n'
    with pytest.raises(TooLarge, match=r"line 1"):
        read_annotations(line, format="jsonl")


def test_a_top_level_value_that_is_not_an_object_is_an_error():
    (problem,) = problems_of(b'{"item": "a", "annotator": "x", "label": "p"}\n[1, 2]\n')
    assert "expected a JSON object" in problem.message
