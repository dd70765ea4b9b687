"""Multi-label annotations and text spans."""

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement import krippendorff_alpha, prepare
from guidelines_app.domain.agreement.multilabel import multilabel_agreement
from guidelines_app.domain.agreement.spans import span_f1, token_alpha
from guidelines_app.domain.errors import InvalidInput

MULTILABEL = pd.DataFrame(
    {
        "item": [1, 1, 2, 2, 3, 3],
        "annotator": ["a", "b", "a", "b", "a", "b"],
        "labels": [["x", "y"], ["x"], ["y"], ["y"], [], ["x"]],
    }
)


def test_multilabel_agreement_equals_alpha_of_each_binarised_label():
    by_label = {row.label: row for row in multilabel_agreement(MULTILABEL)}
    binary_x = MULTILABEL.assign(label=[True, True, False, False, False, True])
    expected = krippendorff_alpha(prepare(binary_x[["item", "annotator", "label"]])).value
    assert by_label["x"].alpha.value == pytest.approx(expected, abs=1e-12)
    assert by_label["x"].n_positive == 3
    assert by_label["y"].percent_agreement.value == pytest.approx(2 / 3)


def test_multilabel_unused_category_is_reported_as_undefined_not_nan():
    rows = multilabel_agreement(MULTILABEL, categories=["x", "y", "z"])
    z = rows[2].to_dict()
    assert z["n_positive"] == 0
    assert z["krippendorff_alpha_nominal"]["value"] is None
    assert z["percent_agreement"]["value"] == 1.0


def test_multilabel_refuses_labels_outside_the_categories():
    with pytest.raises(InvalidInput):
        multilabel_agreement(MULTILABEL, categories=["x"])


SPANS = pd.DataFrame(
    [
        (1, "a", 0, 5, "PER"),
        (1, "b", 0, 5, "PER"),
        (1, "a", 10, 14, "ORG"),
        (1, "b", 11, 14, "ORG"),
        (2, "a", 3, 6, "PER"),
    ],
    columns=["item", "annotator", "start", "end", "label"],
)


def test_exact_span_f1_counts_only_identical_spans():
    # a: 3 spans, b: 2 spans, 1 identical -> P = 1/3, R = 1/2, F1 = 0.4.
    assert span_f1(SPANS, mode="exact").value == pytest.approx(0.4)


def test_overlap_span_f1_accepts_overlapping_spans_of_the_same_label():
    # a's first two spans overlap b's; a's item-2 span does not: P = 2/3, R = 1.
    assert span_f1(SPANS, mode="overlap").value == pytest.approx(0.8)


def test_overlap_does_not_match_spans_of_different_labels():
    relabelled = SPANS.assign(label=["PER", "LOC", "ORG", "ORG", "PER"])
    assert span_f1(relabelled, mode="overlap").value < span_f1(SPANS, mode="overlap").value


def test_span_f1_with_one_annotator_is_undefined():
    result = span_f1(SPANS[SPANS["annotator"] == "a"])
    assert result.value is None
    assert result.undefined_reason == "only one annotator"


def test_token_alpha_of_identical_spans_is_one():
    same = pd.concat([SPANS[SPANS["annotator"] == "a"].assign(annotator=n) for n in "ab"])
    assert token_alpha(same, lengths={1: 20, 2: 10}).value == pytest.approx(1.0)


def test_token_alpha_equals_alpha_over_hand_built_token_units():
    result = token_alpha(SPANS, lengths={1: 15, 2: 8})
    rows = []
    for item, length in ((1, 15), (2, 8)):
        for annotator in "ab":
            mine = SPANS[(SPANS["item"] == item) & (SPANS["annotator"] == annotator)]
            for position in range(length):
                label = "O"
                for span in mine.itertuples():
                    if span.start <= position < span.end:
                        label = span.label
                rows.append((f"{item}-{position}", annotator, label))
    expected = krippendorff_alpha(
        prepare(pd.DataFrame(rows, columns=["item", "annotator", "label"]))
    )
    assert result.name == "span_token_alpha_nominal"
    assert result.value == pytest.approx(expected.value, abs=1e-12)


def test_labels_outside_the_categories_are_named_as_plain_values():
    frame = pd.DataFrame(
        {
            "item": [1, 1, 2, 2],
            "annotator": ["a", "b", "a", "b"],
            "labels": [np.array([1, 2]), np.array([2]), np.array([3]), np.array([1])],
        }
    )
    with pytest.raises(InvalidInput, match=r"categories: \[3\]$"):
        multilabel_agreement(frame, categories=[1, 2])


def test_unknown_labels_of_mixed_types_are_refused_as_invalid_input():
    frame = pd.DataFrame(
        {"item": [1, 2], "annotator": ["a", "a"], "labels": [[1, "x"], ["y", 2]]},
    )
    with pytest.raises(InvalidInput, match=r"categories: \[1, 2, 'x', 'y'\]$"):
        multilabel_agreement(frame, categories=["z"])
