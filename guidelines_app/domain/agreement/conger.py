"""Conger's (1980) kappa: Fleiss' observed agreement, chance agreement from each
annotator's own marginals (the mean of the pairwise Cohen chance agreements).

With missing ratings (Gwet 2014): p_gk is annotator g's share of category k over the
items g rated; pe = sum_kl w_kl (pbar_k pbar_l - s_kl / r), s the covariance of the
p_g over the r annotators.
"""

from __future__ import annotations

import numpy as np

from guidelines_app.domain.agreement.bootstrap import Profiles, percentile_interval
from guidelines_app.domain.agreement.coefficients import (
    ONE_CATEGORY,
    Coefficient,
    basic_reason,
    chance_corrected,
    coefficient,
    counts_of,
    undefined,
)
from guidelines_app.domain.agreement.gwet import profile_features
from guidelines_app.domain.agreement.pair_bootstrap import PairStatistic, PairSums, pair_bootstrap
from guidelines_app.domain.agreement.pairs import RatingPairs, rating_pairs
from guidelines_app.domain.agreement.ratings import Ratings
from guidelines_app.domain.agreement.weights import weight_matrix


def _conger_chance(classified: np.ndarray, w: np.ndarray) -> float:
    r = classified.shape[0]
    shares = classified / classified.sum(axis=1, keepdims=True)
    mean = shares.mean(axis=0)
    spread = (shares.T @ shares - r * np.outer(mean, mean)) / (r - 1)
    return float((w * (np.outer(mean, mean) - spread / r)).sum())


def _value(
    ratings: Ratings,
    rating_code: np.ndarray,
    item_pa: np.ndarray,
    item_pairable: np.ndarray,
    w: np.ndarray,
    item_w: np.ndarray,
) -> float:
    pairable = item_w @ item_pairable
    if pairable == 0:
        return np.nan
    pa = (item_w @ item_pa) / pairable
    q = ratings.n_categories
    classified = np.bincount(
        rating_code, weights=item_w[ratings.item], minlength=ratings.n_annotators * q
    ).reshape(ratings.n_annotators, q)
    classified = classified[classified.sum(axis=1) > 0]
    if classified.shape[0] < 2:
        return np.nan
    return float(chance_corrected(pa, _conger_chance(classified, w)))


def conger_statistic(w: np.ndarray) -> PairStatistic:
    """Conger's kappa of each resample, for ``pair_bootstrap`` with ``by_size``: the same
    quantities as ``_value``, from the resampled tables kept apart by the items' number of
    ratings."""

    def statistic(sums: PairSums) -> np.ndarray:
        # sum_i W_i pa_i, pa_i = (sum over ordered pairs r != s of w[l_r, l_s]
        #                        + sum over ratings r of (w[l_r, l_r] - 1)) / (m (m - 1))
        cells, rated, classified = sums.agreement_cells, sums.rated_labels, sums.classified
        if cells is None or rated is None or classified is None:
            raise ValueError("conger_statistic needs pair_bootstrap(..., by_size=True)")
        agreeing = cells.reshape(len(cells), -1) @ (w + w.T).ravel()
        agreeing += rated @ (np.diag(w) - 1.0)
        pairable = 2.0 * cells.sum(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            pa = agreeing / pairable
        return _conger_values(pa, classified, w)

    return statistic


def _conger_values(pa: np.ndarray, classified: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``_conger_chance`` over a stack of (annotators, q) tables, each with only the
    annotators who rated something; NaN where fewer than two did or nothing is pairable."""
    totals = classified.sum(axis=2)
    present = totals > 0
    r = present.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(present[:, :, None], classified / totals[:, :, None], 0.0)
        mean = shares.sum(axis=1) / r[:, None]
        outer = mean[:, :, None] * mean[:, None, :]
        cross = np.einsum("bak,bal->bkl", shares, shares)
        spread = (cross - r[:, None, None] * outer) / (r - 1.0)[:, None, None]
        chance = (w * (outer - spread / r[:, None, None])).sum(axis=(1, 2))
    values = chance_corrected(pa, chance)
    return np.where((r >= 2) & np.isfinite(pa), values, np.nan)


def conger_kappa(
    ratings: Ratings,
    *,
    weights: str | np.ndarray | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    profiles: Profiles | None = None,
    pairs: RatingPairs | None = None,
    draws: np.ndarray | None = None,
) -> Coefficient:
    """``draws``, if given, are the coefficient's values over resamples already drawn
    (``pair_bootstrap`` with ``conger_statistic``), used for the interval."""
    name = "conger_kappa" if weights is None else "conger_kappa_weighted"
    counts = counts_of(ratings)
    reason = basic_reason(ratings)
    if reason:
        return undefined(name, reason, counts)
    w = weight_matrix(ratings, weights)
    profiles = profiles or ratings.profiles
    features = profile_features(profiles, w)
    item_pa = features[profiles.item_profile, 0]
    item_pairable = features[profiles.item_profile, 1]
    code = ratings.annotator.astype(np.int64) * ratings.n_categories + ratings.label
    value = _value(ratings, code, item_pa, item_pairable, w, np.ones(ratings.n_items))
    result = coefficient(name, value, counts, reason=ONE_CATEGORY)
    if result.value is None:
        return result
    if draws is None and bootstrap > 0:
        pairs = pairs or rating_pairs(ratings)
        draws = pair_bootstrap(pairs, [conger_statistic(w)], bootstrap, seed, by_size=True)[:, 0]
    if draws is not None:
        result = result.with_interval(*percentile_interval(draws))
    return result
