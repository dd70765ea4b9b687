"""Mean pairwise Cohen's kappa under the comparison's resampling design.

Who rated what matters here, so profiles do not help: both sides are coded as one
set of ratings (items of the after side numbered after the before side's, annotators
shared), and every draw is a vector of item weights over that set, whose tables come
from ``weighted_tables`` (several draws per pass over the rating pairs). A draw costs
O(rating pairs), so resampling is done only within ``PAIR_BUDGET`` rating-pair visits;
beyond it the values are given without an interval or p-value, and the reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.pair_bootstrap import FLOAT_BITS, lane_bits, weighted_tables
from guidelines_app.domain.agreement.pairs import rating_pairs
from guidelines_app.domain.agreement.pairwise import kappa_of_tables
from guidelines_app.domain.agreement.ratings import Ratings

PAIR_BUDGET = 60_000_000


@dataclass(frozen=True)
class PairwiseDraws:
    before: np.ndarray  # (draws,) mean kappa of the before side, NaN if undefined
    after: np.ndarray


def combined(before: Ratings, after: Ratings) -> Ratings:
    """One Ratings holding both sides: after-side items are numbered from before's count."""
    annotators = before.annotator_ids.append(after.annotator_ids).unique()
    index = pd.Index(annotators)
    return Ratings(
        item=np.concatenate([before.item, after.item + before.n_items]).astype(np.int64),
        annotator=np.concatenate(
            [
                index.get_indexer(before.annotator_ids)[before.annotator],
                index.get_indexer(after.annotator_ids)[after.annotator],
            ]
        ).astype(np.int32),
        label=np.concatenate([before.label, after.label]).astype(np.int32),
        item_ids=pd.RangeIndex(before.n_items + after.n_items),
        annotator_ids=index,
        categories=before.categories,
        values=before.values,
        ordered=before.ordered,
    )


def mean_kappa(tables: np.ndarray, min_common: int) -> float:
    values = kappa_of_tables(tables, np.eye(tables.shape[1]))
    usable = (tables.sum(axis=(1, 2)) >= min_common) & np.isfinite(values)
    return float(values[usable].mean()) if usable.any() else np.nan


def _bootstrap_weights(
    rng: np.random.Generator,
    nb: int,
    na: int,
    shared: tuple[np.ndarray, np.ndarray],
    only: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    wb, wa = np.zeros(nb + na), np.zeros(nb + na)
    sb, sa = shared
    if len(sb):
        drawn = np.bincount(rng.integers(0, len(sb), len(sb)), minlength=len(sb))
        wb[sb] = drawn
        wa[sa + nb] = drawn
    ob, oa = only
    if len(ob):
        wb[ob] = np.bincount(rng.integers(0, len(ob), len(ob)), minlength=len(ob))
    if len(oa):
        wa[oa + nb] = np.bincount(rng.integers(0, len(oa), len(oa)), minlength=len(oa))
    return wb, wa


def _permutation_weights(
    rng: np.random.Generator,
    nb: int,
    na: int,
    shared: tuple[np.ndarray, np.ndarray],
    only: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    wb, wa = np.zeros(nb + na), np.zeros(nb + na)
    sb, sa = shared
    swap = rng.random(len(sb)) < 0.5
    wb[sb[~swap]] = 1.0
    wb[sa[swap] + nb] = 1.0
    wa[sa[~swap] + nb] = 1.0
    wa[sb[swap]] = 1.0
    ob, oa = only
    pool = np.concatenate([ob, oa + nb])
    order = rng.permutation(len(pool))
    wb[pool[order[: len(ob)]]] = 1.0
    wa[pool[order[len(ob) :]]] = 1.0
    return wb, wa


def pairwise_draws(
    before: Ratings,
    after: Ratings,
    shared: tuple[np.ndarray, np.ndarray],
    *,
    n_draws: int,
    seed: int,
    permute: bool,
    min_common: int,
) -> PairwiseDraws:
    both = combined(before, after)
    pairs = rating_pairs(both)
    nb, na = before.n_items, after.n_items
    only = (
        np.setdiff1d(np.arange(nb), shared[0], assume_unique=True),
        np.setdiff1d(np.arange(na), shared[1], assume_unique=True),
    )
    rng = np.random.default_rng(seed)
    make = _permutation_weights if permute else _bootstrap_weights
    out_b, out_a = np.full(n_draws, np.nan), np.full(n_draws, np.nan)
    block = max(1, FLOAT_BITS // lane_bits(pairs))  # draws whose tables share one pass
    for start in range(0, n_draws, block):
        stop = min(n_draws, start + block)
        weights = [w for _ in range(start, stop) for w in make(rng, nb, na, shared, only)]
        tables = weighted_tables(pairs, weights)
        for d in range(start, stop):
            out_b[d] = mean_kappa(tables[2 * (d - start)], min_common)
            out_a[d] = mean_kappa(tables[2 * (d - start) + 1], min_common)
    return PairwiseDraws(out_b, out_a)


def within_budget(before: Ratings, after: Ratings, n_draws: int) -> bool:
    """Whether ``n_draws`` draws over both sides' rating pairs fit in ``PAIR_BUDGET``."""
    pairs = 0
    for side in (before, after):
        m = side.ratings_per_item.astype(np.int64)
        pairs += int((m * (m - 1) // 2).sum())
    return 2 * pairs * n_draws <= PAIR_BUDGET
