"""Item-level features and the statistics computed from their (weighted) sums.

Every count-matrix coefficient of the release comparison is a function of sums over
items of features of the item's category count vector n (m ratings): the same
quantities the engine sums (gwet.py, krippendorff.py, per_label.py), laid out in one
matrix so that one matrix product gives every coefficient for a whole stack of item
weightings at once (bootstrap resamples, permutations). With unit weights the
statistics equal the engine's point estimates; tests hold them to 1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.krippendorff import alpha_from_coincidences
from guidelines_app.domain.agreement.weights import distances

#: The compared metrics computed here from sums over items (the pairwise kappa is not).
COUNT_METRICS = tuple(k for k in metrics.compared_by_default() if k != metrics.COHEN_KAPPA)


@dataclass(frozen=True)
class Layout:
    """Column positions of the feature matrix for ``q`` categories at ``level``."""

    q: int
    level: str

    # Scalars first: pa_i, pairable, rated, nominal observed disagreement.
    PA, PAIRABLE, RATED, DISAGREE = 0, 1, 2, 3

    def block(self, k: int) -> slice:
        start = 4 + k * self.q
        return slice(start, start + self.q)

    @property
    def share(self) -> slice:
        return self.block(0)

    @property
    def marginal(self) -> slice:
        return self.block(1)

    @property
    def agreeing(self) -> slice:
        return self.block(2)

    @property
    def possible(self) -> slice:
        return self.block(3)

    @property
    def same(self) -> slice:
        return self.block(4)

    @property
    def level_start(self) -> int:
        return 4 + 5 * self.q

    @property
    def width(self) -> int:
        extra = {"nominal": 0, "ordinal": self.q * self.q}.get(self.level, 1)
        return self.level_start + extra


def item_features(counts: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """(rows, width) features of count vectors (rows of ``counts``, each with m >= 1)."""
    rows = np.asarray(counts, dtype=float)
    n_rows, q = rows.shape
    layout = Layout(q, level)
    m = rows.sum(axis=1)
    pairable = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_pairs = np.where(pairable, 1.0 / (m * (m - 1.0)), 0.0)
        inv_m1 = np.where(pairable, 1.0 / (m - 1.0), 0.0)
        share = np.where(m[:, None] > 0, rows / m[:, None], 0.0)
    squares = (rows * rows).sum(axis=1)
    out = np.zeros((n_rows, layout.width))
    out[:, layout.PA] = (squares - m) * inv_pairs
    out[:, layout.PAIRABLE] = pairable
    out[:, layout.RATED] = m > 0
    out[:, layout.DISAGREE] = (m * m - squares) * inv_m1
    out[:, layout.share] = share
    out[:, layout.marginal] = rows * pairable[:, None]
    out[:, layout.agreeing] = rows * (rows - 1.0) * pairable[:, None]
    out[:, layout.possible] = rows * ((m - 1.0) * pairable)[:, None]
    out[:, layout.same] = rows * (rows - 1.0) * inv_m1[:, None]
    if level == "ordinal":
        o = rows[:, :, None] * rows[:, None, :]
        idx = np.arange(q)
        o[:, idx, idx] -= rows
        out[:, layout.level_start :] = (o * inv_m1[:, None, None]).reshape(n_rows, q * q)
    elif level != "nominal":
        d = distances(values, level, np.zeros(q))
        out[:, layout.level_start] = np.einsum("pk,kl,pl->p", rows, d, rows) * inv_m1
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _chance_corrected(pa: np.ndarray, pe: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (pa - pe) / (1.0 - pe)
    return np.where(np.isclose(pe, 1.0, rtol=0, atol=1e-12) | ~np.isfinite(pa), np.nan, value)


def _alpha(observed: np.ndarray, expected: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where(expected > 1e-12 * np.maximum(n, 1.0) ** 2, alpha, np.nan)


def metric_values(sums: np.ndarray, layout: Layout, values: np.ndarray, metric: str) -> np.ndarray:
    """One coefficient for each row of ``sums`` (B, width); NaN where undefined."""
    q = layout.q
    pa = _ratio(sums[:, layout.PA], sums[:, layout.PAIRABLE])
    if metric == metrics.PERCENT_AGREEMENT:
        return np.where(np.isfinite(pa), pa, np.nan)
    if metric in (metrics.FLEISS_KAPPA, metrics.GWET_AC1):
        pi = sums[:, layout.share] / np.maximum(sums[:, layout.RATED], 1.0)[:, None]
        if metric == metrics.FLEISS_KAPPA:
            pe = (pi * pi).sum(axis=1)
        elif q < 2:
            return np.full(len(sums), np.nan)
        else:
            pe = (pi * (1.0 - pi)).sum(axis=1) / (q - 1)
        return _chance_corrected(pa, pe)
    marginal = sums[:, layout.marginal]
    n = marginal.sum(axis=1)
    if metric == metrics.ALPHA_NOMINAL:
        expected = n * n - (marginal * marginal).sum(axis=1)
        return _alpha(sums[:, layout.DISAGREE], expected, n)
    level = metric.removeprefix(metrics.ALPHA_PREFIX)
    if level == "ordinal":
        o = sums[:, layout.level_start :].reshape(-1, q, q)
        return alpha_from_coincidences(o, values, "ordinal")
    d = distances(values, level, np.zeros(q))
    expected = np.einsum("bk,kl,bl->b", marginal, d, marginal)
    return _alpha(sums[:, layout.level_start], expected, n)


def label_values(sums: np.ndarray, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Specific agreement and one-vs-rest alpha per label, (B, q) each, NaN if undefined."""
    specific = _ratio(sums[:, layout.agreeing], sums[:, layout.possible])
    marginal, same = sums[:, layout.marginal], sums[:, layout.same]
    n = marginal.sum(axis=1, keepdims=True)
    defined = (marginal > 0) & (marginal < n)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * (marginal - same) / (marginal * (n - marginal))
    return specific, np.where(defined, alpha, np.nan)
