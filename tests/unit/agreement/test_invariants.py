"""Properties every coefficient must have, on random data with missing ratings."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from guidelines_app.domain.agreement import compute_all, prepare

EXAMPLES = settings(max_examples=40, deadline=None)


@st.composite
def long_tables(draw):
    n_items = draw(st.integers(2, 30))
    n_annotators = draw(st.integers(2, 5))
    q = draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    truth = rng.integers(0, q, n_items)
    rows = [
        (item, annotator, int(truth[item] if rng.random() > 0.4 else rng.integers(0, q)))
        for item in range(n_items)
        for annotator in range(n_annotators)
        if rng.random() > 0.25
    ]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"]), q


def values(report):
    return {name: c.value for name, c in report.coefficients.items()}


def assert_same(left, right):
    assert left.keys() == right.keys()
    for name in left:
        if left[name] is None:
            assert right[name] is None, name
        else:
            assert right[name] == pytest.approx(left[name], abs=1e-9), name


@EXAMPLES
@given(data=long_tables(), seed=st.integers(0, 1000))
def test_renaming_labels_does_not_change_nominal_coefficients(data, seed):
    frame, q = data
    names = np.random.default_rng(seed).permutation([f"label-{k}" for k in range(q)])
    renamed = frame.assign(label=names[frame["label"].to_numpy(dtype=int)])
    before = values(compute_all(frame, categories=list(range(q)), bootstrap=0))
    after = values(compute_all(renamed, categories=list(names), bootstrap=0))
    assert_same(before, after)


@EXAMPLES
@given(data=long_tables(), seed=st.integers(0, 1000))
def test_permuting_rows_items_and_annotator_names_changes_nothing(data, seed):
    frame, _ = data
    rng = np.random.default_rng(seed)
    shuffled = frame.sample(frac=1.0, random_state=seed).assign(
        item=lambda f: f["item"].map(dict(enumerate(rng.permutation(1000)))),
        annotator=lambda f: "annotator-" + f["annotator"].astype(str),
    )
    before = compute_all(frame, level="ordinal", weights="quadratic", bootstrap=0)
    after = compute_all(shuffled, level="ordinal", weights="quadratic", bootstrap=0)
    assert_same(values(before), values(after))


@EXAMPLES
@given(data=long_tables())
def test_perfect_agreement_gives_one(data):
    frame, q = data
    per_item = frame.groupby("item")["label"].transform("first")
    perfect = frame.assign(label=per_item)
    ratings = prepare(perfect, categories=list(range(q)))
    assume(len(np.unique(ratings.label[ratings.ratings_per_item[ratings.item] >= 2])) >= 2)
    report = compute_all(ratings, level="interval", weights="linear", bootstrap=0)
    for name, coefficient in report.coefficients.items():
        if name.endswith("mean_pairwise") and coefficient.value is None:
            continue  # every pair may have seen a single category
        assert coefficient.value == pytest.approx(1.0, abs=1e-12), name


@EXAMPLES
@given(data=long_tables())
def test_coefficients_never_exceed_one_and_intervals_are_ordered(data):
    # Chance-corrected coefficients have no fixed lower bound (the generalised Fleiss
    # kappa can fall below -1 on tiny data), but agreement can never beat perfect.
    frame, _ = data
    report = compute_all(frame, bootstrap=50)
    for coefficient in report.coefficients.values():
        if coefficient.value is not None:
            assert coefficient.value <= 1.0 + 1e-9
        if coefficient.ci_low is not None:
            assert coefficient.ci_low <= coefficient.ci_high <= 1.0 + 1e-9
