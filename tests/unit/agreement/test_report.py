"""compute_all and the JSON shape of AgreementReport.to_dict()."""

import json

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement import (
    compute_all,
    gwet_ac1,
    krippendorff_alpha,
    pair_confusion,
    prepare,
)

from .reference_data import GWET_4RATERS, KRIPPENDORFF_2011, from_annotator_rows


@pytest.fixture(scope="module")
def report():
    return compute_all(
        from_annotator_rows(KRIPPENDORFF_2011), level="interval", weights="linear", bootstrap=300
    )


def test_report_holds_every_headline_coefficient_with_interval_and_counts(report):
    expected = {
        "percent_agreement",
        "cohen_kappa_mean_pairwise",
        "scott_pi_mean_pairwise",
        "fleiss_kappa",
        "conger_kappa",
        "brennan_prediger",
        "gwet_ac1",
        "krippendorff_alpha_nominal",
        "krippendorff_alpha_interval",
        "cohen_kappa_weighted_mean_pairwise",
        "fleiss_kappa_weighted",
        "conger_kappa_weighted",
        "gwet_ac2",
    }
    assert set(report.coefficients) == expected
    for coefficient in report.coefficients.values():
        assert coefficient.ci_low <= coefficient.value <= coefficient.ci_high
        assert (coefficient.n_items, coefficient.n_pairable_items) == (12, 11)


def test_report_serialises_to_strict_json_with_the_documented_keys(report):
    as_dict = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert set(as_dict) == {
        "schema", "level", "weights", "bootstrap", "categories", "counts", "coefficients",
        "per_label", "annotators", "gold", "coincidence", "pairwise_cohen_kappa",
        "pairwise_common_items",
    }  # fmt: skip
    assert as_dict["counts"]["items"] == 12
    assert as_dict["counts"]["annotations"] == 41
    assert as_dict["counts"]["pairable_items"] == 11
    alpha = as_dict["coefficients"]["krippendorff_alpha_interval"]
    assert alpha["value"] == pytest.approx(0.849, abs=5e-4)
    assert set(alpha) == {
        "name", "value", "undefined_reason", "ci_low", "ci_high", "se",
        "n_items", "n_annotators", "n_annotations", "n_pairable_items",
    }  # fmt: skip


def test_coincidence_matrix_sums_to_the_number_of_pairable_values(report):
    # Krippendorff (2011): n = 40 pairable values in the worked example.
    assert report.coincidence.to_numpy().sum() == pytest.approx(40)
    assert np.allclose(report.coincidence, report.coincidence.T)


def test_per_label_agreement_matches_hand_counts(report):
    by_label = {row.label: row for row in report.per_label}
    # Label 4: unit 7 (four 4s) and unit 6 (one 4 among 1, 2, 3, 4): 4*3 agreeing
    # ordered pairs out of 4*3 + 1*3 possible.
    assert by_label[4.0].specific_agreement == pytest.approx(12 / 15)
    assert by_label[4.0].n_annotations == 5
    assert -1 <= by_label[1.0].alpha_one_vs_rest <= 1


def test_one_vs_rest_alpha_equals_alpha_of_the_binarised_data():
    data = from_annotator_rows(KRIPPENDORFF_2011)
    report = compute_all(data, bootstrap=0)
    binary = data.assign(label=(data["label"] == 3.0).astype(int))
    expected = krippendorff_alpha(prepare(binary)).value
    by_label = {row.label: row for row in report.per_label}
    assert by_label[3.0].alpha_one_vs_rest == pytest.approx(expected, abs=1e-12)


def test_leave_one_out_alpha_equals_alpha_computed_without_that_annotator():
    data = from_annotator_rows(GWET_4RATERS)
    report = compute_all(data, bootstrap=0)
    for row in report.annotators:
        rest = prepare(data[data["annotator"] != row.annotator])
        assert row.alpha_without == pytest.approx(krippendorff_alpha(rest).value, abs=1e-12)


def test_agreement_with_rest_is_the_share_of_co_annotators_who_agree():
    data = pd.DataFrame(
        {"item": [1, 1, 1, 2, 2], "annotator": ["a", "b", "c", "a", "b"],
         "label": ["x", "x", "y", "y", "y"]}
    )  # fmt: skip
    by_annotator = {row.annotator: row for row in compute_all(data, bootstrap=0).annotators}
    assert by_annotator["a"].agreement_with_rest == pytest.approx((0.5 + 1.0) / 2)
    assert by_annotator["c"].agreement_with_rest == 0.0


def test_gold_accuracy_per_annotator_and_overall():
    data = pd.DataFrame(
        {"item": [1, 1, 2, 2, 1, 2], "annotator": ["a", "b", "a", "b", "g", "g"],
         "label": ["x", "y", "y", "y", "x", "y"], "gold": [0, 0, 0, 0, 1, 1]}
    )  # fmt: skip
    report = compute_all(data, bootstrap=0)
    by_annotator = {row.annotator: row for row in report.annotators}
    assert by_annotator["a"].gold_accuracy == 1.0
    assert by_annotator["b"].gold_accuracy == 0.5
    assert report.gold == {"n_gold_items": 2, "n_compared": 4, "accuracy": 0.75}


def test_pair_confusion_counts_common_items_with_rows_for_the_first_annotator():
    ratings = prepare(from_annotator_rows(GWET_4RATERS))
    table = pair_confusion(ratings, 0, 2)
    assert table.to_numpy().sum() == 8  # units 2 to 9 are rated by raters 1 and 3
    assert table.loc[1.0, 2.0] == 1  # unit 8: rater 1 said 1, rater 3 said 2


