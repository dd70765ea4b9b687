"""How two sides of a comparison are resampled and permuted, all draws at once.

Items annotated under both releases ("shared") are kept as pairs: the bootstrap draws
a pair and takes both of its annotation sets, and the permutation test swaps a pair's
before and after sets with probability 1/2. Items seen on one side only are
resampled within their side, and the permutation test deals them out again between
the sides (the same number to each side as observed). A fully paired design has no
one-sided items, an unpaired one no shared items; the mixed case does both.

Items with the same count vectors contribute the same features (bootstrap.py's
profile trick), so every draw is a vector of multiplicities over distinct profiles
(or pairs of profiles), and a stack of draws times the profile feature matrix gives
every resample's sums in one product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.bootstrap import profiles_of

PAIRED, UNPAIRED, PARTLY_PAIRED = "paired", "unpaired", "partly paired"
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class Design:
    kind: str
    n_shared: int
    n_only_before: int
    n_only_after: int
    joint_before: np.ndarray  # (J, f) features of each distinct (before, after) pair
    joint_after: np.ndarray
    joint_mult: np.ndarray  # (J,)
    pool: np.ndarray  # (K, f) features of the distinct one-sided count vectors
    pool_before: np.ndarray  # (K,) how many before-only items have each
    pool_after: np.ndarray

    @cached_property
    def joint_positions(self) -> np.ndarray:
        """The pair profile of each shared item, items laid out in runs of equal profile."""
        return np.repeat(np.arange(len(self.joint_mult), dtype=np.int64), self.joint_mult)

    def point_sums(self) -> tuple[np.ndarray, np.ndarray]:
        before = self.joint_mult @ self.joint_before + self.pool_before @ self.pool
        after = self.joint_mult @ self.joint_after + self.pool_after @ self.pool
        return before, after


def shared_positions(before_ids: pd.Index, after_ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Positions, in each side's items, of the items both sides annotated (same order)."""
    in_after = after_ids.get_indexer(before_ids)
    sb = np.flatnonzero(in_after >= 0)
    return sb, in_after[sb]


