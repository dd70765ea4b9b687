"""Bootstrap over items, vectorised.

Every item-level coefficient here is a function of sums, over items, of features of
the item's category count vector. Items with the same count vector ("profile")
contribute the same features, and there are few profiles (5 ratings over 6
categories allow 252). Drawing N items with replacement is the same as drawing
profile multiplicities from a multinomial(N, share of each profile), so one
resample costs O(profiles), not O(items): a (resamples x profiles) count matrix
times a (profiles x features) matrix gives every resample's sums at once.

Coefficients that depend on who rated what (Cohen, Scott, Conger) resample how
often each item is drawn instead (``item_count_draws``; pair_bootstrap.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
MIN_DEFINED_SHARE = 0.5
_CHUNK_CELLS = 10_000_000


@dataclass(frozen=True, eq=False)
class Profiles:
    """Distinct item count vectors and how many items have each."""

    rows: np.ndarray  # (P, q) int
    multiplicity: np.ndarray  # (P,) int
    item_profile: np.ndarray  # (N,) profile index of each item

    @property
    def n_items(self) -> int:
        return int(self.multiplicity.sum())

    @cached_property
    def ratings_per_profile(self) -> np.ndarray:
        return self.rows.sum(axis=1)


def profiles_of(counts: np.ndarray) -> Profiles:
    n, q = counts.shape
    if n == 0:
        return Profiles(
            np.zeros((0, q), dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
        )
    radix = int(counts.max()) + 1
    if q * np.log2(max(radix, 2)) < 62:
        powers = radix ** np.arange(q, dtype=np.int64)
        return profiles_from_keys(counts.astype(np.int64) @ powers, radix, q)
    rows, codes = np.unique(counts, axis=0, return_inverse=True)
    codes = codes.ravel()
    multiplicity = np.bincount(codes, minlength=len(rows))
    return Profiles(rows.astype(np.int64), multiplicity, codes.astype(np.int64))


def profiles_from_keys(key: np.ndarray, radix: int, q: int) -> Profiles:
    """Profiles from each item's count vector coded as sum_k n_k * radix ** k (every
    count below ``radix``), in order of first appearance."""
    codes, uniques = pd.factorize(key, sort=False)
    powers = radix ** np.arange(q, dtype=np.int64)
    rows = (uniques[:, None] // powers[None, :]) % radix
    multiplicity = np.bincount(codes, minlength=len(rows))
    return Profiles(rows.astype(np.int64), multiplicity, codes.astype(np.int64))


def resampled_sums(
    features: np.ndarray, multiplicity: np.ndarray, n_boot: int, seed: int
) -> np.ndarray:
    """(n_boot, f) sums of profile features over bootstrap resamples of the items."""
    rng = np.random.default_rng(seed)
    n = int(multiplicity.sum())
    p = multiplicity / n
    per_chunk = max(1, _CHUNK_CELLS // max(len(multiplicity), 1))
    out = np.empty((n_boot, features.shape[1]))
    for start in range(0, n_boot, per_chunk):
        stop = min(n_boot, start + per_chunk)
        draws = rng.multinomial(n, p, size=stop - start)
        out[start:stop] = draws @ features
    return out


def item_count_draws(n_items: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Resamples one at a time, as how many times each item was drawn (int64)."""
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        yield np.bincount(rng.integers(0, n_items, n_items), minlength=n_items)


def item_weight_draws(n_items: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """``item_count_draws`` as floats, ready to weight a bincount."""
    for counts in item_count_draws(n_items, n_boot, seed):
        yield counts.astype(float)


def percentile_interval(values: np.ndarray) -> tuple[float | None, float | None]:
    """Percentile 95% interval over the resamples where the coefficient is defined;
    none when fewer than half of them define it."""
    values = np.asarray(values, dtype=float)
    defined = values[np.isfinite(values)]
    if len(values) == 0 or len(defined) < MIN_DEFINED_SHARE * len(values):
        return None, None
    tail = (1.0 - CONFIDENCE) / 2.0 * 100.0
    low, high = np.percentile(defined, [tail, 100.0 - tail])
    return float(low), float(high)


def profile_bootstrap(
    features: np.ndarray,
    multiplicity: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    n_boot: int,
    seed: int,
) -> tuple[float | None, float | None]:
    if n_boot <= 0 or len(multiplicity) == 0:
        return None, None
    return percentile_interval(statistic(resampled_sums(features, multiplicity, n_boot, seed)))
