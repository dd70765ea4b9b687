"""Coefficients of the form (pa - pe) / (1 - pe) over items, in Gwet's framework.

Following Gwet (Handbook of Inter-Rater Reliability, 4th ed., 2014), for items with
missing ratings: pa is the mean, over items with two or more ratings, of
sum_k n_ik (n*_ik - 1) / (m_i (m_i - 1)) with n*_ik = sum_l w_kl n_il; pi_k is the mean,
over all rated items, of n_ik / m_i. The chance agreement pe then distinguishes:

- percent agreement: pe = 0 (and identity weights);
- Fleiss' kappa: pe = sum_kl w_kl pi_k pi_l;
- Gwet's AC1/AC2: pe = sum(w) / (q (q - 1)) * sum_k pi_k (1 - pi_k);
- Brennan-Prediger (Randolph's free-marginal kappa): pe = sum(w) / q^2.

Standard errors are Gwet's linearisation (same source), without finite-population
correction. All functions of sums over items, so the bootstrap is a matrix product.
"""

from __future__ import annotations

import numpy as np

from guidelines_app.domain.agreement.bootstrap import Profiles, profile_bootstrap
from guidelines_app.domain.agreement.coefficients import (
    ONE_CATEGORY,
    TOO_FEW_CATEGORIES,
    Coefficient,
    basic_reason,
    coefficient,
    counts_of,
    undefined,
)
from guidelines_app.domain.agreement.ratings import Ratings
from guidelines_app.domain.agreement.weights import weight_matrix

CHANCE_MODELS = ("none", "fleiss", "gwet", "uniform")


def profile_features(profiles: Profiles, w: np.ndarray) -> np.ndarray:
    rows = profiles.rows.astype(float)
    m = rows.sum(axis=1)
    pairable = m >= 2
    weighted = rows @ w.T
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = np.where(pairable, (rows * (weighted - 1.0)).sum(axis=1) / (m * (m - 1.0)), 0.0)
    share = rows / m[:, None]
    return np.column_stack([pa, pairable, share, np.ones(len(rows))])


def _chance(model: str, pi: np.ndarray, w: np.ndarray) -> np.ndarray:
    q = w.shape[0]
    if model == "none":
        return np.zeros(pi.shape[0])
    if model == "fleiss":
        return np.einsum("bk,kl,bl->b", pi, w, pi)
    if model == "gwet":
        return w.sum() / (q * (q - 1)) * (pi * (1.0 - pi)).sum(axis=1)
    return np.full(pi.shape[0], w.sum() / q**2)


def _statistic(sums: np.ndarray, model: str, w: np.ndarray) -> np.ndarray:
    q = w.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = sums[:, 0] / sums[:, 1]
        pi = sums[:, 2 : 2 + q] / sums[:, -1:]
    pe = _chance(model, pi, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (pa - pe) / (1.0 - pe)
    return np.where(np.isclose(pe, 1.0, rtol=0, atol=1e-12), np.nan, value)


def _standard_error(
    profiles: Profiles, features: np.ndarray, model: str, w: np.ndarray, value: float
) -> float | None:
    """Gwet's (2014) large-sample standard error, summed over profiles."""
    q = w.shape[0]
    mult = profiles.multiplicity.astype(float)
    n = mult.sum()
    if n < 2:
        return None
    n2 = mult @ features[:, 1]
    pi = (mult @ features[:, 2 : 2 + q]) / n
    pe = float(_chance(model, pi[None, :], w)[0])
    pa_i, pairable = features[:, 0], features[:, 1]
    item_value = (n / n2) * (pa_i - pe * pairable) / (1.0 - pe)
    rows = profiles.rows.astype(float)
    m = rows.sum(axis=1)
    if model == "fleiss":
        pe_i = rows @ ((w + w.T) @ pi / 2.0) / m
    elif model == "gwet":
        pe_i = w.sum() / (q * (q - 1)) * (rows @ (1.0 - pi)) / m
    else:
        pe_i = np.full(len(rows), pe)
    item_value = item_value - 2.0 * (1.0 - value) * (pe_i - pe) / (1.0 - pe)
    variance = mult @ (item_value - value) ** 2 / (n * (n - 1.0))
    return float(np.sqrt(variance))


def chance_corrected_coefficient(
    ratings: Ratings,
    name: str,
    model: str,
    *,
    weights: str | np.ndarray | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    profiles: Profiles | None = None,
) -> Coefficient:
    counts = counts_of(ratings)
    reason = basic_reason(ratings)
    if reason:
        return undefined(name, reason, counts)
    w = weight_matrix(ratings, weights)
    if model in ("gwet", "uniform") and ratings.n_categories < 2:
        return undefined(name, TOO_FEW_CATEGORIES, counts)
    profiles = profiles or ratings.profiles
    features = profile_features(profiles, w)
    value = float(_statistic((profiles.multiplicity @ features)[None, :], model, w)[0])
    if not np.isfinite(value):
        return undefined(name, ONE_CATEGORY, counts)
    se = _standard_error(profiles, features, model, w, value)
    result = coefficient(name, value, counts, se=se)
    if bootstrap > 0:
        low, high = profile_bootstrap(
            features,
            profiles.multiplicity,
            lambda sums: _statistic(sums, model, w),
            bootstrap,
            seed,
        )
        result = result.with_interval(low, high)
    return result


def gwet_ac1(
    ratings: Ratings, *, bootstrap: int = 0, seed: int = 0, profiles: Profiles | None = None
) -> Coefficient:
    return chance_corrected_coefficient(
        ratings, "gwet_ac1", "gwet", bootstrap=bootstrap, seed=seed, profiles=profiles
    )


def gwet_ac2(
    ratings: Ratings,
    *,
    weights: str | np.ndarray = "quadratic",
    bootstrap: int = 0,
    seed: int = 0,
    profiles: Profiles | None = None,
) -> Coefficient:
    return chance_corrected_coefficient(
        ratings,
        "gwet_ac2",
        "gwet",
        weights=weights,
        bootstrap=bootstrap,
        seed=seed,
        profiles=profiles,
    )
