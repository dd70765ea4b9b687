"""The vectorised bootstrap of the coefficients over annotator pairs, and the shared
preparation (profiles, count matrix) it and the other coefficients rely on."""

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement import (
    annotator_agreement,
    compute_all,
    conger_kappa,
    mean_pairwise,
    prepare,
)
from guidelines_app.domain.agreement import annotators as annotators_module
from guidelines_app.domain.agreement import pair_bootstrap as pair_bootstrap_module
from guidelines_app.domain.agreement.bootstrap import (
    item_weight_draws,
    percentile_interval,
    profiles_of,
)
from guidelines_app.domain.agreement.conger import _value
from guidelines_app.domain.agreement.gwet import profile_features
from guidelines_app.domain.agreement.pair_bootstrap import lane_bits, pair_bootstrap
from guidelines_app.domain.agreement.pairs import rating_pairs
from guidelines_app.domain.agreement.pairwise import (
    _mean_over_pairs,
    mean_pairwise_statistic,
)
from guidelines_app.domain.agreement.weights import weight_matrix


def ratings_with_gaps(seed=0, n_items=80, n_annotators=9, q=4, rate=0.45):
    """Items with 0 to n ratings (so singles and several sizes), a shared truth plus noise."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, n_items)
    rows = [
        (f"i{i}", f"a{a}", int(truth[i] if rng.random() < 0.6 else rng.integers(0, q)))
        for i in range(n_items)
        for a in range(n_annotators)
        if rng.random() < rate
    ]
    return prepare(pd.DataFrame(rows, columns=["item", "annotator", "label"]))


def loop_mean_pairwise(ratings, weights, scott, n_boot, seed):
    """The straightforward bootstrap: one resample at a time, tables recounted each time."""
    pairs = rating_pairs(ratings)
    w = weight_matrix(ratings, weights)
    return np.array(
        [
            _mean_over_pairs(pairs.tables(item_w), w, scott, 2)
            for item_w in item_weight_draws(ratings.n_items, n_boot, seed)
        ]
    )


def loop_conger(ratings, weights, n_boot, seed):
    w = weight_matrix(ratings, weights)
    profiles = profiles_of(ratings.counts)
    features = profile_features(profiles, w)
    item_pa = features[profiles.item_profile, 0]
    item_pairable = features[profiles.item_profile, 1]
    code = ratings.annotator.astype(np.int64) * ratings.n_categories + ratings.label
    return np.array(
        [
            _value(ratings, code, item_pa, item_pairable, w, item_w)
            for item_w in item_weight_draws(ratings.n_items, n_boot, seed)
        ]
    )


@pytest.mark.parametrize(("weights", "scott"), [(None, False), (None, True), ("quadratic", False)])
def test_vectorised_pairwise_bootstrap_equals_one_resample_at_a_time(weights, scott):
    ratings = ratings_with_gaps(seed=1)
    pairs = rating_pairs(ratings)
    statistic = mean_pairwise_statistic(weight_matrix(ratings, weights), scott, 2)
    vectorised = pair_bootstrap(pairs, [statistic], 120, seed=5)[:, 0]
    expected = loop_mean_pairwise(ratings, weights, scott, 120, seed=5)
    assert vectorised == pytest.approx(expected, abs=1e-12, nan_ok=True)
    result = mean_pairwise(ratings, weights=weights, scott=scott, bootstrap=120, seed=5)
    low, high = percentile_interval(expected)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize("weights", [None, "linear"])
def test_vectorised_conger_bootstrap_equals_one_resample_at_a_time(weights):
    ratings = ratings_with_gaps(seed=2)
    assert np.any(ratings.ratings_per_item == 1)  # items rated once count in the marginals
    result = conger_kappa(ratings, weights=weights, bootstrap=150, seed=9)
    expected = loop_conger(ratings, weights, 150, seed=9)
    low, high = percentile_interval(expected)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-12)


def test_conger_with_a_custom_matrix_off_one_on_the_diagonal_matches_the_loop():
    ratings = ratings_with_gaps(seed=3, q=3)
    w = np.array([[0.9, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 0.8]])
    result = conger_kappa(ratings, weights=w, bootstrap=80, seed=4)
    low, high = percentile_interval(loop_conger(ratings, w, 80, seed=4))
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-12)


def test_packing_several_resamples_per_bincount_is_exact_whatever_the_lane_width(monkeypatch):
    ratings = ratings_with_gaps(seed=4)
    pairs = rating_pairs(ratings)
    statistic = mean_pairwise_statistic(np.eye(ratings.n_categories), False, 2)
    packed = pair_bootstrap(pairs, [statistic], 64, seed=2)
    assert pair_bootstrap_module.FLOAT_BITS // lane_bits(pairs) > 1  # several lanes
    # A cap of 1 sends every block with an item drawn twice through the unpacked path.
    monkeypatch.setattr(pair_bootstrap_module, "WEIGHT_CAP", 1)
    unpacked = pair_bootstrap(pairs, [statistic], 64, seed=2)
    assert np.array_equal(packed, unpacked, equal_nan=True)


def test_resamples_do_not_depend_on_how_many_are_summed_together(monkeypatch):
    ratings = ratings_with_gaps(seed=5)
    pairs = rating_pairs(ratings)
    statistic = mean_pairwise_statistic(np.eye(ratings.n_categories), True, 2)
    together = pair_bootstrap(pairs, [statistic], 50, seed=8)
    monkeypatch.setattr(pair_bootstrap_module, "_BATCH_CELLS", 1)
    one_block_at_a_time = pair_bootstrap(pairs, [statistic], 50, seed=8)
    assert np.array_equal(together, one_block_at_a_time, equal_nan=True)


def test_compute_all_shares_one_pass_between_cohen_scott_and_conger():
    ratings = ratings_with_gaps(seed=6)
    report = compute_all(ratings, weights="linear", level="interval", bootstrap=90, seed=3)
    for key, weights, scott in [
        ("cohen_kappa_mean_pairwise", None, False),
        ("scott_pi_mean_pairwise", None, True),
        ("cohen_kappa_weighted_mean_pairwise", "linear", False),
    ]:
        low, high = percentile_interval(loop_mean_pairwise(ratings, weights, scott, 90, 3))
        found = report.coefficients[key]
        assert (found.ci_low, found.ci_high) == pytest.approx((low, high), abs=1e-12), key
    for key, weights in [("conger_kappa", None), ("conger_kappa_weighted", "linear")]:
        low, high = percentile_interval(loop_conger(ratings, weights, 90, 3))
        found = report.coefficients[key]
        assert (found.ci_low, found.ci_high) == pytest.approx((low, high), abs=1e-12), key


@pytest.mark.parametrize(
    ("n_annotators", "q", "built_from_counts"),
    [(9, 4, False), (300, 8, False), (9, 40, True)],  # radix: annotators + 1, max m + 1, none
)
def test_profiles_coded_from_the_ratings_equal_those_of_the_count_matrix(
    n_annotators, q, built_from_counts
):
    def make():
        return ratings_with_gaps(seed=7, n_annotators=n_annotators, q=q, rate=6 / n_annotators)

    ratings = make()
    from_counts = profiles_of(ratings.counts)
    fresh = make()
    direct = fresh.profiles  # coded from the ratings where a float holds every key
    assert ("counts" in fresh.__dict__) == built_from_counts
    assert np.array_equal(direct.rows, from_counts.rows)
    assert np.array_equal(direct.multiplicity, from_counts.multiplicity)
    assert np.array_equal(direct.item_profile, from_counts.item_profile)
    assert np.array_equal(fresh.counts, ratings.counts)  # now derived from the profiles


def test_alpha_without_each_annotator_grouped_by_count_vector_equals_recounting(monkeypatch):
    ratings = ratings_with_gaps(seed=8, n_annotators=6, rate=0.6)
    for level in ("nominal", "ordinal"):
        grouped = annotator_agreement(ratings, level=level)
        monkeypatch.setattr(annotators_module, "_DELTA_BINS", 0)
        recounted = annotator_agreement(ratings, level=level)
        monkeypatch.undo()
        for a, b in zip(grouped, recounted, strict=True):
            assert a.alpha_without == pytest.approx(b.alpha_without, abs=1e-12)
            assert a.agreement_with_rest == pytest.approx(b.agreement_with_rest, abs=1e-12)


def test_every_rating_is_counted_once_across_item_sizes_and_singles():
    ratings = ratings_with_gaps(seed=9)
    pairs = rating_pairs(ratings)
    m = ratings.ratings_per_item
    assert sorted(g.size for g in pairs.groups) == sorted(set(m[m >= 2].tolist()))
    assert len(pairs.single_items) == int((m == 1).sum())
    assert pairs.n_rating_pairs == int((m * (m - 1) // 2).sum())
