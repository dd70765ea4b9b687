"""Degenerate inputs give undefined results with a reason, never NaN or a crash."""

import json
import math

import pandas as pd
import pytest

from guidelines_app.domain.agreement import (
    cohen_kappa,
    compute_all,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    prepare,
)


def frame(rows):
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


EMPTY = frame([])
ONE_ANNOTATOR = frame([(1, "a", "x"), (2, "a", "y"), (3, "a", "x")])
ONE_RATING_PER_ITEM = frame([(1, "a", "x"), (2, "b", "y"), (3, "c", "x")])
ONE_CATEGORY = frame([(1, "a", "x"), (1, "b", "x"), (2, "a", "x"), (2, "b", "x")])


def assert_json_safe(report):
    text = json.dumps(report.to_dict(), allow_nan=False)
    assert "NaN" not in text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (EMPTY, "no ratings"),
        (ONE_ANNOTATOR, "no pairable items"),
        (ONE_RATING_PER_ITEM, "no pairable items"),
    ],
)
def test_every_coefficient_is_undefined_with_a_reason_when_nothing_is_pairable(data, reason):
    report = compute_all(data, bootstrap=20)
    for coefficient in report.coefficients.values():
        assert coefficient.value is None
        assert coefficient.ci_low is None and coefficient.ci_high is None
        assert coefficient.undefined_reason
    assert reason in report.coefficients["krippendorff_alpha_nominal"].undefined_reason
    assert_json_safe(report)


def test_empty_input_at_an_ordered_level_with_weights_is_undefined_not_an_error():
    report = compute_all(EMPTY, level="ordinal", weights="linear", bootstrap=10)
    assert report.coefficients["krippendorff_alpha_ordinal"].undefined_reason == "no ratings"
    assert report.coefficients["gwet_ac2"].value is None
    assert_json_safe(report)


def test_one_annotator_is_named_as_the_reason_for_pairwise_kappa():
    report = compute_all(ONE_ANNOTATOR, bootstrap=0)
    assert report.coefficients["cohen_kappa_mean_pairwise"].undefined_reason == (
        "only one annotator"
    )


def test_single_category_in_use_leaves_alpha_and_kappa_undefined_but_agreement_perfect():
    report = compute_all(ONE_CATEGORY, bootstrap=20)
    assert report.coefficients["percent_agreement"].value == 1.0
    for name in ("krippendorff_alpha_nominal", "fleiss_kappa", "cohen_kappa_mean_pairwise"):
        coefficient = report.coefficients[name]
        assert coefficient.value is None
        assert "single category" in coefficient.undefined_reason
    assert_json_safe(report)


def test_single_category_in_use_among_a_larger_domain_gives_ac1_of_one():
    # Gwet's AC1 counts chance over the whole domain, so it stays defined.
    ratings = prepare(ONE_CATEGORY, categories=["x", "y"])
    assert gwet_ac1(ratings).value == 1.0
    assert krippendorff_alpha(ratings).value is None


def test_a_domain_of_one_category_leaves_ac1_undefined():
    result = gwet_ac1(prepare(ONE_CATEGORY))
    assert result.value is None
    assert "fewer than two categories" in result.undefined_reason


def test_cohen_kappa_of_annotators_without_common_items_is_undefined():
    result = cohen_kappa(prepare(ONE_RATING_PER_ITEM), "a", "b")
    assert result.value is None
    assert result.undefined_reason == "the two annotators share no item"


def test_fleiss_kappa_counts_are_reported_even_when_undefined():
    result = fleiss_kappa(prepare(ONE_RATING_PER_ITEM))
    assert (result.n_items, result.n_annotators, result.n_annotations) == (3, 3, 3)
    assert result.n_pairable_items == 0


def test_missing_labels_are_dropped_before_anything_is_counted():
    data = frame([(1, "a", "x"), (1, "b", None), (2, "a", float("nan"))])
    ratings = prepare(data)
    assert (ratings.n_items, ratings.n_annotations) == (1, 1)


def test_undefined_coefficients_serialise_to_null_values():
    as_dict = compute_all(EMPTY, bootstrap=0).coefficients["gwet_ac1"].to_dict()
    assert as_dict["value"] is None
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in as_dict.values())
