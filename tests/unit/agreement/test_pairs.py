"""Rating pairs and per-pair tables, on both counting paths."""

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement import mean_pairwise, pair_confusion, prepare
from guidelines_app.domain.agreement import pairs as pairs_module
from guidelines_app.domain.agreement.pairs import rating_pairs

from .reference_data import GWET_4RATERS, from_annotator_rows


def random_ratings(seed=0, n_items=60, n_annotators=7, q=4):
    rng = np.random.default_rng(seed)
    rows = [
        (item, annotator, int(rng.integers(0, q)))
        for item in range(n_items)
        for annotator in range(n_annotators)
        if rng.random() < 0.5
    ]
    return prepare(pd.DataFrame(rows, columns=["item", "annotator", "label"]))


def test_every_pair_of_ratings_of_an_item_is_counted_once():
    ratings = random_ratings()
    m = ratings.ratings_per_item
    assert rating_pairs(ratings).n_rating_pairs == int((m * (m - 1) // 2).sum())


def test_pair_tables_equal_the_confusion_of_each_annotator_pair():
    ratings = random_ratings(seed=1)
    pairs = rating_pairs(ratings)
    for k, (a, b) in enumerate(zip(pairs.pair_a, pairs.pair_b, strict=True)):
        expected = pair_confusion(ratings, ratings.annotator_ids[a], ratings.annotator_ids[b])
        assert np.array_equal(pairs.tables()[k], expected.to_numpy())


def test_many_annotators_take_the_hashed_path_with_the_same_results(monkeypatch):
    ratings = random_ratings(seed=2)
    direct = mean_pairwise(ratings, bootstrap=50, seed=3)
    monkeypatch.setattr(pairs_module, "_DIRECT_BINS", 0)
    hashed_pairs = rating_pairs(ratings)
    assert np.array_equal(hashed_pairs.tables(), rating_pairs_direct_tables(ratings))
    hashed = mean_pairwise(ratings, bootstrap=50, seed=3, pairs=hashed_pairs)
    assert hashed.value == pytest.approx(direct.value, abs=1e-12)
    assert (hashed.ci_low, hashed.ci_high) == pytest.approx((direct.ci_low, direct.ci_high))


def rating_pairs_direct_tables(ratings):
    """Per-pair tables the slow way, from a wide items x annotators array."""
    q = ratings.n_categories
    tables = []
    wide = np.full((ratings.n_items, ratings.n_annotators), -1)
    wide[ratings.item, ratings.annotator] = ratings.label
    for a in range(ratings.n_annotators):
        for b in range(a + 1, ratings.n_annotators):
            both = (wide[:, a] >= 0) & (wide[:, b] >= 0)
            if both.any():
                table = np.zeros((q, q))
                np.add.at(table, (wide[both, a], wide[both, b]), 1)
                tables.append(table)
    return np.array(tables)


def test_mean_pairwise_skips_pairs_with_too_few_common_items():
    ratings = prepare(from_annotator_rows(GWET_4RATERS))
    every_pair = mean_pairwise(ratings, min_common=2).value
    assert mean_pairwise(ratings, min_common=9).value != every_pair  # only 9-item pairs
    none = mean_pairwise(ratings, min_common=100)
    assert none.value is None
    assert none.undefined_reason == "no annotator pair shares at least 100 items"
