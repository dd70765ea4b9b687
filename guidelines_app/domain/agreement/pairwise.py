"""Coefficients over pairs of annotators: Cohen's kappa, Scott's pi, and their means.

For one pair, only the items both annotators rated count. For many annotators, the
mean is over annotator pairs sharing at least ``min_common`` items whose coefficient
is defined (a pair that used a single category has no chance-corrected value).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.bootstrap import percentile_interval
from guidelines_app.domain.agreement.coefficients import (
    NO_PAIRABLE,
    NO_RATINGS,
    ONE_CATEGORY,
    Coefficient,
    chance_corrected,
    coefficient,
    counts_of,
    undefined,
)
from guidelines_app.domain.agreement.pair_bootstrap import (
    PairStatistic,
    PairSums,
    pair_bootstrap,
    table_marginals,
)
from guidelines_app.domain.agreement.pairs import RatingPairs, rating_pairs
from guidelines_app.domain.agreement.ratings import Ratings
from guidelines_app.domain.agreement.weights import weight_matrix, weight_name

MIN_COMMON = 2


def _marginals(tables: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = tables.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = tables.sum(axis=2) / n[:, None]
        cols = tables.sum(axis=1) / n[:, None]
    return n, rows, cols


def kappa_of_tables(tables: np.ndarray, w: np.ndarray, *, scott: bool = False) -> np.ndarray:
    """Cohen's kappa (or Scott's pi) of each (q x q) table; NaN where undefined."""
    n, rows, cols = _marginals(tables)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.einsum("pkl,kl->p", tables, w) / n
    if scott:
        pooled = (rows + cols) / 2.0
        expected = np.einsum("pk,kl,pl->p", pooled, w, pooled)
    else:
        expected = np.einsum("pk,kl,pl->p", rows, w, cols)
    return chance_corrected(observed, expected)


def cohen_standard_error(table: np.ndarray, w: np.ndarray, kappa: float) -> float | None:
    """Large-sample standard error of (weighted) kappa, Fleiss, Cohen & Everitt (1969)."""
    n = table.sum()
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    expected = rows @ w @ cols
    if n < 2 or np.isclose(expected, 1.0):
        return None
    row_mean = w @ cols  # weighted mean agreement of row category i
    col_mean = rows @ w
    inner = (w - (row_mean[:, None] + col_mean[None, :]) * (1.0 - kappa)) ** 2
    variance = ((p * inner).sum() - (kappa - expected * (1.0 - kappa)) ** 2) / (
        n * (1.0 - expected) ** 2
    )
    return float(np.sqrt(max(variance, 0.0)))


def _pair_name(weights: str | np.ndarray | None, base: str) -> str:
    return base if weight_name(weights) == "identity" else f"{base}_weighted"


def pair_confusion(ratings: Ratings, a: object, b: object) -> pd.DataFrame:
    """Counts of (a's label, b's label) over the items both rated; rows are a."""
    ia, ib = ratings.annotator_index(a), ratings.annotator_index(b)
    q = ratings.n_categories
    table = np.zeros((q, q), dtype=np.int64)
    sel_a = ratings.annotator == ia
    sel_b = ratings.annotator == ib
    la = pd.Series(ratings.label[sel_a], index=ratings.item[sel_a])
    lb = pd.Series(ratings.label[sel_b], index=ratings.item[sel_b])
    common = la.index.intersection(lb.index)
    np.add.at(table, (la.loc[common].to_numpy(), lb.loc[common].to_numpy()), 1)
    labels = pd.Index(ratings.categories)
    return pd.DataFrame(table, index=labels.rename(str(a)), columns=labels.rename(str(b)))


def cohen_kappa(
    ratings: Ratings, a: object, b: object, *, weights: str | np.ndarray | None = None
) -> Coefficient:
    return _pair_coefficient(ratings, a, b, weights, scott=False)


def scott_pi(
    ratings: Ratings, a: object, b: object, *, weights: str | np.ndarray | None = None
) -> Coefficient:
    return _pair_coefficient(ratings, a, b, weights, scott=True)


def _pair_coefficient(
    ratings: Ratings, a: object, b: object, weights: str | np.ndarray | None, *, scott: bool
) -> Coefficient:
    name = _pair_name(weights, "scott_pi" if scott else "cohen_kappa")
    table = pair_confusion(ratings, a, b).to_numpy().astype(float)
    n = int(table.sum())
    counts = {"n_items": n, "n_annotators": 2, "n_annotations": 2 * n, "n_pairable_items": n}
    if n == 0:
        return undefined(name, "the two annotators share no item", counts)
    w = weight_matrix(ratings, weights)
    value = float(kappa_of_tables(table[None], w, scott=scott)[0])
    se = None if scott or not np.isfinite(value) else cohen_standard_error(table, w, value)
    return coefficient(name, value, counts, reason=ONE_CATEGORY, se=se)


def pairwise_matrix(
    ratings: Ratings,
    *,
    weights: str | np.ndarray | None = None,
    scott: bool = False,
    pairs: RatingPairs | None = None,
) -> pd.DataFrame:
    """Annotator x annotator coefficients (NaN where undefined or no common item)."""
    pairs = pairs or rating_pairs(ratings)
    values = kappa_of_tables(pairs.tables(), weight_matrix(ratings, weights), scott=scott)
    matrix = np.full((ratings.n_annotators,) * 2, np.nan)
    matrix[pairs.pair_a, pairs.pair_b] = values
    matrix[pairs.pair_b, pairs.pair_a] = values
    return pd.DataFrame(matrix, index=ratings.annotator_ids, columns=ratings.annotator_ids)


def common_items_matrix(ratings: Ratings, pairs: RatingPairs | None = None) -> pd.DataFrame:
    pairs = pairs or rating_pairs(ratings)
    n = pairs.tables().sum(axis=(1, 2)).astype(np.int64)
    matrix = np.zeros((ratings.n_annotators,) * 2, dtype=np.int64)
    matrix[pairs.pair_a, pairs.pair_b] = n
    matrix[pairs.pair_b, pairs.pair_a] = n
    return pd.DataFrame(matrix, index=ratings.annotator_ids, columns=ratings.annotator_ids)


def _mean_over_pairs(tables: np.ndarray, w: np.ndarray, scott: bool, min_common: int) -> float:
    values = kappa_of_tables(tables, w, scott=scott)
    usable = (tables.sum(axis=(1, 2)) >= min_common) & np.isfinite(values)
    return float(values[usable].mean()) if usable.any() else np.nan


def mean_over_pairs(
    tables: np.ndarray,
    w: np.ndarray,
    scott: bool,
    min_common: int,
    marginals: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Per stack of (pairs, q, q) tables (shape (b, pairs, q, q)): the mean coefficient
    over pairs with ``min_common`` items whose coefficient is defined, NaN if none.
    ``marginals`` (items, row and column totals) may be given when already known."""
    b, n_pairs, q = tables.shape[:3]
    n, rows, cols = marginals if marginals is not None else table_marginals(tables)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = (tables.reshape(b, n_pairs, q * q) @ w.ravel()) / n
        rows, cols = rows / n[:, :, None], cols / n[:, :, None]
    if scott:
        pooled = (rows + cols) / 2.0
        expected = ((pooled @ w) * pooled).sum(axis=2)
    else:
        expected = ((rows @ w) * cols).sum(axis=2)
    values = chance_corrected(observed, expected)
    usable = (n >= min_common) & np.isfinite(values)
    count = usable.sum(axis=1)
    total = np.where(usable, values, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def mean_pairwise_statistic(w: np.ndarray, scott: bool, min_common: int) -> PairStatistic:
    """The mean pairwise coefficient of each resample, for ``pair_bootstrap``."""

    def statistic(sums: PairSums) -> np.ndarray:
        return mean_over_pairs(sums.tables, w, scott, min_common, sums.marginals)

    return statistic


def mean_pairwise(
    ratings: Ratings,
    *,
    weights: str | np.ndarray | None = None,
    scott: bool = False,
    min_common: int = MIN_COMMON,
    bootstrap: int = 0,
    seed: int = 0,
    pairs: RatingPairs | None = None,
) -> Coefficient:
    """Mean Cohen's kappa (or Scott's pi) over annotator pairs with ``min_common`` items."""
    return mean_pairwise_many(
        ratings,
        [(weights, scott)],
        min_common=min_common,
        bootstrap=bootstrap,
        seed=seed,
        pairs=pairs,
    )[0]


def mean_pairwise_many(
    ratings: Ratings,
    variants: list[tuple[str | np.ndarray | None, bool]],
    *,
    min_common: int = MIN_COMMON,
    bootstrap: int = 0,
    seed: int = 0,
    pairs: RatingPairs | None = None,
    draws: np.ndarray | None = None,
) -> list[Coefficient]:
    """Several (weights, scott) variants sharing one set of pairs and of resamples: a
    resample costs O(rating pairs), so sharing it matters on large data. ``draws``, if
    given, are the variants' values over resamples already drawn (resamples x variants,
    as ``pair_bootstrap`` returns them), used for the intervals instead of resampling."""
    names = [
        _pair_name(weights, "scott_pi" if scott else "cohen_kappa") + "_mean_pairwise"
        for weights, scott in variants
    ]
    counts = counts_of(ratings)
    reason = None
    if ratings.n_annotations == 0:
        reason = NO_RATINGS
    elif ratings.n_annotators < 2:
        reason = "only one annotator"
    if reason:
        return [undefined(name, reason, counts) for name in names]
    pairs = pairs or rating_pairs(ratings)
    if pairs.n_rating_pairs == 0:
        return [undefined(name, NO_PAIRABLE, counts) for name in names]
    matrices = [(weight_matrix(ratings, weights), scott) for weights, scott in variants]
    tables = pairs.tables()
    results = []
    for name, (w, scott) in zip(names, matrices, strict=True):
        value = _mean_over_pairs(tables, w, scott, min_common)
        results.append(coefficient(name, value, counts, reason=_why_no_mean(tables, min_common)))
    if draws is None and bootstrap > 0 and any(r.value is not None for r in results):
        statistics = [mean_pairwise_statistic(w, scott, min_common) for w, scott in matrices]
        draws = pair_bootstrap(pairs, statistics, bootstrap, seed)
    if draws is not None:
        results = [
            r if r.value is None else r.with_interval(*percentile_interval(draws[:, v]))
            for v, r in enumerate(results)
        ]
    return results


def _why_no_mean(tables: np.ndarray, min_common: int) -> str:
    if tables.sum(axis=(1, 2)).max() < min_common:
        return f"no annotator pair shares at least {min_common} items"
    return "every annotator pair's kappa is undefined: each pair used a single category"
