"""Pairs of ratings of the same item by two annotators, and per-pair confusion tables.

Ratings are grouped by item (a stable sort, skipped when the input already is), and
pairs are taken offset by offset within an item (1, 2, ...), each step vectorised, so
the work is proportional to the number of pairs. Each rating is coded as
annotator * q + label; since labels are below q, the smaller code of a pair is the
lower-coded annotator, which orients every pair without sorting by annotator. The
(annotator, label, annotator, label) bins are counted without storing the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.ratings import Ratings

_DIRECT_BINS = 20_000_000


@dataclass(frozen=True, eq=False)
class RatingPairs:
    ratings: Ratings
    coded: np.ndarray  # annotator * q + label, ratings grouped by item
    item: np.ndarray  # item code, ratings grouped by item
    firsts: tuple[np.ndarray, ...]  # firsts[d - 1]: ratings with another d places later
    pair_a: np.ndarray  # annotator codes of each annotator pair present, a < b
    pair_b: np.ndarray
    point_tables: np.ndarray  # (pairs, q, q) counts; rows are annotator a

    @property
    def n_pairs(self) -> int:
        return len(self.pair_a)

    @property
    def n_rating_pairs(self) -> int:
        return sum(len(f) for f in self.firsts)

    def _oriented(self, offset: int, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.coded[first], self.coded[first + offset]
        return np.minimum(x, y).astype(np.int64), np.maximum(x, y).astype(np.int64)

    @cached_property
    def bins(self) -> np.ndarray:
        """Flat (pair, label, label) bin of every rating pair (kept for the bootstrap)."""
        q = self.ratings.n_categories
        n_annot = self.ratings.n_annotators
        known = self.pair_a * n_annot + self.pair_b
        parts = []
        for d, first in enumerate(self.firsts, start=1):
            low, high = self._oriented(d, first)
            pair = np.searchsorted(known, (low // q) * n_annot + high // q)
            parts.append((pair * q + low % q) * q + high % q)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    @cached_property
    def items(self) -> np.ndarray:
        parts = [self.item[f] for f in self.firsts]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def tables(self, item_weights: np.ndarray | None = None) -> np.ndarray:
        """(annotator pairs, q, q) confusion tables; rows are the lower-coded annotator."""
        if item_weights is None:
            return self.point_tables
        q = self.ratings.n_categories
        size = self.n_pairs * q * q
        flat = np.bincount(self.bins, weights=item_weights[self.items], minlength=size)
        return flat.reshape(self.n_pairs, q, q)


def _grouped_by_item(ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
    item = ratings.item
    coded = ratings.annotator * np.int32(ratings.n_categories) + ratings.label
    if len(item) > 1 and (np.diff(item) < 0).any():
        order = np.argsort(item, kind="stable")
        return item[order], coded[order]
    return item, coded


def rating_pairs(ratings: Ratings) -> RatingPairs:
    item, coded = _grouped_by_item(ratings)
    m = ratings.ratings_per_item
    ends = np.cumsum(m)
    # How many ratings of the same item follow each rating.
    following = (ends[item] - 1 - np.arange(len(item), dtype=np.int64)).astype(np.int32)
    firsts = []
    candidates = np.flatnonzero(following >= 1).astype(np.int32)
    offset = 1
    while len(candidates):
        firsts.append(candidates)
        offset += 1
        candidates = candidates[following[candidates] >= offset]
    n_annot, q = ratings.n_annotators, ratings.n_categories
    span = n_annot * q
    if span * span <= _DIRECT_BINS:
        # One pass over the pairs counts every (annotator, label, annotator, label) bin
        # in the order the pair happens to come; folding the table orients it after.
        flat = np.zeros(span * span)
        for d, first in enumerate(firsts, start=1):
            key = coded[first].astype(np.int64) * span
            key += coded[first + d]
            flat += np.bincount(key, minlength=span * span)
        ordered = flat.reshape(n_annot, q, n_annot, q).transpose(0, 2, 1, 3)
        both = ordered + ordered.transpose(1, 0, 3, 2)
        upper = np.triu(np.ones((n_annot, n_annot), dtype=bool), k=1).ravel()
        both = both.reshape(n_annot * n_annot, q, q)
        present = np.flatnonzero(upper & (both.sum(axis=(1, 2)) > 0))
        tables = both[present]
        return _make(ratings, coded, item, firsts, present, tables)
    keys = []
    for d, first in enumerate(firsts, start=1):
        x, y = coded[first].astype(np.int64), coded[first + d].astype(np.int64)
        keys.append((np.minimum(x, y) // q) * n_annot + np.maximum(x, y) // q)
    present = np.sort(pd.unique(np.concatenate(keys))) if keys else np.zeros(0, np.int64)
    pairs = _make(ratings, coded, item, firsts, present, np.zeros((len(present), q, q)))
    flat = np.bincount(pairs.bins, minlength=len(present) * q * q).astype(float)
    return _make(ratings, coded, item, firsts, present, flat.reshape(len(present), q, q))


def _make(
    ratings: Ratings,
    coded: np.ndarray,
    item: np.ndarray,
    firsts: list[np.ndarray],
    present: np.ndarray,
    tables: np.ndarray,
) -> RatingPairs:
    n_annot = max(ratings.n_annotators, 1)
    return RatingPairs(
        ratings=ratings,
        coded=coded,
        item=item,
        firsts=tuple(firsts),
        pair_a=(present // n_annot).astype(np.int64),
        pair_b=(present % n_annot).astype(np.int64),
        point_tables=tables,
    )