def build_design(
    counts_before: np.ndarray,
    counts_after: np.ndarray,
    shared_before: np.ndarray,
    shared_after: np.ndarray,
    features: Callable[[np.ndarray], np.ndarray],
) -> Design:
    nb, na = len(counts_before), len(counts_after)
    only_b = np.setdiff1d(np.arange(nb), shared_before, assume_unique=True)
    only_a = np.setdiff1d(np.arange(na), shared_after, assume_unique=True)
    n_shared = len(shared_before)
    kind = PAIRED if not len(only_b) and not len(only_a) else UNPAIRED
    if n_shared and kind == UNPAIRED:
        kind = PARTLY_PAIRED
    prof_b = profiles_of(counts_before[shared_before])
    prof_a = profiles_of(counts_after[shared_after])
    key = prof_b.item_profile * max(len(prof_a.multiplicity), 1) + prof_a.item_profile
    codes, uniques = pd.factorize(key, sort=False)
    n_a_prof = max(len(prof_a.multiplicity), 1)
    joint_mult = np.bincount(codes, minlength=len(uniques)).astype(np.int64)
    joint_before = features(prof_b.rows[uniques // n_a_prof]) if n_shared else None
    joint_after = features(prof_a.rows[uniques % n_a_prof]) if n_shared else None
    one_sided = np.vstack([counts_before[only_b], counts_after[only_a]])
    pool_prof = profiles_of(one_sided)
    k = len(pool_prof.multiplicity)
    side = pool_prof.item_profile
    pool_before = np.bincount(side[: len(only_b)], minlength=k).astype(np.int64)
    pool_after = np.bincount(side[len(only_b) :], minlength=k).astype(np.int64)
    pool = features(pool_prof.rows)
    width = pool.shape[1]
    empty = np.zeros((0, width))
    return Design(
        kind=kind,
        n_shared=n_shared,
        n_only_before=len(only_b),
        n_only_after=len(only_a),
        joint_before=empty if joint_before is None else joint_before,
        joint_after=empty if joint_after is None else joint_after,
        joint_mult=joint_mult if n_shared else np.zeros(0, dtype=np.int64),
        pool=pool,
        pool_before=pool_before,
        pool_after=pool_after,
    )


def _chunks(n_draws: int, n_columns: int) -> list[tuple[int, int]]:
    per_chunk = max(1, _CHUNK_CELLS // max(n_columns, 1))
    return [(s, min(n_draws, s + per_chunk)) for s in range(0, n_draws, per_chunk)]


def _multinomial_sums(
    rng: np.random.Generator, mult: np.ndarray, feats: np.ndarray, n_draws: int
) -> np.ndarray:
    """(n_draws, f) sums over resamples (with replacement) of the items behind ``mult``."""
    out = np.zeros((n_draws, feats.shape[1]))
    used = np.flatnonzero(mult)
    n = int(mult.sum())
    if n == 0:
        return out
    mult, feats = mult[used], feats[used]
    for start, stop in _chunks(n_draws, len(used)):
        draws = rng.multinomial(n, mult / n, size=stop - start)
        out[start:stop] = draws @ feats
    return out


def _per_item(design: Design) -> bool:
    """Whether drawing per item beats drawing per pair profile: numpy's multinomial and
    binomial cost about ten times more per category than one uniform draw per item, and
    pairs of profiles rarely repeat in large data (most multiplicities are 1)."""
    return len(design.joint_mult) * 10 > design.n_shared


def _joint_resamples(
    rng: np.random.Generator, design: Design, n_draws: int
) -> Iterator[tuple[int, int, np.ndarray]]:
    """(start, stop, draws): how many times each pair profile was drawn, per resample."""
    n, mult = design.n_shared, design.joint_mult
    if not _per_item(design):
        for start, stop in _chunks(n_draws, len(mult)):
            yield start, stop, rng.multinomial(n, mult / n, size=stop - start).astype(float)
        return
    # Items in runs of equal pair profile: positions drawn uniformly, read as profiles.
    n_prof, profile = len(mult), design.joint_positions
    for start, stop in _chunks(n_draws, n):
        rows = stop - start
        drawn = profile[rng.integers(0, n, size=(rows, n), dtype=np.uint32)]
        drawn += (np.arange(rows, dtype=np.int64) * n_prof)[:, None]
        counts = np.bincount(drawn.ravel(), minlength=rows * n_prof)
        yield start, stop, counts.reshape(rows, n_prof).astype(float)


def _joint_swaps(
    rng: np.random.Generator, design: Design, n_draws: int
) -> Iterator[tuple[int, int, np.ndarray]]:
    """(start, stop, swapped): how many items of each pair profile had their two
    annotation sets swapped, per permutation (each item with probability 1/2)."""
    mult = design.joint_mult
    if not _per_item(design):
        for start, stop in _chunks(n_draws, len(mult)):
            yield start, stop, rng.binomial(mult, 0.5, size=(stop - start, len(mult))).astype(float)
        return
    n, n_prof, profile = design.n_shared, len(mult), design.joint_positions
    for start, stop in _chunks(n_draws, n):
        rows = stop - start
        random_bytes = rng.integers(0, 256, size=(rows, (n + 7) // 8), dtype=np.uint8)
        coins = np.unpackbits(random_bytes, axis=1, count=n)
        bins = profile[None, :] + (np.arange(rows, dtype=np.int64) * n_prof)[:, None]
        swapped = np.bincount(bins.ravel(), weights=coins.ravel(), minlength=rows * n_prof)
        yield start, stop, swapped.reshape(rows, n_prof)


def bootstrap_sums(design: Design, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(n_boot, f) feature sums of each side over bootstrap resamples of the items."""
    rng = np.random.default_rng(seed)
    width = design.pool.shape[1]
    before = np.zeros((n_boot, width))
    after = np.zeros((n_boot, width))
    if design.n_shared:
        for start, stop, draws in _joint_resamples(rng, design, n_boot):
            before[start:stop] += draws @ design.joint_before
            after[start:stop] += draws @ design.joint_after
    before += _multinomial_sums(rng, design.pool_before, design.pool, n_boot)
    after += _multinomial_sums(rng, design.pool_after, design.pool, n_boot)
    return before, after


def permutation_sums(design: Design, n_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(n_perm, f) feature sums of each side with the release labels permuted: shared
    items' sets swapped with probability 1/2, one-sided items dealt out again."""
    rng = np.random.default_rng(seed)
    point_before, point_after = design.point_sums()
    before = np.tile(point_before, (n_perm, 1))
    after = np.tile(point_after, (n_perm, 1))
    if design.n_shared:
        delta = design.joint_after - design.joint_before
        for start, stop, swapped in _joint_swaps(rng, design, n_perm):
            moved = swapped @ delta
            before[start:stop] += moved
            after[start:stop] -= moved
    n_before, n_after = int(design.pool_before.sum()), int(design.pool_after.sum())
    if n_before and n_after:
        total = design.pool_before + design.pool_after
        used = np.flatnonzero(total)
        base_before = design.pool_before @ design.pool
        for start, stop in _chunks(n_perm, len(used)):
            dealt = rng.multivariate_hypergeometric(total[used], n_before, size=stop - start)
            sums_before = dealt.astype(float) @ design.pool[used]
            before[start:stop] += sums_before - base_before
            after[start:stop] -= sums_before - base_before
    return before, after
