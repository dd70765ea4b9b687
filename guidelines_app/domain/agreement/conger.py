"""Conger's (1980) kappa: Fleiss' observed agreement, chance agreement from each
annotator's own marginals (the mean of the pairwise Cohen chance agreements).

With missing ratings (Gwet 2014): p_gk is annotator g's share of category k over the
items g rated; pe = sum_kl w_kl (pbar_k pbar_l - s_kl / r), s the covariance of the
p_g over the r annotators.
"""

from __future__ import annotations

import numpy as np

from guidelines_app.domain.agreement.bootstrap import (
    Profiles,
    item_weight_draws,
    percentile_interval,
    profiles_of,
)
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


def conger_kappa(
    ratings: Ratings,
    *,
    weights: str | np.ndarray | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    profiles: Profiles | None = None,
) -> Coefficient:
    name = "conger_kappa" if weights is None else "conger_kappa_weighted"
    counts = counts_of(ratings)
    reason = basic_reason(ratings)
    if reason:
        return undefined(name, reason, counts)
    w = weight_matrix(ratings, weights)
    profiles = profiles or profiles_of(ratings.counts)
    features = profile_features(profiles, w)
    item_pa = features[profiles.item_profile, 0]
    item_pairable = features[profiles.item_profile, 1]
    code = ratings.annotator.astype(np.int64) * ratings.n_categories + ratings.label
    value = _value(ratings, code, item_pa, item_pairable, w, np.ones(ratings.n_items))
    result = coefficient(name, value, counts, reason=ONE_CATEGORY)
    if result.value is not None and bootstrap > 0:
        draws = [
            _value(ratings, code, item_pa, item_pairable, w, item_w)
            for item_w in item_weight_draws(ratings.n_items, bootstrap, seed)
        ]
        result = result.with_interval(*percentile_interval(np.array(draws)))
    return result
