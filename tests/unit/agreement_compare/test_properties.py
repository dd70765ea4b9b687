"""Invariants of the comparison on random data."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidelines_app.domain.agreement.compare import compare_releases

EXAMPLES = settings(max_examples=15, deadline=None)
DRAWS = {"n_boot": 60, "n_perm": 60}


@st.composite
def release_pairs(draw):
    """Two long tables; the items overlap fully, partly or not at all."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    q = draw(st.integers(2, 4))
    overlap = draw(st.sampled_from(["full", "part", "none"]))
    n = draw(st.integers(4, 25))

    def side(first, accuracy):
        truth = rng.integers(0, q, n)
        rows = [
            (first + i, f"a{a}", f"L{truth[i] if rng.random() < accuracy else rng.integers(0, q)}")
            for i in range(n)
            for a in range(4)
            if rng.random() > 0.3
        ]
        return pd.DataFrame(rows, columns=["item", "annotator", "label"])

    first = {"full": 0, "part": n // 2, "none": 1000}[overlap]
    return side(0, draw(st.floats(0.2, 0.9))), side(first, draw(st.floats(0.2, 0.9)))


def assert_negated(left, right):
    if left is None:
        assert right is None
    else:
        assert right == pytest.approx(-left, abs=1e-12)


@EXAMPLES
@given(release_pairs())
def test_swapping_the_sides_negates_every_difference(pair):
    before, after = pair
    forward = compare_releases(before, after, **DRAWS)
    backward = compare_releases(after, before, **DRAWS)
    for f, b in zip(forward.metrics, backward.metrics, strict=True):
        assert_negated(f.change.difference, b.change.difference)
        assert f.change.before == b.change.after
    for f, b in zip(forward.per_label, backward.per_label, strict=True):
        assert_negated(f.specific_agreement.difference, b.specific_agreement.difference)
    assert forward.design == backward.design


@EXAMPLES
@given(release_pairs())
def test_swapping_the_sides_of_a_paired_comparison_mirrors_the_interval(pair):
    before, _ = pair
    after = before.assign(label=before["label"].sample(frac=1.0, random_state=0).to_numpy())
    forward = compare_releases(before, after, **DRAWS)
    backward = compare_releases(after, before, **DRAWS)
    for f, b in zip(forward.metrics, backward.metrics, strict=True):
        if f.name == "cohen_kappa_mean_pairwise" or f.change.ci_low is None:
            continue
        assert b.change.ci_low == pytest.approx(-f.change.ci_high, abs=1e-9)
        assert b.change.ci_high == pytest.approx(-f.change.ci_low, abs=1e-9)


@EXAMPLES
@given(release_pairs(), st.randoms(use_true_random=False))
def test_renaming_labels_changes_nothing_nominal(pair, random):
    before, after = pair
    labels = sorted(set(before["label"]) | set(after["label"]))
    new_names = [f"renamed-{k}" for k in range(len(labels))]
    random.shuffle(new_names)
    rename = dict(zip(labels, new_names, strict=True))
    original = compare_releases(before, after, **DRAWS)
    renamed = compare_releases(
        before.assign(label=before["label"].map(rename)),
        after.assign(label=after["label"].map(rename)),
        **DRAWS,
    )
    for o, r in zip(original.metrics, renamed.metrics, strict=True):
        for field in ("before", "after", "difference", "ci_low", "ci_high", "p_value"):
            a, b = getattr(o.change, field), getattr(r.change, field)
            assert (a is None) == (b is None), (o.name, field)
            if a is not None:
                assert b == pytest.approx(a, abs=1e-9), (o.name, field)
    by_label = {rename[e.label]: e for e in original.per_label}
    for entry in renamed.per_label:
        old = by_label[entry.label].specific_agreement.difference
        new = entry.specific_agreement.difference
        assert (old is None) == (new is None)
        if old is not None:
            assert new == pytest.approx(old, abs=1e-12)


@EXAMPLES
@given(release_pairs())
def test_the_result_is_always_strict_json(pair):
    before, after = pair
    json.dumps(compare_releases(before, after, **DRAWS).to_dict(), allow_nan=False)
