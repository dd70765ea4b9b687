"""Coding a long table of annotations once, so every metric works on integer arrays.

The long table has one row per annotation: ``item``, ``annotator``, ``label`` and
optionally ``created_at`` and ``gold``. Rows with a missing label are dropped (a
missing rating is normal). When one annotator labelled one item twice, the latest
row (by ``created_at`` when present, otherwise the last row) is kept.

Rows with ``gold`` true are reference answers: they are kept apart (for accuracy)
and never take part in agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.bootstrap import Profiles, profiles_from_keys, profiles_of
from guidelines_app.domain.errors import InvalidInput, Problem


@dataclass(frozen=True, eq=False)
class Ratings:
    """Annotations coded as integers, one per (item, annotator), in input order.

    ``item``, ``annotator`` and ``label`` hold one code per rating; ``item_ids``,
    ``annotator_ids`` and ``categories`` decode them. ``values`` gives each category's
    position on a numeric scale (the label itself when numeric, otherwise its rank in
    ``categories``); ``ordered`` says whether that scale is meaningful.
    """

    item: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    item_ids: pd.Index
    annotator_ids: pd.Index
    categories: tuple
    values: np.ndarray
    ordered: bool
    duplicates_dropped: int = 0
    gold_item: np.ndarray | None = None
    gold_label: np.ndarray | None = None

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_annotators(self) -> int:
        return len(self.annotator_ids)

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    @property
    def n_annotations(self) -> int:
        return len(self.label)

    @cached_property
    def counts(self) -> np.ndarray:
        """Items x categories matrix: how many annotators chose each category."""
        if "profiles" in self.__dict__:  # already known: no second pass over the ratings
            return self.profiles.rows[self.profiles.item_profile]
        q = self.n_categories
        flat = self.item.astype(np.int64) * q
        flat += self.label
        return np.bincount(flat, minlength=self.n_items * q).reshape(self.n_items, q)

    @cached_property
    def ratings_per_item(self) -> np.ndarray:
        if "counts" in self.__dict__:
            return self.counts.sum(axis=1)
        if "profiles" in self.__dict__:
            return self.profiles.ratings_per_profile[self.profiles.item_profile]
        return np.bincount(self.item, minlength=self.n_items)

    @cached_property
    def n_pairable_items(self) -> int:
        profiles = self.profiles
        return int(profiles.multiplicity[profiles.ratings_per_profile >= 2].sum())

    @cached_property
    def profiles(self) -> Profiles:
        """The distinct count vectors of the items (bootstrap.py), computed once and shared
        by every coefficient over items. Each item's vector is coded as one number,
        sum over its ratings of radix ** label, with one weighted bincount over the
        ratings, so the items x categories matrix need not be built first. With one
        rating per (item, annotator), no count exceeds the number of annotators."""
        if "counts" not in self.__dict__ and self.n_items:
            q = self.n_categories
            radix = self.n_annotators + 1
            if "ratings_per_item" in self.__dict__ or q * np.log2(max(radix, 2)) >= 52:
                radix = int(self.ratings_per_item.max()) + 1  # tighter, one more pass
            if q * np.log2(max(radix, 2)) < 52:  # every key exact in a float64
                # Integer powers, then floats: a float ** array goes through a vectorised
                # pow that may miss by an ulp (13.0 ** 4 -> 28560.999... with AVX-512),
                # and the truncated key would decode as another count vector.
                powers = (radix ** np.arange(q, dtype=np.int64)).astype(np.float64)
                key = np.bincount(self.item, weights=powers[self.label], minlength=self.n_items)
                return profiles_from_keys(key.astype(np.int64), radix, self.n_categories)
        return profiles_of(self.counts)

    def annotator_index(self, annotator: object) -> int:
        matches = np.flatnonzero(self.annotator_ids == annotator)
        if len(matches) == 0:
            raise InvalidInput(f"unknown annotator {annotator!r}")
        return int(matches[0])


def _code_labels(
    labels: pd.Series, categories: Sequence | None
) -> tuple[np.ndarray, tuple, np.ndarray, bool]:
    """Codes, categories, category values, and whether the categories are ordered."""
    if categories is not None:
        cats = list(categories)
        index = pd.Index(cats)
        if not index.is_unique:
            raise InvalidInput("categories must not repeat")
        codes = index.get_indexer(labels.to_numpy())
        if (codes < 0).any():
            unknown = [plain_scalar(v) for v in pd.unique(labels.to_numpy()[codes < 0])[:5]]
            raise InvalidInput(
                "labels not among the categories",
                problems=[Problem(f"unknown label {v!r}", path="label") for v in unknown],
            )
        numeric = pd.api.types.is_numeric_dtype(index) and not pd.api.types.is_bool_dtype(index)
        values = index.to_numpy(dtype=float) if numeric else np.arange(len(cats), dtype=float)
        return codes.astype(np.int32), tuple(plain_scalar(c) for c in cats), values, True
    numeric = pd.api.types.is_numeric_dtype(labels) and not pd.api.types.is_bool_dtype(labels)
    try:
        codes, uniques = _factorize(labels)
    except TypeError:  # labels of mixed types cannot be sorted: keep first appearance
        codes, uniques = pd.factorize(labels, sort=False)
    uniques = pd.Index(uniques)
    values = uniques.to_numpy(dtype=float) if numeric else np.arange(len(uniques), dtype=float)
    return codes.astype(np.int32), tuple(plain_scalar(c) for c in uniques), values, numeric


def _factorize(
    column: pd.Series, dtype: type[np.signedinteger] = np.int32
) -> tuple[np.ndarray, np.ndarray]:
    """Codes in sorted order of the values. Integers over a compact range are coded by
    direct lookup, several times faster than hashing."""
    values = column.to_numpy()
    if len(values) and values.dtype.kind in "iu":
        low, high = int(values.min()), int(values.max())
        span = high - low + 1
        if span <= 4 * len(values) + 1024:
            shifted = (values - low if low else values).astype(np.intp, copy=False)
            seen = np.zeros(span, dtype=bool)
            seen[shifted] = True
            if seen.all():  # already codes 0..k-1 (plus an offset): nothing to look up
                return shifted.astype(dtype), np.arange(low, high + 1)
            rank = np.cumsum(seen, dtype=dtype) - 1
            return rank[shifted], np.flatnonzero(seen) + low
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(dtype), uniques


def plain_scalar(value: object) -> object:
    """A numpy scalar as the Python scalar it stands for (JSON-friendly)."""
    return value.item() if isinstance(value, np.generic) else value


def prepare(
    frame: pd.DataFrame,
    *,
    categories: Sequence | None = None,
    item: str = "item",
    annotator: str = "annotator",
    label: str = "label",
) -> Ratings:
    """Code a long table of annotations once; every metric then works on integer arrays."""
    missing = [c for c in (item, annotator, label) if c not in frame.columns]
    if missing:
        raise InvalidInput(
            "missing columns",
            problems=[Problem(f"column {c!r} is required", path=c) for c in missing],
        )
    if categories is None:
        from guidelines_app.domain.agreement import ratings_scan  # builds on this module

        scanned = ratings_scan.scan(frame, item, annotator, label)
        if scanned is not None:
            return scanned
    present = frame[label].notna().to_numpy()
    if not present.all():
        frame = frame[present]
    anonymous = frame[item].isna().to_numpy() | frame[annotator].isna().to_numpy()
    if anonymous.any():
        rows = np.flatnonzero(anonymous)[:5].tolist()
        raise InvalidInput(
            f"{int(anonymous.sum())} labelled rows have no item or no annotator",
            problems=[Problem("missing item or annotator", path=f"rows[{r}]") for r in rows],
        )
    if "created_at" in frame.columns and _needs_time_order(frame["created_at"]):
        frame = frame.sort_values("created_at", kind="stable", na_position="first")
    gold_rows = None
    if "gold" in frame.columns:
        is_gold = frame["gold"].fillna(False).astype(bool).to_numpy()
        if is_gold.any():
            gold_rows = frame[is_gold]
            frame = frame[~is_gold]
    label_codes, cats, values, ordered = _code_labels(frame[label], categories)
    item_codes, item_ids = _factorize(frame[item], np.intp)
    annot_codes, annot_ids = _factorize(frame[annotator])
    order, dropped = _latest_rating_per_annotator(
        item_codes, annot_codes, len(item_ids), len(annot_ids)
    )
    gold_item = gold_label = None
    if gold_rows is not None:
        gold_item, gold_label = _code_gold(gold_rows, item, label, pd.Index(item_ids), cats)
    return Ratings(
        item=item_codes if order is None else item_codes[order],
        annotator=annot_codes if order is None else annot_codes[order],
        label=label_codes if order is None else label_codes[order],
        item_ids=pd.Index(item_ids),
        annotator_ids=pd.Index(annot_ids),
        categories=cats,
        values=values,
        ordered=ordered,
        duplicates_dropped=dropped,
        gold_item=gold_item,
        gold_label=gold_label,
    )


def _needs_time_order(created_at: pd.Series) -> bool:
    """Whether a stable sort by time (undated rows first) would move any row: not when no
    row is dated or the rows already come in time order."""
    dated = created_at.notna()
    if not dated.any():
        return False
    return not (dated.all() and created_at.is_monotonic_increasing)


_BITSET_LIMIT = 100_000_000


def _latest_rating_per_annotator(
    item: np.ndarray, annotator: np.ndarray, n_items: int, n_annotators: int
) -> tuple[np.ndarray | None, int]:
    """Rows to keep (None: all, in input order) and how many repeated ratings were dropped.

    A bitset over (item, annotator) finds out cheaply that nothing repeats, the usual
    case; otherwise a stable sort by (item, annotator) keeps the last row of each run.
    """
    if not _may_repeat(item, annotator, n_items, max(n_annotators, 1)):
        return None, 0
    key = item.astype(np.int64) * max(n_annotators, 1)
    key += annotator
    order = np.argsort(key, kind="stable")
    key = key[order]
    last_of_run = np.ones(len(key), dtype=bool)
    last_of_run[:-1] = key[1:] != key[:-1]
    return order[last_of_run], int(len(key) - last_of_run.sum())


_CHUNK_BITS = 1 << 21


def _may_repeat(item: np.ndarray, annotator: np.ndarray, n_items: int, n_annotators: int) -> bool:
    """False when no (item, annotator) occurs twice. Rows grouped by item (the usual
    layout of an export) are checked a slice of items at a time with one small bitset,
    reused; otherwise with one bitset over every (item, annotator), if not too large."""
    if len(item) < 2:
        return False
    if (item[1:] >= item[:-1]).all():
        step = max(1, _CHUNK_BITS // n_annotators)
        bounds = np.searchsorted(item, np.arange(0, n_items + step, step))
        seen = np.zeros(step * n_annotators, dtype=bool)
        for start, stop in pairwise(bounds):
            if stop - start < 2:
                continue
            key = item[start:stop] - item[start]
            key *= n_annotators
            key += annotator[start:stop]
            used = seen[: (int(item[stop - 1] - item[start]) + 1) * n_annotators]
            used[:] = False
            used[key] = True
            if np.count_nonzero(used) != stop - start:
                return True
        return False
    n_keys = n_items * n_annotators
    if n_keys > _BITSET_LIMIT:
        return True
    key = item.astype(np.int64) * n_annotators
    key += annotator
    seen = np.zeros(n_keys, dtype=bool)
    seen[key] = True
    return np.count_nonzero(seen) != len(key)


def _code_gold(
    gold_rows: pd.DataFrame, item: str, label: str, item_ids: pd.Index, cats: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """Gold label code per rated item (the latest gold row wins); -1 for an unknown label."""
    latest = gold_rows.drop_duplicates(subset=[item], keep="last")
    items = item_ids.get_indexer(latest[item].to_numpy())
    labels = pd.Index(cats).get_indexer(latest[label].to_numpy())
    known = items >= 0
    return items[known].astype(np.int64), labels[known].astype(np.int64)


def ensure_ratings(
    frame_or_ratings: pd.DataFrame | Ratings, categories: Sequence | None
) -> Ratings:
    if isinstance(frame_or_ratings, Ratings):
        return frame_or_ratings
    return prepare(frame_or_ratings, categories=categories)


def from_wide(table: Sequence[Sequence] | np.ndarray | pd.DataFrame) -> pd.DataFrame:
    """A long table from a units x annotators table with None/NaN for missing ratings."""
    wide = pd.DataFrame(table)
    long = wide.stack(future_stack=True).dropna().reset_index()
    long.columns = ["item", "annotator", "label"]
    return long
