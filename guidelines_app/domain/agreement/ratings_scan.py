"""One compiled pass over a large long table whose columns are already integers.

Exports and ML pipelines usually hand over integer ids with the rows grouped by item.
For such a table ``prepare`` need not code anything up front. One pass (numba, split
over the CPU cores at item boundaries) checks that the rows are grouped by item and
that no annotator rated an item twice, notes which annotators occur, and packs each
item's category counts into one integer; a small hash table per chunk then numbers
those integers as the distinct profiles (bootstrap.py) that every coefficient over
items works from. The integer codes of items, annotators and labels, and which
profile each item has, are derived from the columns only when a metric asks.

Two passes exist. The narrow one takes annotator ids in 0..63 and labels in 0..7,
the shape of most classification batches, and keeps its state in registers (a 64-bit
mask of the item's annotators). The wide one takes annotator ids within a range of
2 ** 22 and up to 32 label values, remembering each annotator's last item.

The result is exactly what the general coding gives (same codes, same profiles in
the same order, so the same floating-point sums). Any input outside this shape goes
the general way: labels or ids of other types, rows not grouped by item, a repeated
rating, too many ratings of one item for the packed counts, dated rows (the time
order decides which repeated rating counts), gold rows. So does everything when numba
cannot be imported.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from guidelines_app.domain.agreement.bootstrap import Profiles
from guidelines_app.domain.agreement.ratings import Ratings

SCAN_MIN_RATINGS = 200_000  # below this, the general coding is as fast as this route
MAX_ANNOTATOR_BITS = 22  # wide pass: annotator ids within a range of 2 ** 22
MAX_LABEL_BITS = 5  # wide pass: label values within a range of 32
_KEY_BITS = 63
_NARROW_LABEL_BITS = 3  # labels 0..7, 63 // 8 = 7 bits per count: up to 127 (> 64 annotators)
_TABLE_BITS = 14  # hash table of profiles per chunk: at most 8,192 distinct ones
_PROBE_ROWS = 65_536

Column = npt.NDArray[np.int64]
# One chunk's per-item profile numbers, and their global numbers (None: already global).
ChunkNumbering = tuple[Column, Column | None]


@cache
def _kernels() -> tuple[Any, Any, Any] | None:
    """The compiled passes, or None when numba cannot be imported or set up (a broken
    install, no writable cache directory): any failure only means the general way."""
    try:
        return _compile()
    except Exception:
        return None


def _compile() -> tuple[Any, Any, Any]:
    from numba import njit

    jit = njit(cache=True, nogil=True, boundscheck=False)

    @jit
    def narrow_pass(
        item: np.ndarray, annotator: np.ndarray, label: np.ndarray, start: int, stop: int,
        keys: np.ndarray,
    ) -> tuple:  # fmt: skip
        """Annotators 0..63, labels 0..7: each item's key is written to keys[start + run].
        Returns (runs, status, annotators seen as a bit mask); status 0 fine, 1 a value
        outside those ranges or rows not grouped by item (the wide pass tells which),
        2 a repeated rating. Branch-free: a new item clears the running key and mask
        through ``keep``. Indexing chunk views from zero (and the output by an unsigned
        run) spares the loop numpy's negative-index handling."""
        item, annotator, label = item[start:stop], annotator[start:stop], label[start:stop]
        out = keys[start:stop]
        powers = np.empty(8, np.int64)
        for k in range(8):
            powers[k] = np.int64(1) << (7 * k)
        current = item[0]
        run: int | np.int64 = 0  # numba types these counters int64 either way
        key = 0
        mask: int | np.int64 = 0
        seen = 0
        repeated = 0
        back = False
        a_bits = 0
        l_bits = 0
        for i in range(len(item)):
            it = item[i]
            a = annotator[i]
            lab = label[i]
            back |= it < current
            new = np.int64(it != current)
            current = it
            run += new
            keep = new - 1
            a_bits |= a  # every bit any annotator id or label has, checked at the end
            l_bits |= lab
            bit = np.int64(1) << (a & 63)
            mask &= keep
            repeated |= mask & bit
            mask |= bit
            seen |= bit
            key = (key & keep) + powers[lab & 7]
            out[np.uint64(run)] = key
        status = 1 if back or a_bits & ~63 or l_bits & ~7 else (2 if repeated != 0 else 0)
        return run + 1, status, seen

    @jit
    def wide_pass(
        item: np.ndarray, annotator: np.ndarray, label: np.ndarray, start: int, stop: int,
        a_low: int, a_bits: int, l_low: int, l_bits: int, bits: int, keys: np.ndarray,
    ) -> tuple:  # fmt: skip
        """Annotator offsets from a_low below 2 ** a_bits, label offsets from l_low below
        2 ** l_bits, ``bits`` per packed count. Returns (runs, ok, annotator offsets
        seen); not ok when rows are not grouped, a rating repeats, a count overflows or
        a value lies outside the ranges."""
        cap = (1 << bits) - 1
        l_mask = (1 << l_bits) - 1
        powers = np.empty(l_mask + 1, np.int64)
        for k in range(l_mask + 1):
            powers[k] = np.int64(1) << (bits * k)
        a_mask = (1 << a_bits) - 1
        last_run = np.full(a_mask + 1, -1, np.int64)
        item, annotator, label = item[start:stop], annotator[start:stop], label[start:stop]
        out = keys[start:stop]
        ok = True
        spill = 0
        run = 0
        run_start = 0
        current = item[0]
        key = 0
        for i in range(len(item)):
            it = item[i]
            if it != current:
                if it < current or i - run_start > cap:
                    ok = False
                out[np.uint64(run)] = key
                run += 1
                run_start = i
                current = it
                key = 0
            a = annotator[i] - a_low
            lab = label[i] - l_low
            spill |= (a & ~a_mask) | (lab & ~l_mask)
            a &= a_mask
            if last_run[a] == run:
                ok = False
            last_run[a] = run
            key += powers[lab & l_mask]
        out[np.uint64(run)] = key
        if len(item) - run_start > cap or spill != 0:
            ok = False
        return run + 1, ok, np.flatnonzero(last_run >= 0)

    @jit
    def number_profiles(keys: np.ndarray, start: int, runs: int) -> tuple:
        """Replaces keys[start:start + runs] by profile numbers in order of first
        appearance (open addressing, Fibonacci hashing). Returns (distinct keys, their
        multiplicities, ok); not ok when the table would fill beyond half."""
        size = 1 << _TABLE_BITS
        table = np.full(size, -1, np.int64)
        numbers = np.zeros(size, np.int64)
        distinct = np.empty(size // 2, np.int64)
        multiplicity = np.zeros(size // 2, np.int64)
        n_profiles = 0
        shift = np.uint64(64 - _TABLE_BITS)
        keys = keys[start : start + runs]
        for i in range(len(keys)):
            key = keys[i]
            h = np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> shift)
            while table[h] != key and table[h] != -1:
                h = (h + 1) & (size - 1)
            if table[h] == -1:
                if 2 * (n_profiles + 1) > size:
                    return distinct[:0].copy(), multiplicity[:0].copy(), False
                table[h] = key
                numbers[h] = n_profiles
                distinct[n_profiles] = key
                n_profiles += 1
            p = numbers[h]
            multiplicity[p] += 1
            keys[i] = p
        return distinct[:n_profiles].copy(), multiplicity[:n_profiles].copy(), True

    return narrow_pass, wide_pass, number_profiles


def _integer_column(frame: pd.DataFrame, name: str) -> Column | None:
    dtype = frame[name].dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iu":
        return None
    if dtype.kind == "u" and dtype.itemsize == 8:  # may not fit in an int64
        return None
    values = frame[name].to_numpy()
    return values if dtype == np.int64 else values.astype(np.int64)


def _chunks(item: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """[start, stop) ranges, one per worker, each beginning where an item begins."""
    n = len(item)
    bounds = [0]
    for k in range(1, parts):
        b = max(bounds[-1], k * n // parts)
        while 0 < b < n and item[b] == item[b - 1]:
            b += 1
        bounds.append(b)
    bounds.append(n)
    return [(s, e) for s, e in itertools.pairwise(bounds) if e > s]


@cache
def _pool() -> tuple[ThreadPoolExecutor, int]:
    """Helper threads for all chunks but the first, which the calling thread reads
    itself (the passes release the GIL), and how many chunks there are."""
    chunks = max(1, min(len(os.sched_getaffinity(0)), 8))
    helpers = ThreadPoolExecutor(max(chunks - 1, 1), thread_name_prefix="agreement-scan")
    return helpers, chunks


def _on_chunks(task: Callable[[tuple[int, int]], tuple], chunks: list) -> list[tuple]:
    helpers, _ = _pool()
    later = [helpers.submit(task, chunk) for chunk in chunks[1:]]
    return [task(chunks[0]), *(f.result() for f in later)]


# A forked worker (gunicorn) inherits no threads: it makes its own pool on first use.
os.register_at_fork(after_in_child=_pool.cache_clear)


def scan(frame: pd.DataFrame, item: str, annotator: str, label: str) -> Ratings | None:
    """The Ratings of ``frame`` by the one-pass route, or None when it does not apply."""
    if len(frame) < SCAN_MIN_RATINGS or "gold" in frame.columns:
        return None
    if "created_at" in frame.columns and frame["created_at"].notna().any():
        return None
    kernels = _kernels()
    items, annotators, labels = (_integer_column(frame, c) for c in (item, annotator, label))
    if kernels is None or items is None or annotators is None or labels is None:
        return None
    narrow_pass, wide_pass, number_profiles = kernels
    chunks = _chunks(items, _pool()[1])
    keys = np.empty(len(items), dtype=np.int64)

    def narrow(chunk: tuple[int, int]) -> tuple:
        runs, status, seen = narrow_pass(items, annotators, labels, *chunk, keys)
        if status:
            return runs, status, None, None, None
        distinct, multiplicity, ok = number_profiles(keys, chunk[0], runs)
        seen_ids = np.array([b for b in range(64) if (seen >> b) & 1], dtype=np.int64)
        return runs, 0 if ok else 2, distinct, multiplicity, seen_ids

    def wide(chunk: tuple[int, int], a_low: int, a_bits: int, l_low: int, l_bits: int) -> tuple:
        runs, ok, seen = wide_pass(
            items, annotators, labels, *chunk, a_low, a_bits, l_low, l_bits, _bits(l_bits), keys
        )
        if not ok:
            return runs, 2, None, None, None
        distinct, multiplicity, ok = number_profiles(keys, chunk[0], runs)
        return runs, 0 if ok else 2, distinct, multiplicity, seen + a_low

    probe_a, probe_l = annotators[:_PROBE_ROWS], labels[:_PROBE_ROWS]
    found = None
    if probe_a.min() >= 0 and probe_a.max() < 64 and probe_l.min() >= 0 and probe_l.max() < 8:
        found = _on_chunks(narrow, chunks)
        l_low, l_bits = 0, _NARROW_LABEL_BITS
        if any(f[1] == 2 for f in found):
            return None
        if any(f[1] == 1 for f in found):
            found = None  # read the exact ranges; the wide pass also checks the grouping
    if found is None:
        a_low, a_high = int(annotators.min()), int(annotators.max())
        l_low, l_high = int(labels.min()), int(labels.max())
        a_bits = max(int(a_high - a_low).bit_length(), 1)
        l_bits = int(l_high - l_low).bit_length()
        if a_bits > MAX_ANNOTATOR_BITS or l_bits > MAX_LABEL_BITS:
            return None
        found = _on_chunks(lambda c: wide(c, a_low, a_bits, l_low, l_bits), chunks)
        if any(f[1] for f in found):
            return None
    starts = np.array([s for s, _ in chunks], dtype=np.int64)
    if (items[starts[1:] - 1] >= items[starts[1:]]).any():  # not grouped across chunks
        return None
    packed, multiplicity, numbering = _merged(found, starts, keys)
    bits = _bits(l_bits)
    rows = (packed[:, None] >> (bits * np.arange(1 << l_bits, dtype=np.int64))) & ((1 << bits) - 1)
    used_labels = np.flatnonzero(rows.any(axis=0))
    rows = np.ascontiguousarray(rows[:, used_labels])  # C order, as the general coding
    profiles = _ChunkedProfiles(rows, multiplicity, numbering)
    return ScannedRatings(
        items=items,
        annotators=annotators,
        labels=labels,
        n_items=int(sum(f[0] for f in found)),
        annotator_values=np.unique(np.concatenate([f[4] for f in found])),
        label_values=used_labels + int(l_low),
        profiles=profiles,
    )


def _bits(l_bits: int) -> int:
    """Bits per packed count when 2 ** l_bits label values share one 63-bit key."""
    return min(_KEY_BITS // (1 << l_bits), 62)


def _merged(found: list, starts: np.ndarray, keys: np.ndarray) -> tuple:
    """The chunks' profiles as one numbering, in order of first appearance over all
    items (each later chunk's new keys appended, its counts added): the distinct keys,
    their multiplicities, and per chunk its profile numbers and their global ones."""
    distinct, multiplicity = found[0][2], found[0][3]
    numbering: list[ChunkNumbering] = [(keys[: found[0][0]], None)]
    for (runs, _status, local, counts, _seen), start in zip(found[1:], starts[1:], strict=True):
        order = np.argsort(distinct)
        at = np.minimum(np.searchsorted(distinct, local, sorter=order), len(distinct) - 1)
        known = distinct[order[at]] == local
        mapping = np.where(known, order[at], 0)
        mapping[~known] = len(distinct) + np.arange(np.count_nonzero(~known))
        distinct = np.concatenate([distinct, local[~known]])
        multiplicity = np.concatenate([multiplicity, np.zeros(np.count_nonzero(~known), np.int64)])
        np.add.at(multiplicity, mapping, counts)
        numbering.append((keys[start : start + runs], mapping))
    return distinct, multiplicity, numbering


class _ChunkedProfiles(Profiles):
    """Profiles whose per-item numbering is kept per chunk until someone asks for it."""

    numbering: list[ChunkNumbering] | None  # None once item_profile has read it

    def __init__(
        self, rows: np.ndarray, multiplicity: np.ndarray, numbering: list[ChunkNumbering]
    ) -> None:
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "multiplicity", multiplicity)
        self.__dict__["numbering"] = numbering

    @cached_property
    def item_profile(self) -> np.ndarray:
        numbering = self.numbering
        if numbering is None:  # only this property clears it, and its result is cached
            raise RuntimeError("the per-chunk profile numbering was already released")
        parts = [local if mapping is None else mapping[local] for local, mapping in numbering]
        self.__dict__["numbering"] = None  # lets the pass's buffer go
        return np.concatenate(parts)


class ScannedRatings(Ratings):
    """Ratings read by ``scan``: the codes of items, annotators and labels are derived
    from the input columns on first use (most coefficients only need the profiles)."""

    # Set through __dict__ in __init__ (the dataclass is frozen), not dataclass fields.
    _items: Column
    _annotators: Column
    _labels: Column
    _n_items: int
    _annotator_values: Column
    _label_values: Column

    def __init__(
        self,
        *,
        items: Column,
        annotators: Column,
        labels: Column,
        n_items: int,
        annotator_values: Column,
        label_values: Column,
        profiles: Profiles,
    ) -> None:
        for name, value in (
            ("categories", tuple(int(v) for v in label_values)),
            ("values", label_values.astype(float)),
            ("ordered", True),
            ("duplicates_dropped", 0),
            ("gold_item", None),
            ("gold_label", None),
        ):
            object.__setattr__(self, name, value)
        self.__dict__.update(
            _items=items,
            _annotators=annotators,
            _labels=labels,
            _n_items=n_items,
            _annotator_values=annotator_values,
            _label_values=label_values,
            profiles=profiles,
        )

    @property
    def n_items(self) -> int:
        return self._n_items

    @property
    def n_annotators(self) -> int:
        return len(self._annotator_values)

    @property
    def n_annotations(self) -> int:
        return len(self._labels)

    @cached_property
    def _run_starts(self) -> np.ndarray:
        changes = np.flatnonzero(self._items[1:] != self._items[:-1]) + 1
        return np.concatenate([[0], changes])

    @cached_property
    def item(self) -> np.ndarray:
        first = np.zeros(len(self._items), dtype=np.intp)
        first[self._run_starts[1:]] = 1
        return np.cumsum(first, out=first)

    @cached_property
    def item_ids(self) -> pd.Index:
        return pd.Index(self._items[self._run_starts])

    @cached_property
    def annotator(self) -> np.ndarray:
        return _rank(self._annotators, self._annotator_values)

    @cached_property
    def annotator_ids(self) -> pd.Index:
        return pd.Index(self._annotator_values)

    @cached_property
    def label(self) -> np.ndarray:
        return _rank(self._labels, self._label_values)


def _rank(column: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each value's position among the sorted values present (int32 codes)."""
    low = int(present[0])
    lookup = np.zeros(int(present[-1]) - low + 1, dtype=np.int32)
    lookup[present - low] = np.arange(len(present), dtype=np.int32)
    return lookup[column - low]
