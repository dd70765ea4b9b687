"""Pairs of ratings of the same item by two annotators, and per-pair confusion tables.

Items are grouped by their number of ratings m. Within a group, the ratings of each
item form one row of an (items x m) block, so the pairs of ratings are the m(m-1)/2
column pairs of that block, each a vector over the group's items. Each rating is
coded as annotator * q + label; since labels are below q, the smaller code of a pair
is the lower-coded annotator, which orients every pair without sorting by annotator.
Every pair of ratings is coded once, at preparation, as its bin (annotator pair,
label of the lower-coded annotator, label of the other) of the stacked q x q tables;
the tables are then a bincount of those bins, and a resample's tables the same
bincount weighted by how often each item was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from guidelines_app.domain.agreement.ratings import Ratings

# Above this many (code, code) combinations, annotator pairs are found by hashing.
_DIRECT_BINS = 20_000_000


@dataclass(frozen=True, eq=False)
class SizeGroup:
    """The items with ``size`` ratings and the bin of each of their pairs of ratings."""

    size: int
    items: np.ndarray  # (n,) item codes
    bins: np.ndarray  # (size * (size - 1) / 2, n) int64: one row per pair of positions
    max_bin_count: int  # the most pairs of ratings of this group in any one bin


@dataclass(frozen=True, eq=False)
class RatingPairs:
    ratings: Ratings
    groups: tuple[SizeGroup, ...]  # items with two or more ratings, by number of ratings
    single_items: np.ndarray  # items with exactly one rating
    single_codes: np.ndarray  # annotator * q + label of that rating
    pair_a: np.ndarray  # annotator codes of each annotator pair present, a < b
    pair_b: np.ndarray
    point_tables: np.ndarray  # (pairs, q, q) counts; rows are annotator a

    @property
    def n_pairs(self) -> int:
        return len(self.pair_a)

    @property
    def n_rating_pairs(self) -> int:
        return sum(group.bins.size for group in self.groups)

    @property
    def n_bins(self) -> int:
        return self.n_pairs * self.ratings.n_categories**2

    def tables(self, item_weights: np.ndarray | None = None) -> np.ndarray:
        """(annotator pairs, q, q) confusion tables; rows are the lower-coded annotator.
        With ``item_weights``, each item counts as many times as its weight says."""
        if item_weights is None:
            return self.point_tables
        weights = np.asarray(item_weights, dtype=float)
        flat = np.zeros(self.n_bins)
        for group in self.groups:
            flat += weighted_sums(group.bins, weights[group.items], self.n_bins)
        q = self.ratings.n_categories
        return flat.reshape(self.n_pairs, q, q)


def weighted_sums(codes: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Per bin (0..size-1), the sum of ``weights[i]`` over every row's ``codes[:, i]``."""
    out = np.zeros(size)
    for row in codes:
        out += np.bincount(row, weights=weights, minlength=size)
    return out


