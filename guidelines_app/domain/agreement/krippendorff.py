"""Krippendorff's alpha from the coincidence matrix, in O(items x categories) memory.

The coincidence matrix is O = sum_u (n_u n_u^T - diag(n_u)) / (m_u - 1) over items
with m_u >= 2 values; alpha = 1 - (n - 1) * sum(O * d) / sum(n_c n_k d), with d the
level's squared difference function and n_c the row sums of O (Krippendorff 2011).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.bootstrap import Profiles, profile_bootstrap
from guidelines_app.domain.agreement.coefficients import (
    NO_PAIRABLE,
    ONE_CATEGORY,
    Coefficient,
    basic_reason,
    coefficient,
    counts_of,
    undefined,
)
from guidelines_app.domain.agreement.ratings import Ratings
from guidelines_app.domain.agreement.weights import LEVELS, distances, require_order
from guidelines_app.domain.errors import InvalidInput


def pair_weight(ratings_per_item: np.ndarray) -> np.ndarray:
    """1 / (m - 1) for items with two or more ratings, 0 for the rest."""
    m = ratings_per_item.astype(float)
    with np.errstate(divide="ignore"):
        return np.where(m >= 2, 1.0 / np.maximum(m - 1.0, 1.0), 0.0)


def coincidences(counts: np.ndarray, multiplicity: np.ndarray | None = None) -> np.ndarray:
    """The q x q coincidence matrix of an items x categories count matrix."""
    counts = np.asarray(counts)
    w = pair_weight(counts.sum(axis=1))
    if multiplicity is not None:
        w = w * multiplicity
    weighted = counts * w[:, None]
    return weighted.T @ counts - np.diag(weighted.sum(axis=0))


def alpha_from_coincidences(o: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """Alpha for one or many coincidence matrices (shape (..., q, q)); NaN if undefined."""
    marginals = o.sum(axis=-1)
    n = marginals.sum(axis=-1)
    d = distances(values, level, marginals)
    observed = (o * d).sum(axis=(-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * d).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where(expected > 1e-12 * np.maximum(n, 1.0) ** 2, alpha, np.nan)


def _profile_features(profiles: Profiles, values: np.ndarray, level: str) -> np.ndarray:
    """Per profile: its n_uc (pairable items only) and then either its observed
    disagreement (fixed distances) or its whole coincidence matrix (ordinal distances
    depend on the resampled marginals)."""
    rows = profiles.rows.astype(float)
    w = pair_weight(profiles.ratings_per_profile)
    pairable_counts = rows * (w > 0)[:, None]
    if level == "ordinal":
        o = (rows[:, :, None] * rows[:, None, :] - _diag_stack(rows)) * w[:, None, None]
        return np.hstack([pairable_counts, o.reshape(len(rows), -1)])
    d = distances(values, level, np.zeros(len(values)))
    observed = np.einsum("pk,kl,pl->p", rows, d, rows) * w
    return np.hstack([pairable_counts, observed[:, None]])


def _diag_stack(rows: np.ndarray) -> np.ndarray:
    out = np.zeros((*rows.shape, rows.shape[1]))
    idx = np.arange(rows.shape[1])
    out[:, idx, idx] = rows
    return out


def _alpha_from_sums(sums: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    q = len(values)
    marginals = sums[:, :q]
    n = marginals.sum(axis=1)
    if level == "ordinal":
        return alpha_from_coincidences(sums[:, q:].reshape(-1, q, q), values, level)
    d = distances(values, level, np.zeros(q))
    expected = np.einsum("bk,kl,bl->b", marginals, d, marginals)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * sums[:, q] / expected
    return np.where(expected > 1e-12 * np.maximum(n, 1.0) ** 2, alpha, np.nan)


def krippendorff_alpha(
    ratings: Ratings,
    *,
    level: str = "nominal",
    bootstrap: int = 0,
    seed: int = 0,
    profiles: Profiles | None = None,
) -> Coefficient:
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}")
    if level != "nominal":
        require_order(ratings, f"{level} alpha")
    name = f"krippendorff_alpha_{level}"
    counts = counts_of(ratings)
    reason = basic_reason(ratings)
    if reason:
        return undefined(name, reason, counts)
    profiles = profiles or ratings.profiles
    features = _profile_features(profiles, ratings.values, level)
    sums = (profiles.multiplicity @ features)[None, :]
    point = _alpha_from_sums(sums, ratings.values, level)[0]
    if not np.isfinite(point):
        return undefined(name, _why_undefined(ratings), counts)
    se = None if level == "ordinal" else _standard_error(profiles, ratings.values, level)
    result = coefficient(name, point, counts, se=se)
    if bootstrap <= 0:
        return result
    low, high = profile_bootstrap(
        features,
        profiles.multiplicity,
        lambda sums: _alpha_from_sums(sums, ratings.values, level),
        bootstrap,
        seed,
    )
    return result.with_interval(low, high)


def _standard_error(profiles: Profiles, values: np.ndarray, level: str) -> float | None:
    """Gwet's (2014, ch. 5; as in irrCAC) linearised standard error of alpha, with
    agreement weights w = 1 - d / max(d). Not for ordinal alpha, whose distances depend
    on the data's own marginals."""
    d = distances(values, level, np.zeros(len(values)))
    if d.max() <= 0:
        return None
    w = 1.0 - d / d.max()
    keep = profiles.ratings_per_profile >= 2
    rows = profiles.rows[keep].astype(float)
    mult = profiles.multiplicity[keep].astype(float)
    n = mult.sum()
    if n < 2:
        return None
    m = rows.sum(axis=1)
    m_mean = (mult @ m) / n
    agree = (rows * (rows @ w.T - 1.0)).sum(axis=1) / (m_mean * (m - 1.0))
    pa_prime = (mult @ agree) / n
    epsilon = 1.0 / (mult @ m)
    pa = (1.0 - epsilon) * pa_prime + epsilon
    pi = (mult @ rows) / (n * m_mean)
    pe = pi @ w @ pi
    alpha_prime = (pa_prime - pe) / (1.0 - pe)
    item_alpha = (agree - pa * (m - m_mean) / m_mean - pe) / (1.0 - pe)
    item_pe = rows @ ((w + w.T) @ pi / 2.0) / m_mean - pe * (m - m_mean) / m_mean
    item_alpha = item_alpha - 2.0 * (1.0 - alpha_prime) * (item_pe - pe) / (1.0 - pe)
    variance = mult @ (item_alpha - alpha_prime) ** 2 / (n * (n - 1.0))
    return float(np.sqrt(variance))


def _why_undefined(ratings: Ratings) -> str:
    o = coincidences(ratings.profiles.rows, ratings.profiles.multiplicity)
    if o.sum() == 0:
        return NO_PAIRABLE
    return ONE_CATEGORY


def coincidence_matrix(ratings: Ratings) -> pd.DataFrame:
    """The coincidence matrix, labelled by category (rows and columns in category order)."""
    if ratings.n_items:  # over distinct count vectors, each weighted by how many items have it
        o = coincidences(ratings.profiles.rows, ratings.profiles.multiplicity)
    else:
        o = np.zeros((ratings.n_categories,) * 2)
    labels = pd.Index(ratings.categories, name="label")
    return pd.DataFrame(o, index=labels, columns=labels)
