"""Bootstrap of the coefficients that depend on who rated what (Cohen, Scott, Conger).

A resample takes item i W_i times, W the multinomial counts of N draws with
replacement: ``item_count_draws`` (the same counts, in the same order, as a loop
calling ``pairs.tables(w)`` once per resample would use, so the intervals are those of
that loop). A resample's per-pair tables are the bincount of the pair bins (pairs.py)
weighted by W. Several resamples share one
pass over the bins: their counts are packed into one float64 per item, lane j holding
W_j * 2^(s j), so one weighted bincount sums every lane at once, exactly, as long as no
lane's sum reaches 2^s. s is chosen from the largest bin and a cap on W; a resample that
draws an item more often than the cap is summed on its own.

Only bins that hold a pair of ratings can hold one in a resample, so the sums run
over those bins (few on small data, where most annotator pairs never meet).

Conger's kappa needs, besides the tables, how often each annotator used each label
and the observed agreement over items; both follow from the tables kept apart by the
number of ratings m of their items (an item with m ratings appears in m - 1 of its
pairs of ratings through each rating, and in m (m - 1) / 2 pairs in all), plus the
items with a single rating (``by_size``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from guidelines_app.domain.agreement.bootstrap import item_count_draws
from guidelines_app.domain.agreement.pairs import RatingPairs, weighted_sums

FLOAT_BITS = 53  # integers below 2^53 are exact in a float64
WEIGHT_CAP = 15  # packing assumes no item is drawn more often than this in a resample
_BATCH_CELLS = 4_000_000  # table cells held at once before the statistics reduce them


@dataclass(frozen=True, eq=False)
class PairSums:
    """Resampled sums for a batch of b resamples (first axis). The sums Conger's kappa
    needs are only there when asked for (``by_size``)."""

    tables: np.ndarray  # (b, pairs, q, q) per annotator pair, rows the lower-coded annotator
    classified: np.ndarray | None  # (b, annotators, q) ratings per annotator and label
    agreement_cells: np.ndarray | None  # (b, q, q) sum_i W_i pairs_i(k, l) / (m_i (m_i - 1))
    rated_labels: np.ndarray | None  # (b, q) sum_i W_i n_ik / (m_i (m_i - 1)), m_i >= 2

    @cached_property
    def marginals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``table_marginals`` of the tables, shared by every statistic of the batch."""
        return table_marginals(self.tables)


