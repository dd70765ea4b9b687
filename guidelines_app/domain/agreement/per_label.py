"""Agreement per label: category-specific agreement and one-vs-rest alpha."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from guidelines_app.domain.agreement.bootstrap import (
    Profiles,
    percentile_interval,
    resampled_sums,
)
from guidelines_app.domain.agreement.coefficients import finite_or_none, json_number
from guidelines_app.domain.agreement.ratings import Ratings

NEVER_PAIRED = "label never used on an item with two or more ratings"
ALWAYS_USED = "every pairable rating has this label: expected disagreement is zero"


@dataclass(frozen=True)
class LabelAgreement:
    """``specific_agreement``: given one annotator chose the label on an item, the share
    of the other annotators of that item who chose it too, pooled over pairs of ratings
    (Fleiss 1971's category-specific agreement, extended to varying ratings per item).
    ``alpha_one_vs_rest``: nominal alpha after collapsing the other labels into one."""

    label: object
    n_annotations: int
    n_pairable_values: float
    specific_agreement: float | None
    specific_ci_low: float | None
    specific_ci_high: float | None
    alpha_one_vs_rest: float | None
    alpha_ci_low: float | None
    alpha_ci_high: float | None
    undefined_reason: str | None

    def to_dict(self) -> dict:
        return {key: json_number(value) for key, value in asdict(self).items()}


def _features(profiles: Profiles) -> np.ndarray:
    rows = profiles.rows.astype(float)
    m = rows.sum(axis=1)
    pairable = (m >= 2)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        same = np.where(pairable, rows * (rows - 1.0) / (m - 1.0)[:, None], 0.0)
    agreeing = rows * (rows - 1.0) * pairable
    possible = rows * (m - 1.0)[:, None] * pairable
    return np.hstack([agreeing, possible, rows * pairable, same])


def _statistics(sums: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Specific agreement and one-vs-rest alpha per label, (B, q) each, NaN if undefined."""
    agreeing, possible = sums[:, :q], sums[:, q : 2 * q]
    marginal, same = sums[:, 2 * q : 3 * q], sums[:, 3 * q :]
    n = marginal.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        specific = np.where(possible > 0, agreeing / possible, np.nan)
        alpha = 1.0 - (n - 1.0) * (marginal - same) / (marginal * (n - marginal))
    alpha = np.where((marginal > 0) & (marginal < n), alpha, np.nan)
    return specific, alpha


def per_label_agreement(
    ratings: Ratings, *, bootstrap: int = 0, seed: int = 0, profiles: Profiles | None = None
) -> list[LabelAgreement]:
    q = ratings.n_categories
    profiles = profiles or ratings.profiles
    features = _features(profiles)
    sums = (profiles.multiplicity @ features)[None, :]
    specific, alpha = (v[0] for v in _statistics(sums, q))
    marginal, n = sums[0, 2 * q : 3 * q], sums[0, 2 * q : 3 * q].sum()
    no_interval: list[tuple[float | None, float | None]] = [(None, None)] * q
    specific_ci = alpha_ci = no_interval
    if bootstrap > 0 and len(profiles.multiplicity):
        resampled = resampled_sums(features, profiles.multiplicity, bootstrap, seed)
        boot_specific, boot_alpha = _statistics(resampled, q)
        specific_ci = [percentile_interval(boot_specific[:, k]) for k in range(q)]
        alpha_ci = [percentile_interval(boot_alpha[:, k]) for k in range(q)]
    used = np.bincount(ratings.label, minlength=q)
    result = []
    for k in range(q):
        reason = None
        if marginal[k] == 0:
            reason = NEVER_PAIRED
        elif marginal[k] >= n:
            reason = ALWAYS_USED
        result.append(
            LabelAgreement(
                label=ratings.categories[k],
                n_annotations=int(used[k]),
                n_pairable_values=float(marginal[k]),
                specific_agreement=finite_or_none(specific[k]),
                specific_ci_low=finite_or_none(specific_ci[k][0]),
                specific_ci_high=finite_or_none(specific_ci[k][1]),
                alpha_one_vs_rest=None if reason else finite_or_none(alpha[k]),
                alpha_ci_low=None if reason else finite_or_none(alpha_ci[k][0]),
                alpha_ci_high=None if reason else finite_or_none(alpha_ci[k][1]),
                undefined_reason=reason,
            )
        )
    return result
