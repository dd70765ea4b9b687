"""Coding the long table: categories, order, duplicates, gold rows."""

import pandas as pd
import pytest

from guidelines_app.domain.agreement import krippendorff_alpha, prepare
from guidelines_app.domain.agreement import ratings as ratings_module
from guidelines_app.domain.errors import InvalidInput

from .reference_data import KRIPPENDORFF_2011, from_annotator_rows


def test_categories_fix_the_domain_and_order_of_string_labels():
    data = pd.DataFrame(
        {
            "item": [1, 1, 2, 2],
            "annotator": ["a", "b", "a", "b"],
            "label": ["low", "mid", "high", "high"],
        }
    )
    ratings = prepare(data, categories=["low", "mid", "high", "extreme"])
    assert ratings.categories == ("low", "mid", "high", "extreme")
    assert ratings.counts.shape == (2, 4)
    assert list(ratings.values) == [0.0, 1.0, 2.0, 3.0]


def test_string_labels_ranked_by_categories_reproduce_the_numeric_ordinal_alpha():
    numeric = from_annotator_rows(KRIPPENDORFF_2011)
    names = {1.0: "one", 2.0: "two", 3.0: "three", 4.0: "four", 5.0: "five"}
    named = numeric.assign(label=numeric["label"].map(names))
    order = ["one", "two", "three", "four", "five"]
    expected = krippendorff_alpha(prepare(numeric), level="ordinal").value
    assert krippendorff_alpha(prepare(named, categories=order), level="ordinal").value == (
        pytest.approx(expected, abs=1e-12)
    )


def test_ordered_levels_refuse_string_labels_without_an_order():
    data = pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": ["x", "y"]})
    with pytest.raises(InvalidInput, match="ordered categories"):
        krippendorff_alpha(prepare(data), level="ordinal")


def test_labels_outside_the_categories_are_refused_with_each_unknown_label():
    data = pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": ["x", "z"]})
    with pytest.raises(InvalidInput) as caught:
        prepare(data, categories=["x", "y"])
    assert [p.message for p in caught.value.problems] == ["unknown label 'z'"]


def test_labelled_rows_without_item_or_annotator_are_refused():
    data = pd.DataFrame({"item": [1, 1, None], "annotator": ["a", None, "b"], "label": [1, 2, 3]})
    with pytest.raises(InvalidInput, match="2 labelled rows have no item or no annotator"):
        prepare(data)


def test_missing_columns_are_refused():
    with pytest.raises(InvalidInput, match="missing columns"):
        prepare(pd.DataFrame({"item": [1], "label": ["x"]}))


def test_a_repeated_rating_keeps_the_latest_by_created_at():
    data = pd.DataFrame(
        {
            "item": [1, 1, 1],
            "annotator": ["a", "a", "b"],
            "label": ["new", "old", "new"],
            "created_at": pd.to_datetime(["2024-02-01", "2024-01-01", "2024-01-15"]),
        }
    )
    ratings = prepare(data)
    assert ratings.duplicates_dropped == 1
    assert [ratings.categories[c] for c in ratings.label] == ["new", "new"]


def test_repeated_ratings_are_found_without_the_bitset_too(monkeypatch):
    monkeypatch.setattr(ratings_module, "_BITSET_LIMIT", 0)
    data = pd.DataFrame(
        {"item": [2, 1, 2, 1], "annotator": ["a", "a", "a", "b"], "label": ["x", "y", "z", "y"]}
    )
    ratings = prepare(data)
    assert ratings.duplicates_dropped == 1
    kept = {
        (ratings.item_ids[i], ratings.categories[c])
        for i, c in zip(ratings.item, ratings.label, strict=True)
    }
    assert kept == {(1, "y"), (2, "z")}


@pytest.mark.parametrize("chunk_bits", [4, 1 << 21])
def test_repeats_in_rows_grouped_by_item_are_found_slice_by_slice(monkeypatch, chunk_bits):
    # Items in order, checked a few items at a time: a repeat is found wherever it falls.
    monkeypatch.setattr(ratings_module, "_CHUNK_BITS", chunk_bits)
    rows = [(item, annotator, "x") for item in range(40) for annotator in ("a", "b", "c")]
    assert (
        prepare(pd.DataFrame(rows, columns=["item", "annotator", "label"])).duplicates_dropped == 0
    )
    for at in (0, 17, 39):
        repeated = [*rows[: 3 * at + 2], (at, "a", "y"), *rows[3 * at + 2 :]]
        frame = pd.DataFrame(repeated, columns=["item", "annotator", "label"])
        ratings = prepare(frame)
        assert ratings.duplicates_dropped == 1
        assert ratings.categories[ratings.label[3 * at]] == "y"  # the later row wins


def test_undated_rows_keep_their_order_without_sorting_the_table():
    frame = pd.DataFrame(
        {
            "item": [1, 1, 1],
            "annotator": ["a", "a", "b"],
            "label": ["old", "new", "new"],
            "created_at": pd.Series([pd.NaT] * 3, dtype="datetime64[ns, UTC]"),
        }
    )
    ratings = prepare(frame)
    assert ratings.duplicates_dropped == 1
    assert [ratings.categories[c] for c in ratings.label] == ["new", "new"]
    assert ratings_module._needs_time_order(frame["created_at"]) is False
    dated = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"]))
    assert ratings_module._needs_time_order(dated) is False  # already in time order
    assert ratings_module._needs_time_order(dated[::-1].reset_index(drop=True)) is True


def test_gold_rows_are_kept_apart_from_agreement():
    data = pd.DataFrame(
        {
            "item": [1, 1, 1],
            "annotator": ["a", "b", "expert"],
            "label": ["x", "y", "y"],
            "gold": [False, False, True],
        }
    )
    ratings = prepare(data)
    assert ratings.n_annotators == 2
    assert ratings.n_annotations == 2
    assert list(ratings.gold_label) == [ratings.categories.index("y")]