def table_marginals(tables: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For (b, pairs, q, q) tables: (b, pairs) number of items, (b, pairs, q) row and
    column totals (as matrix products: reductions over axes of length q are slow)."""
    b, n_pairs, q = tables.shape[:3]
    ones = np.ones(q)
    rows = (tables.reshape(-1, q) @ ones).reshape(b, n_pairs, q)
    cols = ones @ tables.reshape(b * n_pairs, q, q)
    return rows @ ones, rows, cols.reshape(b, n_pairs, q)


PairStatistic = Callable[[PairSums], np.ndarray]


def lane_bits(pairs: RatingPairs, cap: int = WEIGHT_CAP) -> int:
    """Bits per packed resample: enough for the largest bin count times ``cap``."""
    largest = max([g.max_bin_count for g in pairs.groups] + [1])
    if len(pairs.single_codes):
        largest = max(largest, int(np.bincount(pairs.single_codes).max()))
    return max(int(cap * largest).bit_length(), int(cap).bit_length())


@dataclass(frozen=True, eq=False)
class _UsedBins:
    """The bins holding at least one pair of ratings, numbered 0..K-1."""

    pairs: RatingPairs

    @cached_property
    def index(self) -> np.ndarray | None:
        """Bin of each used bin; None when (nearly) every bin is used: bins as they are."""
        flat = self.pairs.point_tables.reshape(-1)
        used = np.flatnonzero(flat)
        return None if len(used) > 0.75 * len(flat) else used

    @property
    def size(self) -> int:
        return self.pairs.n_bins if self.index is None else len(self.index)

    @cached_property
    def codes(self) -> list[np.ndarray]:
        """Each size group's pairs of ratings, as used-bin numbers."""
        if self.index is None:
            return [group.bins for group in self.pairs.groups]
        rank = np.zeros(self.pairs.n_bins, dtype=np.int64)
        rank[self.index] = np.arange(len(self.index))
        return [rank[group.bins] for group in self.pairs.groups]

    @cached_property
    def cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per used bin: its cell (k * q + l), and the codes (annotator * q + label) of
        the lower-coded annotator's rating and of the other's."""
        q = self.pairs.ratings.n_categories
        bins = np.arange(self.pairs.n_bins) if self.index is None else self.index
        pair, cell = bins // (q * q), bins % (q * q)
        low = self.pairs.pair_a[pair] * q + cell // q
        high = self.pairs.pair_b[pair] * q + cell % q
        return cell, low, high


def pair_bootstrap(
    pairs: RatingPairs,
    statistics: Sequence[PairStatistic],
    n_boot: int,
    seed: int,
    *,
    by_size: bool = False,
) -> np.ndarray:
    """(n_boot, len(statistics)) values of each statistic over bootstrap resamples."""
    out = np.full((n_boot, len(statistics)), np.nan)
    if n_boot <= 0 or not statistics:
        return out
    bits = lane_bits(pairs)
    lanes = max(1, FLOAT_BITS // bits)
    batch = max(1, _BATCH_CELLS // max(pairs.n_bins, 1) // lanes) * lanes
    used = _UsedBins(pairs)
    draws = item_count_draws(pairs.ratings.n_items, n_boot, seed)
    for start in range(0, n_boot, batch):
        size = min(batch, n_boot - start)
        sums = _resampled_sums(used, draws, size, bits, lanes, by_size)
        for k, statistic in enumerate(statistics):
            out[start : start + size, k] = statistic(sums)
    return out


def weighted_tables(pairs: RatingPairs, weights: Sequence[np.ndarray]) -> np.ndarray:
    """(len(weights), pairs, q, q): ``pairs.tables(w)`` for each vector of whole-number
    item weights, several per pass over the rating pairs."""
    if not weights:
        q = pairs.ratings.n_categories
        return np.zeros((0, pairs.n_pairs, q, q))
    counts = [np.asarray(w).astype(np.int64) for w in weights]
    if any(
        not np.array_equal(c, w) or c.min(initial=0) < 0
        for c, w in zip(counts, weights, strict=True)
    ):
        return np.stack([pairs.tables(np.asarray(w, dtype=float)) for w in weights])
    bits = lane_bits(pairs)
    lanes = max(1, FLOAT_BITS // bits)
    return _resampled_sums(_UsedBins(pairs), iter(counts), len(counts), bits, lanes, False).tables


def _resampled_sums(
    used: _UsedBins, draws: Iterator[np.ndarray], size: int, bits: int, lanes: int, by_size: bool
) -> PairSums:
    """PairSums of the next ``size`` resamples (how many times each item is drawn).
    Resamples are drawn a block of lanes at a time, so few item-sized arrays live at once."""
    pairs = used.pairs
    ratings = pairs.ratings
    q, n_annot = ratings.n_categories, ratings.n_annotators
    n_codes = n_annot * q
    found = np.zeros((size, used.size))
    sized = _SizeSums.zeros(size, n_codes, q) if by_size else None
    row = 0
    while row < size:
        block = [next(draws) for _ in range(min(lanes, size - row))]
        if max(int(counts.max(initial=0)) for counts in block) > WEIGHT_CAP:
            parts = [([counts], FLOAT_BITS) for counts in block]  # exact without packing
        else:
            parts = [(block, bits)]
        del block
        for part, width in parts:
            packed = _pack(part, width)
            done = slice(row, row + len(part))
            for group, codes in zip(pairs.groups, used.codes, strict=True):
                sums = _unpack(
                    weighted_sums(codes, packed[group.items], used.size), len(part), width
                )
                found[done] += sums
                if sized is not None:
                    sized.add_group(done, used, sums, float(group.size))
            if sized is not None and len(pairs.single_items):
                sums = np.bincount(
                    pairs.single_codes, weights=packed[pairs.single_items], minlength=n_codes
                )
                sized.classified[done] += _unpack(sums, len(part), width)
            row += len(part)
    if used.index is None:
        tables = found
    else:
        tables = np.zeros((size, pairs.n_bins))
        tables[:, used.index] = found
    return PairSums(
        tables=tables.reshape(size, pairs.n_pairs, q, q),
        classified=None if sized is None else sized.classified.reshape(size, n_annot, q),
        agreement_cells=None if sized is None else sized.cells.reshape(size, q, q),
        rated_labels=None if sized is None else sized.rated,
    )


@dataclass(frozen=True, eq=False)
class _SizeSums:
    """The sums Conger's kappa needs besides the tables (``by_size``), being added up
    for ``size`` resamples: (size, annotators * q), (size, q * q) and (size, q)."""

    classified: npt.NDArray[np.float64]
    cells: npt.NDArray[np.float64]
    rated: npt.NDArray[np.float64]

    @classmethod
    def zeros(cls, size: int, n_codes: int, q: int) -> _SizeSums:
        return cls(np.zeros((size, n_codes)), np.zeros((size, q * q)), np.zeros((size, q)))

    def add_group(self, done: slice, used: _UsedBins, sums: np.ndarray, m: float) -> None:
        """Adds the sums of a group of items with m ratings each: each rating is in
        m - 1 of its item's pairs, and the item has m (m - 1) ordered pairs."""
        q = used.pairs.ratings.n_categories
        self.classified[done] += _labels_by_annotator(used, sums) / (m - 1.0)
        in_cells = _cells(used, sums) / (m * (m - 1.0))
        self.cells[done] += in_cells
        both = in_cells.reshape(-1, q, q) / (m - 1.0)
        self.rated[done] += both.sum(axis=2) + both.sum(axis=1)


def _cells(used: _UsedBins, sums: np.ndarray) -> np.ndarray:
    """(lanes, q * q): per lane, the sums over annotator pairs of each cell (k, l)."""
    q = used.pairs.ratings.n_categories
    if used.index is None:
        return sums.reshape(len(sums), used.pairs.n_pairs, q * q).sum(axis=1)
    cell = used.cells[0]
    offset = (np.arange(len(sums)) * (q * q))[:, None]
    flat = np.bincount((offset + cell).ravel(), weights=sums.ravel(), minlength=len(sums) * q * q)
    return flat.reshape(len(sums), q * q)


def _labels_by_annotator(used: _UsedBins, sums: np.ndarray) -> np.ndarray:
    """(lanes, annotators * q): per lane, each (annotator, label)'s total over the bins
    where it is the lower-coded or the other rating."""
    pairs = used.pairs
    q, n_annot = pairs.ratings.n_categories, pairs.ratings.n_annotators
    lanes = len(sums)
    size = lanes * n_annot * q
    if used.index is None:  # row and column totals of each table, as matrix products
        ones = np.ones(q)
        rows = sums.reshape(-1, q) @ ones
        cols = ones @ sums.reshape(-1, q, q)
        lane = np.arange(lanes)[:, None, None] * n_annot
        low = ((lane + pairs.pair_a[None, :, None]) * q + np.arange(q)).ravel()
        high = ((lane + pairs.pair_b[None, :, None]) * q + np.arange(q)).ravel()
        out = np.bincount(low, weights=rows, minlength=size)
        out += np.bincount(high, weights=cols.ravel(), minlength=size)
        return out.reshape(lanes, n_annot * q)
    _, low, high = used.cells
    offset = (np.arange(lanes) * (n_annot * q))[:, None]
    out = np.bincount((offset + low).ravel(), weights=sums.ravel(), minlength=size)
    out += np.bincount((offset + high).ravel(), weights=sums.ravel(), minlength=size)
    return out.reshape(lanes, n_annot * q)


def _pack(counts: list[np.ndarray], bits: int) -> np.ndarray:
    """One float64 per item holding every resample's count in its own ``bits`` bits (the
    count arrays are scratch: they are shifted in place)."""
    packed = counts[0]
    for lane, row in enumerate(counts[1:], start=1):
        np.left_shift(row, bits * lane, out=row)
        packed += row
    return packed.astype(float)


def _unpack(sums: np.ndarray, n_lanes: int, bits: int) -> np.ndarray:
    """(n_lanes, len(sums)): each lane's sums out of the packed ones."""
    if n_lanes == 1:
        return sums[None, :]
    whole = sums.astype(np.int64)
    mask = (1 << bits) - 1
    return np.stack([(whole >> (bits * lane)) & mask for lane in range(n_lanes)])