def _by_item(ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Rating codes (annotator * q + label) grouped by item, and where each item starts."""
    item = ratings.item
    span = max(ratings.n_annotators, 1) * ratings.n_categories
    coded: npt.NDArray[np.signedinteger] = ratings.annotator.astype(
        np.int32 if span < 2**31 else np.int64
    )
    coded *= ratings.n_categories
    coded += ratings.label
    if len(item) > 1 and not (item[1:] >= item[:-1]).all():
        order = np.argsort(item, kind="stable")
        coded = coded[order]
    m = ratings.ratings_per_item
    starts = np.cumsum(m) - m
    return coded, starts


def _items_by_size(m: np.ndarray) -> dict[int, np.ndarray]:
    sizes = np.flatnonzero(np.bincount(m))
    sizes = sizes[sizes >= 1]
    if len(sizes) <= 8:
        return {int(s): np.flatnonzero(m == s) for s in sizes}
    order = np.argsort(m, kind="stable")
    bounds = np.searchsorted(m[order], sizes)
    ends = np.r_[bounds[1:], len(m)]
    return {int(s): order[b:e] for s, b, e in zip(sizes, bounds, ends, strict=True)}


def _direct_codes(coded: np.ndarray, first: np.ndarray, size: int, span: int) -> np.ndarray:
    """(size * (size - 1) / 2, items): low code * span + high code of every pair of the
    ratings of items starting at ``first``, one row per pair of positions."""
    columns = [coded[first + j] for j in range(size)]
    out = np.empty((size * (size - 1) // 2, len(first)), dtype=np.int64)
    row = 0
    for j in range(size):
        for k in range(j + 1, size):
            np.multiply(np.minimum(columns[j], columns[k]), span, out=out[row])
            out[row] += np.maximum(columns[j], columns[k])
            row += 1
    return out


def rating_pairs(ratings: Ratings) -> RatingPairs:
    q, n_annot = ratings.n_categories, max(ratings.n_annotators, 1)
    span = n_annot * q
    coded, starts = _by_item(ratings)
    by_size = _items_by_size(ratings.ratings_per_item) if ratings.n_items else {}
    single = by_size.pop(1, np.zeros(0, dtype=np.int64))
    single_codes = coded[starts[single]] if len(single) else np.zeros(0, dtype=np.int64)
    # Every pair coded as low * span + high first, then mapped in place to its bin.
    codes = {
        size: _direct_codes(coded, starts[items], size, span) for size, items in by_size.items()
    }
    to_bins = _direct_bins if span * span <= _DIRECT_BINS else _hashed_bins
    present, counts = to_bins(list(codes.values()), span, q, n_annot)
    n_bins = len(present) * q * q
    groups = [
        SizeGroup(size, items, codes[size], int(c.max()) if n_bins else 0)
        for (size, items), c in zip(by_size.items(), counts, strict=True)
    ]
    flat = np.sum(counts, axis=0, dtype=float) if counts else np.zeros(n_bins)
    return RatingPairs(
        ratings=ratings,
        groups=tuple(groups),
        single_items=single,
        single_codes=single_codes,
        pair_a=(present // n_annot).astype(np.int64),
        pair_b=(present % n_annot).astype(np.int64),
        point_tables=flat.reshape(len(present), q, q),
    )


def _direct_bins(
    blocks: list[np.ndarray], span: int, q: int, n_annot: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Annotator pairs present (as a * n_annot + b) and each block's count per bin, from
    one bincount per block over (code, code); the blocks are then rewritten in place
    through a lookup table from (code, code) to bin."""
    direct = [np.bincount(block.ravel(), minlength=span * span) for block in blocks]
    total = np.sum(direct, axis=0) if direct else np.zeros(span * span, dtype=np.int64)
    used = total.reshape(n_annot, q, n_annot, q).any(axis=(1, 3)).ravel()
    present = np.flatnonzero(used)
    pair_index = np.full(n_annot * n_annot, -1, dtype=np.int64)
    pair_index[present] = np.arange(len(present))
    code = np.arange(span, dtype=np.int64)
    annot, label = code // q, code % q
    # bin of (low code, high code) = (pair index * q + low label) * q + high label; negative
    # where the annotator pair never occurs (the low code is always the lower annotator)
    lookup = (pair_index[annot[:, None] * n_annot + annot[None, :]] * q + label[:, None]) * q
    lookup = (lookup + label[None, :]).ravel()
    valid = lookup >= 0
    n_bins = len(present) * q * q
    counts = []
    for block, found in zip(blocks, direct, strict=True):
        for row in block:
            row[...] = lookup[row]
        compact = np.zeros(n_bins, dtype=np.int64)
        compact[lookup[valid]] = found[valid]
        counts.append(compact)
    return present, counts


def _hashed_bins(
    blocks: list[np.ndarray], span: int, q: int, n_annot: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    keys = [(block // span // q) * n_annot + (block % span) // q for block in blocks]
    if not keys:
        return np.zeros(0, dtype=np.int64), []
    present = np.sort(pd.unique(np.concatenate([k.ravel() for k in keys])))
    n_bins = len(present) * q * q
    counts = []
    for block, key in zip(blocks, keys, strict=True):
        low, high = block // span, block % span
        block[...] = (np.searchsorted(present, key) * q + low % q) * q + high % q
        counts.append(np.bincount(block.ravel(), minlength=n_bins))
    return present, counts
