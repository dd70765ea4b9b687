import csv
import io

import pytest

from guidelines_app.domain.formats.annotations import csv_safe_cell, read_annotations, write_csv


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_prefixes_get_a_quote(value):
    assert csv_safe_cell(value) == "'" + value


@pytest.mark.parametrize(("value", "expected"), [("positive", "positive"), (None, ""), (3, "3")])
def test_other_values_are_plain_text(value, expected):
    assert csv_safe_cell(value) == expected


def test_write_csv_neutralises_header_and_cells_and_quotes_properly():
    text = write_csv([["r1", '=HYPERLINK("x")', 'a "b", c']], header=["item", "=label", "note"])
    assert list(csv.reader(io.StringIO(text))) == [
        ["item", "'=label", "note"],
        ["r1", '\'=HYPERLINK("x")', 'a "b", c'],
    ]


def test_write_csv_to_a_file_object():
    out = io.StringIO()
    assert write_csv([["@x"]], out) == ""
    assert out.getvalue() == "'@x\n"


def test_labels_read_verbatim_are_neutralised_on_export():
    rows = read_annotations(b"item,annotator,label\n1,a,=cmd|' /C calc'!A0\n").annotations
    text = write_csv(rows[["item", "annotator", "label"]].itertuples(index=False))
    assert text.splitlines() == ["1,a,'=cmd|' /C calc'!A0"]
