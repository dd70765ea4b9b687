"""The one-pass reading of integer tables grouped by item gives exactly what the general
coding gives, and steps aside for every input outside its shape."""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidelines_app.domain.agreement import compute_all, prepare
from guidelines_app.domain.agreement import ratings_scan as scan_module
from guidelines_app.domain.agreement.ratings_scan import ScannedRatings

pytestmark = pytest.mark.skipif(scan_module._kernels() is None, reason="numba is not importable")


@contextmanager
def scanning(workers: int = 2):
    """The one-pass route for tables of any size, over ``workers`` chunks."""
    threshold, pool = scan_module.SCAN_MIN_RATINGS, scan_module._pool
    executor = ThreadPoolExecutor(workers)
    scan_module.SCAN_MIN_RATINGS = 1
    scan_module._pool = lambda: (executor, workers)
    try:
        yield
    finally:
        scan_module.SCAN_MIN_RATINGS, scan_module._pool = threshold, pool
        executor.shutdown()


@contextmanager
def general_coding():
    threshold = scan_module.SCAN_MIN_RATINGS
    scan_module.SCAN_MIN_RATINGS = 10**18
    try:
        yield
    finally:
        scan_module.SCAN_MIN_RATINGS = threshold


def assert_same_ratings(fast, slow):
    assert isinstance(fast, ScannedRatings)
    assert not isinstance(slow, ScannedRatings)
    assert (fast.n_items, fast.n_annotators, fast.n_annotations) == (
        slow.n_items,
        slow.n_annotators,
        slow.n_annotations,
    )
    assert fast.categories == slow.categories
    np.testing.assert_array_equal(fast.values, slow.values)
    assert fast.ordered == slow.ordered
    np.testing.assert_array_equal(fast.profiles.rows, slow.profiles.rows)
    np.testing.assert_array_equal(fast.profiles.multiplicity, slow.profiles.multiplicity)
    np.testing.assert_array_equal(fast.profiles.item_profile, slow.profiles.item_profile)
    for name in ("item", "annotator", "label"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))
        assert getattr(fast, name).dtype == getattr(slow, name).dtype
    assert fast.item_ids.equals(slow.item_ids)
    assert fast.annotator_ids.equals(slow.annotator_ids)
    np.testing.assert_array_equal(fast.counts, slow.counts)


def both_ways(frame, workers=2):
    with scanning(workers):
        fast = prepare(frame)
    with general_coding():
        slow = prepare(frame)
    return fast, slow


