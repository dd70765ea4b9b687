"""Comparing two releases: values, differences, intervals, p-values and verdicts."""

import json

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement import compare_pairwise
from guidelines_app.domain.agreement.compare import DEFAULT_METRICS, compare_releases
from guidelines_app.domain.agreement.compare_result import (
    IMPROVED,
    NO_CHANGE,
    UNDEFINED,
    WORSE,
    p_value,
    verdict,
)
from guidelines_app.domain.agreement.ratings import prepare
from guidelines_app.domain.agreement.report import compute_all
from guidelines_app.domain.errors import InvalidInput
from tests.unit.agreement_compare.factories import annotations, relabelled

FAST = {"n_boot": 300, "n_perm": 300}


def codes(result):
    return {n.code for n in result.notices}


def strict_json(result):
    return json.loads(json.dumps(result.to_dict(), allow_nan=False))


@pytest.fixture(scope="module")
def improved_paired():
    before = annotations(200, 0.45, seed=1)
    return compare_releases(before, relabelled(before, 0.85, seed=2), **FAST)


@pytest.fixture(scope="module")
def unchanged_unpaired():
    before = annotations(150, 0.6, seed=11)
    after = annotations(150, 0.6, seed=12, first_item=10_000)
    return compare_releases(before, after, **FAST)


def test_a_real_improvement_has_an_interval_above_zero_and_a_small_p_value(improved_paired):
    assert improved_paired.design == "paired"
    for metric in DEFAULT_METRICS:
        change = improved_paired.metric(metric)
        assert change.difference > 0.1, metric
        assert change.ci_low > 0, metric
        assert change.p_value < 0.01, metric
        assert change.verdict == IMPROVED


def test_a_real_improvement_is_found_unpaired_too():
    before = annotations(200, 0.45, seed=1)
    after = annotations(200, 0.85, seed=2, first_item=5_000)
    result = compare_releases(before, after, **FAST)
    assert result.design == "unpaired"
    assert "unpaired" in codes(result)
    for metric in DEFAULT_METRICS:
        change = result.metric(metric)
        assert change.ci_low > 0 and change.p_value < 0.01, metric


def test_a_decline_is_worse_not_improved():
    before = annotations(200, 0.85, seed=1)
    result = compare_releases(before, relabelled(before, 0.45, seed=2), **FAST)
    change = result.metric("krippendorff_alpha_nominal")
    assert change.ci_high < 0 and change.verdict == WORSE


def test_no_change_gives_an_interval_around_zero_and_says_so(unchanged_unpaired):
    for metric in DEFAULT_METRICS:
        change = unchanged_unpaired.metric(metric)
        assert change.ci_low < 0 < change.ci_high, metric
        assert change.p_value > 0.05, metric
        assert change.verdict == NO_CHANGE
    notice = next(n for n in unchanged_unpaired.notices if n.code == "no_measurable_change")
    assert "no measurable change" in notice.message
    assert set(notice.applies_to) == set(DEFAULT_METRICS)


def test_no_change_paired_gives_an_interval_around_zero():
    before = annotations(150, 0.6, seed=21)
    result = compare_releases(before, relabelled(before, 0.6, seed=22), **FAST)
    assert result.design == "paired"
    change = result.metric("krippendorff_alpha_nominal")
    assert change.ci_low < 0 < change.ci_high and change.verdict == NO_CHANGE


def test_each_sides_values_equal_the_engines_report_over_the_same_categories():
    before = annotations(80, 0.5, seed=3).sample(frac=0.9, random_state=1)
    after = annotations(90, 0.7, seed=4, first_item=50)
    result = compare_releases(before, after, n_boot=0, n_perm=0)
    cats = result.settings["categories"]
    for side, frame in (("before", before), ("after", after)):
        report = compute_all(frame, categories=cats, bootstrap=0).coefficients
        fleiss = next(v for k, v in report.items() if k.startswith("fleiss_kappa"))
        expected = {
            "percent_agreement": report["percent_agreement"].value,
            "krippendorff_alpha_nominal": report["krippendorff_alpha_nominal"].value,
            "fleiss_kappa": fleiss.value,
            "gwet_ac1": report["gwet_ac1"].value,
            "cohen_kappa_mean_pairwise": report["cohen_kappa_mean_pairwise"].value,
        }
        for metric, value in expected.items():
            assert getattr(result.metric(metric), side) == pytest.approx(value, abs=1e-12)


