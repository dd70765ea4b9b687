"""The weighted, vectorised forms equal the engine's point estimates."""

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement.compare_pairwise import combined, mean_kappa
from guidelines_app.domain.agreement.compare_stats import (
    COUNT_METRICS,
    Layout,
    item_features,
    label_values,
    metric_values,
)
from guidelines_app.domain.agreement.gwet import gwet_ac1
from guidelines_app.domain.agreement.kappa import fleiss_kappa, percent_agreement
from guidelines_app.domain.agreement.krippendorff import krippendorff_alpha
from guidelines_app.domain.agreement.pairs import rating_pairs
from guidelines_app.domain.agreement.pairwise import MIN_COMMON, mean_pairwise
from guidelines_app.domain.agreement.per_label import per_label_agreement
from guidelines_app.domain.agreement.ratings import prepare
from tests.unit.agreement_compare.factories import annotations

ENGINE = {
    "percent_agreement": percent_agreement,
    "fleiss_kappa": fleiss_kappa,
    "gwet_ac1": gwet_ac1,
    "krippendorff_alpha_nominal": lambda r: krippendorff_alpha(r, level="nominal"),
}


def unit_sums(ratings, level="nominal"):
    features = item_features(ratings.counts, ratings.values, level)
    return np.ones(ratings.n_items) @ features, features


def numeric_frame(seed=3, n=60):
    rng = np.random.default_rng(seed)
    rows = [
        (i, a, int(rng.integers(1, 6))) for i in range(n) for a in range(5) if rng.random() > 0.3
    ]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


@pytest.mark.parametrize("metric", COUNT_METRICS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_unit_weights_give_the_engines_point_estimate(metric, seed):
    frame = annotations(80, 0.6, seed=seed, per_item=4)
    frame = frame.sample(frac=0.85, random_state=seed)  # varying ratings per item
    ratings = prepare(frame)
    sums, _ = unit_sums(ratings)
    layout = Layout(ratings.n_categories, "nominal")
    ours = metric_values(sums[None, :], layout, ratings.values, metric)[0]
    assert ours == pytest.approx(ENGINE[metric](ratings).value, abs=1e-12)


@pytest.mark.parametrize("level", ["ordinal", "interval", "ratio"])
def test_unit_weights_give_the_engines_alpha_at_every_level(level):
    ratings = prepare(numeric_frame())
    sums, _ = unit_sums(ratings, level)
    layout = Layout(ratings.n_categories, level)
    ours = metric_values(sums[None, :], layout, ratings.values, f"krippendorff_alpha_{level}")
    assert ours[0] == pytest.approx(krippendorff_alpha(ratings, level=level).value, abs=1e-12)


def test_unit_weights_give_the_engines_per_label_figures():
    ratings = prepare(annotations(120, 0.5, seed=4, labels=5))
    sums, _ = unit_sums(ratings)
    specific, alpha = label_values(sums[None, :], Layout(ratings.n_categories, "nominal"))
    for k, entry in enumerate(per_label_agreement(ratings)):
        assert specific[0, k] == pytest.approx(entry.specific_agreement, abs=1e-12)
        assert alpha[0, k] == pytest.approx(entry.alpha_one_vs_rest, abs=1e-12)


@pytest.mark.parametrize("metric", [*COUNT_METRICS, "krippendorff_alpha_interval"])
def test_integer_weights_equal_the_engine_on_items_repeated_that_many_times(metric):
    frame = numeric_frame(seed=5, n=40)
    ratings = prepare(frame)
    level = "interval" if metric.endswith("interval") else "nominal"
    _, features = unit_sums(ratings, level)
    weights = np.random.default_rng(0).integers(0, 4, ratings.n_items)
    repeated = pd.concat(
        [
            frame[frame["item"] == item].assign(item=f"{item}-{copy}")
            for item, w in zip(ratings.item_ids, weights, strict=True)
            for copy in range(w)
        ],
        ignore_index=True,
    )
    expected = prepare(repeated, categories=ratings.categories)
    engine = ENGINE.get(metric) or (lambda r: krippendorff_alpha(r, level="interval"))
    layout = Layout(ratings.n_categories, level)
    ours = metric_values((weights @ features)[None, :], layout, ratings.values, metric)[0]
    assert ours == pytest.approx(engine(expected).value, abs=1e-12)


def test_a_resample_without_pairable_items_is_undefined_not_an_error():
    ratings = prepare(annotations(10, 0.5))
    features = item_features(ratings.counts, ratings.values, "nominal")
    layout = Layout(ratings.n_categories, "nominal")
    sums = np.zeros((1, features.shape[1]))
    for metric in COUNT_METRICS:
        assert np.isnan(metric_values(sums, layout, ratings.values, metric)[0])
    specific, alpha = label_values(sums, layout)
    assert np.isnan(specific).all() and np.isnan(alpha).all()


def test_gwet_ac1_is_undefined_with_a_single_category():
    frame = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": [1, 2, 1, 2], "label": ["x"] * 4})
    ratings = prepare(frame)
    sums, _ = unit_sums(ratings)
    value = metric_values(sums[None, :], Layout(1, "nominal"), ratings.values, "gwet_ac1")
    assert np.isnan(value[0])
    assert gwet_ac1(ratings).value is None


def test_unit_item_weights_give_the_engines_mean_pairwise_kappa_on_each_side():
    before = prepare(annotations(60, 0.5, seed=8, per_item=3), categories=["L0", "L1", "L2", "L3"])
    after = prepare(
        annotations(70, 0.8, seed=9, per_item=4, annotator_prefix="b", first_item=30),
        categories=["L0", "L1", "L2", "L3"],
    )
    pairs = rating_pairs(combined(before, after))
    on_before = np.r_[np.ones(before.n_items), np.zeros(after.n_items)]
    for weights, side in ((on_before, before), (1.0 - on_before, after)):
        ours = mean_kappa(pairs.tables(weights), MIN_COMMON)
        assert ours == pytest.approx(mean_pairwise(side).value, abs=1e-12)