@st.composite
def grouped_tables(draw):
    """Long tables grouped by item with integer ids, in narrow and wide ranges, that the
    one-pass route must take."""
    n_items = draw(st.integers(1, 60))
    wide = draw(st.booleans())
    annotators = draw(
        st.lists(
            st.integers(-5_000, 100_000) if wide else st.integers(0, 63),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    # Eight label values or fewer leave seven bits per packed count (up to 127 ratings).
    offset = draw(st.integers(-3, 100)) if wide else 0
    labels = [offset + v for v in draw(st.lists(st.integers(0, 7), min_size=1, unique=True))]
    item_ids = sorted(draw(st.lists(st.integers(-1_000, 10**6), min_size=n_items, unique=True)))
    rows = []
    for item in item_ids:
        raters = draw(st.lists(st.sampled_from(annotators), max_size=len(annotators), unique=True))
        rows += [(item, a, draw(st.sampled_from(labels))) for a in raters]
    if not rows:
        rows = [(item_ids[0], annotators[0], labels[0])]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"], dtype=np.int64)


@settings(max_examples=100, deadline=None)
@given(grouped_tables(), st.integers(1, 4))
def test_the_one_pass_route_codes_exactly_as_the_general_coding(frame, workers):
    fast, slow = both_ways(frame, workers)
    assert_same_ratings(fast, slow)


def test_a_count_at_a_power_a_vectorised_pow_misses_decodes_exactly():
    """Twelve annotators give the general coding radix 13, and label 4 weighs 13 ** 4: a
    float ** array power can come out one ulp short (28560.999...), and the key truncated
    to 28560 decodes as counts 12, 12, 12, 12, 0 instead of 0, 0, 0, 0, 1."""
    frame = pd.DataFrame(
        {
            "item": [1] * 12 + [2],
            "annotator": [*range(12), 0],
            "label": [0, 1, 2, 3] + [0] * 8 + [4],
        },
        dtype=np.int64,
    )
    fast, slow = both_ways(frame, 1)
    assert slow.profiles.rows.tolist() == [[9, 1, 1, 1, 0], [0, 0, 0, 0, 1]]
    assert_same_ratings(fast, slow)


def test_every_figure_of_the_report_is_the_same_either_way():
    rng = np.random.default_rng(3)
    n = 3_000
    items = np.repeat(np.arange(n) * 3 + 7, 4)
    annotators = np.concatenate([rng.choice(20, 4, replace=False) for _ in range(n)])
    truth = np.repeat(rng.integers(1, 6, n), 4)
    labels = np.where(rng.random(4 * n) < 0.3, rng.integers(1, 6, 4 * n), truth)
    keep = rng.random(4 * n) > 0.1
    frame = pd.DataFrame(
        {"item": items[keep], "annotator": annotators[keep], "label": labels[keep]}
    )
    with scanning(3):
        fast = compute_all(frame, bootstrap=30)
    with general_coding():
        slow = compute_all(frame, bootstrap=30)
    assert fast.to_dict() == slow.to_dict()


def test_values_beyond_the_first_rows_move_the_reading_to_the_wide_pass(monkeypatch):
    # The first rows suggest annotators 0..63 and labels 0..7; later ones lie outside.
    monkeypatch.setattr(scan_module, "_PROBE_ROWS", 4)
    frame = pd.DataFrame(
        {
            "item": [1, 1, 2, 2, 3, 3, 4, 4],
            "annotator": [0, 1, 0, 1, 0, 500, 2, 1],
            "label": [0, 1, 1, 1, 2, 2, 9, 9],
        },
        dtype=np.int64,
    )
    with scanning(1):
        assert scan_module.scan(frame, "item", "annotator", "label") is not None
    assert_same_ratings(*both_ways(frame, 1))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: f.iloc[::-1].reset_index(drop=True), id="not grouped by item"),
        pytest.param(
            lambda f: pd.concat([f.iloc[:1], f]).reset_index(drop=True), id="a repeated rating"
        ),
        pytest.param(lambda f: f.assign(label=f["label"].astype(float)), id="float labels"),
        pytest.param(lambda f: f.assign(item=f["item"].astype(str)), id="string items"),
        pytest.param(lambda f: f.assign(annotator=f["annotator"].astype("Int64")), id="nullable"),
        pytest.param(lambda f: f.assign(label=f["label"].astype(np.uint64)), id="uint64"),
        pytest.param(lambda f: f.assign(gold=False), id="a gold column"),
        pytest.param(
            lambda f: f.assign(created_at=pd.Timestamp("2026-01-01", tz="UTC")), id="dated rows"
        ),
        pytest.param(
            lambda f: f.assign(annotator=f["annotator"] * 10**7), id="annotators too far apart"
        ),
        pytest.param(lambda f: f.assign(label=f["label"] * 20), id="labels too far apart"),
    ],
)
def test_inputs_outside_its_shape_take_the_general_way(change):
    base = pd.DataFrame(
        {"item": [1, 1, 1, 2, 2, 3], "annotator": [0, 1, 2, 0, 1, 2], "label": [0, 0, 1, 1, 1, 0]},
        dtype=np.int64,
    )
    frame = change(base)
    with scanning(1):
        assert scan_module.scan(frame, "item", "annotator", "label") is None
        ratings = prepare(frame)
    assert not isinstance(ratings, ScannedRatings)


def test_rows_out_of_order_across_a_chunk_boundary_take_the_general_way():
    frame = pd.DataFrame(
        {"item": [1, 1, 2, 2, 1, 1, 3, 3], "annotator": [0, 1] * 4, "label": [0, 1] * 4},
        dtype=np.int64,
    )
    with scanning(2):
        assert scan_module._chunks(frame["item"].to_numpy(), 2) == [(0, 4), (4, 8)]
        assert scan_module.scan(frame, "item", "annotator", "label") is None