def test_without_resamples_differences_are_given_without_interval_or_verdict():
    before = annotations(60, 0.5, seed=3)
    result = compare_releases(before, relabelled(before, 0.7), n_boot=0, n_perm=0)
    change = result.metric("percent_agreement")
    assert change.difference == pytest.approx(change.after - change.before)
    assert change.ci_low is None and change.p_value is None and change.verdict == UNDEFINED
    assert "no bootstrap" in change.undefined_reason


def test_a_release_compared_with_itself_has_undefined_differences_and_says_why():
    frame = annotations(60, 0.6)
    result = compare_releases(frame, frame.sample(frac=1.0, random_state=3), **FAST)
    assert "same_annotations" in codes(result)
    for metric in DEFAULT_METRICS:
        change = result.metric(metric)
        assert change.before == change.after is not None
        assert change.difference is None and "compared with itself" in change.undefined_reason
    assert all(entry.specific_agreement.difference is None for entry in result.per_label)
    strict_json(result)


@pytest.mark.parametrize("side", ["before", "after"])
def test_an_empty_side_gives_undefined_figures_not_an_error(side):
    full = annotations(60, 0.6)
    empty = full.iloc[:0]
    before, after = (empty, full) if side == "before" else (full, empty)
    result = compare_releases(before, after, **FAST)
    assert "empty_side" in codes(result)
    for metric in DEFAULT_METRICS:
        change = result.metric(metric)
        assert change.difference is None and f"{side} side: no ratings" in change.undefined_reason
    data = strict_json(result)
    assert data["metrics"]["percent_agreement"]["difference"] is None


def test_a_single_annotator_per_item_gives_undefined_figures_and_the_reason():
    single = annotations(80, 0.6, per_item=1)
    result = compare_releases(single, annotations(80, 0.6, first_item=200), **FAST)
    assert "no_pairable_items" in codes(result)
    change = result.metric("krippendorff_alpha_nominal")
    assert change.before is None and change.difference is None
    assert "before side: no pairable items" in change.undefined_reason
    strict_json(result)


def test_both_sides_empty_is_still_a_result():
    empty = pd.DataFrame({"item": [], "annotator": [], "label": []})
    result = compare_releases(empty, empty, **FAST)
    assert all(m.change.difference is None for m in result.metrics)
    assert result.per_label == [] and result.confusion == []
    strict_json(result)


def test_fewer_than_fifty_items_on_a_side_is_stated():
    before = annotations(30, 0.6)
    result = compare_releases(before, annotations(80, 0.6, first_item=100), **FAST)
    notice = next(n for n in result.notices if n.code == "small_sample")
    assert "only 30 items on the before side" in notice.message
    assert "small_sample" not in codes(
        compare_releases(annotations(50, 0.6), annotations(50, 0.6, first_item=99), **FAST)
    )


def test_different_annotator_pools_are_stated_with_the_numbers():
    before = annotations(60, 0.6, annotators=6, annotator_prefix="old")
    after = annotations(60, 0.6, annotators=6, annotator_prefix="new", first_item=100)
    notice = next(
        n for n in compare_releases(before, after, **FAST).notices if n.code == "annotator_pools"
    )
    assert "0 of 12 annotators" in notice.message and "Jaccard 0.00" in notice.message
    same_pool = compare_releases(before, before.assign(item=before["item"] + 1000), **FAST)
    assert "annotator_pools" not in codes(same_pool)


