"""The long table every reader fills: the same columns and types whether a column is
empty on every row (kept as a count) or not."""

import pandas as pd

from guidelines_app.domain.formats.annotations import COLUMNS, read_annotations
from guidelines_app.domain.formats.annotations.sparse import SparseColumn


def test_a_sparse_column_counts_defaults_until_the_first_other_value():
    column = SparseColumn(None)
    for value in (None, None):
        column.append(value)
    assert column.all_default and len(column) == 2 and list(column) == [None, None]
    column.append(5)
    column.append(None)
    assert not column.all_default
    assert list(column) == [None, None, 5, None] and column[2] == 5


def test_a_plain_csv_has_every_column_with_the_usual_types():
    result = read_annotations(b"item,annotator,label\n1,a,x\n1,b,y\n2,a,x\n", filename="t.csv")
    frame = result.annotations
    assert tuple(frame.columns) == COLUMNS
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["created_at"].isna().all()
    assert str(frame["start"].dtype) == "Int64" and frame["start"].isna().all()
    assert frame["span_text"].tolist() == [None] * 3
    assert frame["dimension"].tolist() == [""] * 3
    assert frame["gold"].dtype == bool and not frame["gold"].any()
    assert result.warnings[-1] == "read 3 annotation rows on 2 items by 2 annotators"


def test_values_after_empty_rows_are_kept_in_place():
    result = read_annotations(
        b"item,annotator,label,created_at,dimension\n"
        b"1,a,x,,\n1,b,y,2024-01-02T10:00:00Z,tone\n2,a,x,,\n",
        filename="t.csv",
    )
    frame = result.annotations
    assert frame["created_at"].isna().tolist() == [True, False, True]
    assert frame["created_at"][1] == pd.Timestamp("2024-01-02T10:00:00Z")
    assert frame["dimension"].tolist() == ["", "tone", ""]


def test_repeated_annotations_are_counted_in_a_warning():
    result = read_annotations(
        b"item,annotator,label\n1,a,x\n1,a,y\n2,a,x\n", filename="t.csv", format="csv"
    )
    assert any("1 (item, annotator, dimension) combinations" in w for w in result.warnings)