@pytest.mark.parametrize(
    "column, values",
    [
        # a step back from 2**62 + 1 to -2**62 overflows an int64 difference
        ("item", [2**62 + 1, 2**62 + 1, -(2**62), -(2**62)]),
        # 2**61 shifted left by three overflows into a label that looks in range
        ("label", [0, 1, 2**61, 1]),
        ("annotator", [0, 1, 2**63 - 1, 1]),
    ],
)
def test_extreme_ids_are_not_wrapped_into_range(monkeypatch, column, values):
    monkeypatch.setattr(scan_module, "_PROBE_ROWS", 2)  # the narrow pass sees them
    frame = pd.DataFrame(
        {"item": [1, 1, 2, 2], "annotator": [0, 1, 0, 1], "label": [0, 1, 1, 1]}, dtype=np.int64
    ).assign(**{column: np.array(values, dtype=np.int64)})
    with scanning(1):
        assert scan_module.scan(frame, "item", "annotator", "label") is None
    with general_coding():
        ratings = prepare(frame)
    assert ratings.n_annotations == 4


def test_a_repeated_rating_still_keeps_the_latest():
    frame = pd.DataFrame(
        {"item": [1, 1, 1, 2, 2], "annotator": [0, 1, 0, 0, 1], "label": [0, 1, 1, 1, 1]},
        dtype=np.int64,
    )
    with scanning(1):
        ratings = prepare(frame)
    assert ratings.duplicates_dropped == 1
    assert ratings.counts.tolist() == [[0, 2], [0, 2]]


def test_counts_that_would_overflow_their_packed_bits_take_the_general_way():
    # 32 label values leave one bit per count: an item with two equal labels overflows.
    frame = pd.DataFrame(
        {"item": [1, 1, 2, 2], "annotator": [0, 1, 0, 1], "label": [0, 0, 31, 5]},
        dtype=np.int64,
    )
    with scanning(1):
        assert scan_module.scan(frame, "item", "annotator", "label") is None
    assert prepare(frame).counts.sum() == 4


def test_more_distinct_profiles_than_the_table_holds_take_the_general_way():
    rng = np.random.default_rng(0)
    n = 20_000  # items of 30 ratings over 8 labels: nearly every count vector differs
    frame = pd.DataFrame(
        {
            "item": np.repeat(np.arange(n), 30),
            "annotator": np.tile(np.arange(30), n),
            "label": rng.integers(0, 8, 30 * n),
        }
    )
    with scanning(1):
        assert scan_module.scan(frame, "item", "annotator", "label") is None
        assert len(prepare(frame).profiles.rows) > 8_192


def test_without_numba_the_general_coding_is_used(monkeypatch):
    frame = pd.DataFrame({"item": [1, 1], "annotator": [0, 1], "label": [0, 1]}, dtype=np.int64)
    monkeypatch.setattr(scan_module, "_kernels", lambda: None)
    with scanning(1):
        ratings = prepare(frame)
    assert not isinstance(ratings, ScannedRatings)
    assert ratings.n_pairable_items == 1


def test_small_tables_are_coded_the_general_way():
    frame = pd.DataFrame({"item": [1, 1], "annotator": [0, 1], "label": [0, 1]}, dtype=np.int64)
    assert len(frame) < scan_module.SCAN_MIN_RATINGS
    assert not isinstance(prepare(frame), ScannedRatings)


def test_a_forked_process_makes_its_own_threads(monkeypatch):
    """A gunicorn worker forked after the parent read a table inherits no threads."""
    frame = pd.DataFrame(
        {"item": [1, 1, 2, 2], "annotator": [0, 1, 0, 1], "label": [0, 1, 1, 1]}, dtype=np.int64
    )
    monkeypatch.setattr(scan_module, "SCAN_MIN_RATINGS", 1)
    assert isinstance(prepare(frame), ScannedRatings)  # the parent's pool now has threads
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 only when the table was read the one-pass way
        try:
            os._exit(0 if prepare(frame).n_pairable_items == 2 else 1)
        finally:
            os._exit(2)
    deadline = time.monotonic() + 30
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked process hung waiting for threads it did not have")
    assert os.waitstatus_to_exitcode(done[1]) == 0
