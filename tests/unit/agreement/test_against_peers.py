"""Random data with missing ratings: our coefficients equal the peer libraries' to 1e-9
wherever the definitions coincide. Peers are used only here, never by the package."""

import warnings

import irrCAC.raw
import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from guidelines_app.domain.agreement import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    from_wide,
    gwet_ac1,
    krippendorff_alpha,
    prepare,
)

TOLERANCE = 1e-9
EXAMPLES = settings(max_examples=60, deadline=None)


@st.composite
def wide_ratings(draw, *, missing=True, min_annotators=2, max_annotators=6):
    """Units x annotators with values 1..q and NaN for missing ratings."""
    n_items = draw(st.integers(2, 25))
    n_annotators = draw(st.integers(min_annotators, max_annotators))
    q = draw(st.integers(2, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # A shared true label per item plus noise, so agreement varies across examples.
    truth = rng.integers(1, q + 1, n_items)
    noise = draw(st.floats(0.0, 1.0))
    table = np.where(
        rng.random((n_items, n_annotators)) < noise,
        rng.integers(1, q + 1, (n_items, n_annotators)),
        truth[:, None],
    ).astype(float)
    if missing:
        table[rng.random(table.shape) < draw(st.floats(0.0, 0.5))] = np.nan
    table = table[:, ~np.isnan(table).all(axis=0)]  # every annotator rates something
    assume(table.shape[1] >= min_annotators)
    return table, list(range(1, q + 1))


def ours(table, categories):
    return prepare(from_wide(table), categories=[float(c) for c in categories])


def quietly(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@EXAMPLES
@given(data=wide_ratings())
def test_alpha_equals_krippendorff_package_at_every_level(level, data):
    table, categories = data
    result = krippendorff_alpha(ours(table, categories), level=level)
    assume(result.value is not None)
    expected = quietly(
        krippendorff.alpha,
        reliability_data=table.T,
        level_of_measurement=level,
        value_domain=categories,
    )
    assert result.value == pytest.approx(expected, abs=TOLERANCE)


@EXAMPLES
@given(data=wide_ratings(missing=False))
def test_fleiss_kappa_equals_statsmodels_on_complete_data(data):
    table, categories = data
    ratings = ours(table, categories)
    result = fleiss_kappa(ratings)
    assume(result.value is not None)
    assert result.name == "fleiss_kappa_classic"
    expected = quietly(statsmodels_fleiss, ratings.counts, method="fleiss")
    assert result.value == pytest.approx(expected, abs=TOLERANCE)
    free = quietly(statsmodels_fleiss, ratings.counts, method="randolph")
    assert brennan_prediger(ratings).value == pytest.approx(free, abs=TOLERANCE)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@EXAMPLES
@given(data=wide_ratings(missing=False, max_annotators=2))
def test_cohen_kappa_equals_scikit_learn(weights, data):
    table, categories = data
    result = cohen_kappa(ours(table, categories), 0, 1, weights=weights)
    assume(result.value is not None)
    expected = quietly(
        cohen_kappa_score, table[:, 0], table[:, 1], labels=categories, weights=weights
    )
    assert result.value == pytest.approx(expected, abs=TOLERANCE)


def irrcac(table, categories):
    frame = pd.DataFrame(table)
    return quietly(irrCAC.raw.CAC, frame, categories=[float(c) for c in categories], digits=15)


@pytest.mark.parametrize(
    ("ours_metric", "peer_method"),
    [
        (gwet_ac1, "gwet"),
        (fleiss_kappa, "fleiss"),
        (brennan_prediger, "bp"),
        (conger_kappa, "conger"),
    ],
)
@EXAMPLES
@given(data=wide_ratings())
def test_gwet_family_equals_irrcac_with_missing_ratings(ours_metric, peer_method, data):
    table, categories = data
    ratings = ours(table, categories)
    result = ours_metric(ratings)
    assume(result.value is not None and ratings.n_items >= 2)  # irrCAC divides by n - 1
    peer = quietly(getattr(irrcac(table, categories), peer_method))["est"]
    assert result.value == pytest.approx(peer["coefficient_value"], abs=TOLERANCE)
    if result.se is not None and peer["se"] > 1e-12:
        assert result.se == pytest.approx(peer["se"], abs=TOLERANCE)


@pytest.mark.parametrize("level", ["nominal", "interval", "ratio"])
@EXAMPLES
@given(data=wide_ratings())
def test_alpha_standard_error_equals_irrcac(level, data):
    # irrCAC's Krippendorff alpha takes agreement weights: 1 - d / max(d) gives the
    # same alpha as the distance d, and Gwet's standard error.
    table, categories = data
    ratings = ours(table, categories)
    result = krippendorff_alpha(ratings, level=level)
    assume(result.value is not None and result.se is not None and result.se > 1e-9)
    values = np.array(categories, dtype=float)
    diff = values[:, None] - values[None, :]
    d = diff**2 if level != "ratio" else (diff / (values[:, None] + values[None, :])) ** 2
    if level == "nominal":
        d = (diff != 0).astype(float)
    frame = pd.DataFrame(table)
    cac = quietly(
        irrCAC.raw.CAC, frame, weights=1 - d / d.max(), categories=list(values), digits=15
    )
    peer = quietly(cac.krippendorff)["est"]
    assert result.value == pytest.approx(peer["coefficient_value"], abs=TOLERANCE)
    assert result.se == pytest.approx(peer["se"], abs=TOLERANCE)