def test_pairwise_matrix_is_symmetric_with_common_item_counts(report):
    kappa = report.pairwise_kappa.to_numpy()
    assert np.allclose(kappa, kappa.T, equal_nan=True)
    assert report.pairwise_common_items.to_numpy()[0, 1] == 9


def test_bootstrap_is_reproducible_with_a_seed_and_varies_without():
    ratings = prepare(from_annotator_rows(KRIPPENDORFF_2011))
    first = krippendorff_alpha(ratings, bootstrap=200, seed=7)
    again = krippendorff_alpha(ratings, bootstrap=200, seed=7)
    other = krippendorff_alpha(ratings, bootstrap=200, seed=8)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)


def test_bootstrap_interval_narrows_as_items_multiply():
    small = from_annotator_rows(GWET_4RATERS)
    large = pd.concat([small.assign(item=small["item"] + 100 * k) for k in range(20)])
    narrow = gwet_ac1(prepare(large), bootstrap=500)
    wide = gwet_ac1(prepare(small), bootstrap=500)
    assert narrow.ci_high - narrow.ci_low < (wide.ci_high - wide.ci_low) / 2
    # The analytic standard error shrinks like 1/sqrt(n) too.
    assert narrow.se == pytest.approx(wide.se / np.sqrt(20), rel=0.1)


def test_bootstrap_interval_agrees_with_analytic_standard_error_on_many_items():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, 2000)
    rows = []
    for annotator in range(4):
        noisy = np.where(rng.random(2000) < 0.3, rng.integers(0, 4, 2000), truth)
        rows += [(i, annotator, v) for i, v in enumerate(noisy)]
    ratings = prepare(pd.DataFrame(rows, columns=["item", "annotator", "label"]))
    result = gwet_ac1(ratings, bootstrap=1000)
    assert (result.ci_high - result.ci_low) / (2 * 1.96) == pytest.approx(result.se, rel=0.15)


def test_documented_json_example_has_the_keys_to_dict_produces(report):
    from pathlib import Path

    text = Path(__file__).parents[3].joinpath("docs", "agreement.md").read_text()
    block = text.split("## JSON shape")[1].split("```json")[1].split("```")[0]
    documented = json.loads(block)
    produced = report.to_dict()
    assert set(documented) == set(produced)
    assert set(documented["counts"]) == set(produced["counts"])
    assert set(documented["per_label"][0]) == set(produced["per_label"][0])
    assert set(documented["annotators"][0]) == set(produced["annotators"][0])
    alpha = documented["coefficients"]["krippendorff_alpha_nominal"]
    assert set(alpha) == set(produced["coefficients"]["krippendorff_alpha_nominal"])


def test_per_label_intervals_bracket_their_values(report):
    with_interval = [row for row in report.per_label if row.alpha_ci_low is not None]
    assert with_interval
    for row in with_interval:
        assert row.alpha_ci_low <= row.alpha_one_vs_rest <= row.alpha_ci_high
        assert row.specific_ci_low <= row.specific_agreement <= row.specific_ci_high


def test_label_never_paired_has_no_alpha_and_no_interval():
    data = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": ["x", "x", "y"]})
    rows = {row.label: row for row in compute_all(data, bootstrap=50).per_label}
    assert rows["y"].alpha_one_vs_rest is None
    assert rows["y"].alpha_ci_low is None
    assert rows["y"].undefined_reason == "label never used on an item with two or more ratings"


def test_report_accepts_a_custom_weight_matrix():
    w = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])
    data = from_annotator_rows([[1, 2, 3, 1, 2], [1, 2, 2, 1, 3], [1, 3, 3, 1, 2]])
    report = compute_all(data, weights=w, bootstrap=20)
    assert report.weights == "custom"
    assert report.coefficients["cohen_kappa_weighted_mean_pairwise"].value is not None
    linear = compute_all(data, weights="linear", bootstrap=0)
    for key in ("gwet_ac2", "fleiss_kappa_weighted", "conger_kappa_weighted"):
        assert report.coefficients[key].value == pytest.approx(linear.coefficients[key].value)


def test_profile_bootstrap_matches_resampling_items_one_by_one():
    # Drawing profile multiplicities from a multinomial is the same distribution as
    # drawing items with replacement: compare with the krippendorff package run on
    # explicitly resampled items.
    import krippendorff

    rng = np.random.default_rng(11)
    truth = rng.integers(0, 3, 300)
    rows = [
        (i, a, int(truth[i] if rng.random() < 0.7 else rng.integers(0, 3)))
        for i in range(300)
        for a in range(4)
        if rng.random() < 0.8
    ]
    ratings = prepare(pd.DataFrame(rows, columns=["item", "annotator", "label"]))
    ours = krippendorff_alpha(ratings, bootstrap=2000, seed=1)
    counts = ratings.counts
    naive = [
        krippendorff.alpha(
            value_counts=counts[rng.integers(0, len(counts), len(counts))],
            level_of_measurement="nominal",
        )
        for _ in range(2000)
    ]
    low, high = np.percentile(naive, [2.5, 97.5])
    assert ours.ci_low == pytest.approx(low, abs=0.015)
    assert ours.ci_high == pytest.approx(high, abs=0.015)


def test_json_floats_carry_no_float_noise(report):
    # Krippendorff (2011): o_11 = 7 (unit 1: three 1s; units 8 and 11 add the rest).
    assert report.to_dict()["coincidence"]["matrix"][0][0] == 7.0