def test_different_datasets_are_stated():
    before = annotations(60, 0.6).assign(dataset="tweets")
    after = annotations(60, 0.6, first_item=100).assign(dataset="reviews")
    notice = next(
        n for n in compare_releases(before, after, **FAST).notices if n.code == "datasets"
    )
    assert "tweets" in notice.message and "reviews" in notice.message


def test_a_changed_label_set_is_stated_and_points_at_the_labels():
    before = annotations(60, 0.6, labels=3)
    after = annotations(60, 0.6, labels=4, first_item=100)
    notice = next(
        n for n in compare_releases(before, after, **FAST).notices if n.code == "label_set"
    )
    assert "only after: L3" in notice.message and "L3" in notice.applies_to


def test_partly_shared_items_make_a_partly_paired_comparison_with_a_notice():
    result = compare_releases(annotations(80, 0.5), annotations(80, 0.8, first_item=40), **FAST)
    assert result.design == "partly paired" and result.n_shared_items == 40
    assert "partly_paired" in codes(result)
    assert "40 items were annotated under both releases" in result.design_reason


def test_a_paired_comparison_has_no_design_notice(improved_paired):
    assert not codes(improved_paired) & {"unpaired", "partly_paired"}
    assert "resampled together" in improved_paired.design_reason


def label_fix(n_items, noise, seed):
    """Items whose true label is L0 are given L1 instead with probability ``noise``;
    the other labels are always right."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, n_items)
    rows = []
    for i in range(n_items):
        for a in range(3):
            label = truth[i]
            if label == 0 and rng.random() < noise:
                label = 1
            elif label != 0 and rng.random() < 0.1:
                label = rng.integers(1, 4)
            rows.append((i, f"a{a}", f"L{label}"))
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def test_the_label_whose_confusion_was_fixed_improves_and_its_pair_shrinks_most():
    result = compare_releases(label_fix(300, 0.5, 1), label_fix(300, 0.0, 2), **FAST)
    assert result.label("L0").specific_agreement.verdict == IMPROVED
    assert result.label("L0").alpha_one_vs_rest.ci_low > 0
    assert result.label("L3").specific_agreement.verdict == NO_CHANGE
    first = result.confusion[0]
    assert {first.label_a, first.label_b} == {"L0", "L1"} and first.change < 0
    changes = [abs(c.change) for c in result.confusion]
    assert changes == sorted(changes, reverse=True)


def test_confusion_shares_sum_to_one_on_each_side(improved_paired):
    assert sum(c.share_before for c in improved_paired.confusion) == pytest.approx(1.0)
    assert sum(c.share_after for c in improved_paired.confusion) == pytest.approx(1.0)


def test_pairwise_kappa_beyond_the_budget_keeps_values_but_states_no_interval(monkeypatch):
    monkeypatch.setattr(compare_pairwise, "PAIR_BUDGET", 0)
    before = annotations(60, 0.5)
    result = compare_releases(before, relabelled(before, 0.8), **FAST)
    change = result.metric("cohen_kappa_mean_pairwise")
    assert change.difference == pytest.approx(change.after - change.before)
    assert change.ci_low is None and change.verdict == UNDEFINED
    assert "not_resampled" in codes(result)
    assert result.metric("percent_agreement").ci_low is not None


def test_to_dict_is_strict_json_holding_every_figure(improved_paired):
    data = strict_json(improved_paired)
    assert set(data["metrics"]) == set(DEFAULT_METRICS)
    alpha = data["metrics"]["krippendorff_alpha_nominal"]
    for key in ("before", "after", "difference", "ci_low", "ci_high", "p_value", "verdict"):
        assert alpha[key] is not None
    assert data["per_label"][0]["specific_agreement"]["ci_low"] is not None
    assert data["design"] == "paired" and data["settings"]["n_boot"] == FAST["n_boot"]
    assert data["before"]["n_items"] == 200


def test_a_level_adds_alpha_at_that_level_for_numeric_labels():
    rng = np.random.default_rng(0)

    def numeric(n, noise, first):
        truth = rng.integers(1, 6, n)
        return pd.DataFrame(
            [
                (first + i, a, int(np.clip(truth[i] + rng.integers(-noise, noise + 1), 1, 5)))
                for i in range(n)
                for a in range(3)
            ],
            columns=["item", "annotator", "label"],
        )

    before, after = numeric(80, 2, 0), numeric(80, 0, 500)
    result = compare_releases(before, after, level="interval", **FAST)
    change = result.metric("krippendorff_alpha_interval")
    expected = compute_all(after, level="interval", categories=[1, 2, 3, 4, 5], bootstrap=0)
    assert change.after == pytest.approx(expected.coefficients["krippendorff_alpha_interval"].value)
    assert change.verdict == IMPROVED


def test_an_order_is_never_invented_for_text_labels():
    with pytest.raises(InvalidInput, match="ordered categories"):
        compare_releases(annotations(20, 0.5), annotations(20, 0.5), level="ordinal")


def test_unknown_metrics_and_levels_are_refused():
    frame = annotations(20, 0.5)
    with pytest.raises(InvalidInput, match="unknown metrics"):
        compare_releases(frame, frame, metrics=("accuracy",))
    with pytest.raises(InvalidInput, match="level"):
        compare_releases(frame, frame, level="cardinal")


def test_prepared_ratings_are_accepted():
    before = annotations(60, 0.5)
    after = relabelled(before, 0.8)
    from_frames = compare_releases(before, after, **FAST)
    from_ratings = compare_releases(prepare(before), prepare(after), **FAST)
    for metric in DEFAULT_METRICS:
        assert from_ratings.metric(metric) == from_frames.metric(metric)


def test_verdicts_never_call_an_interval_through_zero_an_improvement():
    assert verdict(0.01, 0.2) == IMPROVED
    assert verdict(-0.2, -0.01) == WORSE
    assert verdict(-0.01, 0.2) == NO_CHANGE
    assert verdict(0.0, 0.2) == NO_CHANGE
    assert verdict(None, None) == UNDEFINED


def test_p_value_counts_the_observed_labelling_and_ignores_undefined_permutations():
    permuted = np.array([0.5, -0.5, 0.1, -0.05, np.nan])
    assert p_value(0.3, permuted) == pytest.approx((1 + 2) / (1 + 4))
    assert p_value(1.0, permuted) == pytest.approx(1 / 5)
    assert p_value(0.3, np.array([np.nan, np.nan, 0.1])) is None


def test_prepared_ratings_with_numeric_labels_keep_their_order():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        [(i, a, int(rng.integers(1, 4))) for i in range(40) for a in range(3)],
        columns=["item", "annotator", "label"],
    )
    other = frame.assign(item=frame["item"] + 100)
    result = compare_releases(prepare(frame), prepare(other), level="ordinal", **FAST)
    assert result.settings["categories"] == [1, 2, 3]
    assert result.metric("krippendorff_alpha_ordinal").before is not None


def test_no_resamples_requested_is_not_mistaken_for_the_budget():
    before = annotations(60, 0.5)
    result = compare_releases(before, relabelled(before, 0.8), n_boot=0, n_perm=0)
    assert "not_resampled" not in codes(result)
    assert result.metric("cohen_kappa_mean_pairwise").difference is not None


def test_the_unpaired_notice_reads_as_english():
    from guidelines_app.domain.agreement.compare_notices import comparison_notices

    before = pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": ["x", "x"]})
    after = pd.DataFrame({"item": [2, 2], "annotator": ["a", "b"], "label": ["x", "y"]})
    notices = comparison_notices(before, after, prepare(before), prepare(after), "unpaired")
    assert any(n.message.startswith("no item was annotated under both releases") for n in notices)
