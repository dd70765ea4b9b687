"""The catalogue of metrics holds every figure the engine publishes, under one key each."""

from __future__ import annotations

import pandas as pd
import pytest

from guidelines_app.domain.agreement import compute_all, metrics, multilabel_agreement
from guidelines_app.domain.agreement.compare import DEFAULT_METRICS, compare_releases
from guidelines_app.domain.agreement.spans import span_f1, token_alpha
from guidelines_app.domain.agreement.timeline import TIMELINE_METRICS
from guidelines_app.domain.agreement.weights import LEVELS

from .reference_data import KRIPPENDORFF_2011, from_annotator_rows

BALANCED = pd.DataFrame(
    {
        "item": [1, 1, 2, 2, 3, 3, 4, 4],
        "annotator": ["a", "b"] * 4,
        "label": [1, 1, 2, 2, 1, 2, 3, 3],
    }
)


@pytest.mark.parametrize("weights", [None, "quadratic"])
@pytest.mark.parametrize("level", LEVELS)
def test_compute_all_emits_exactly_the_catalogue_in_its_order(level, weights):
    report = compute_all(
        from_annotator_rows(KRIPPENDORFF_2011), level=level, weights=weights, bootstrap=0
    )
    expected = metrics.emitted(level=level, weighted=weights is not None)
    assert list(report.coefficients) == [m.key for m in expected]
    for key, coefficient in report.coefficients.items():
        assert coefficient.name in metrics.metric(key).names


@pytest.mark.parametrize("frame", [BALANCED, from_annotator_rows(KRIPPENDORFF_2011)])
def test_each_form_of_fleiss_kappa_is_a_variant_of_its_key_with_a_title(frame):
    report = compute_all(frame, weights="linear", bootstrap=0)
    for key in (metrics.FLEISS_KAPPA, metrics.FLEISS_KAPPA_WEIGHTED):
        name = report.coefficients[key].name
        assert name != key and metrics.metric(name).key == key
        assert metrics.title(name).startswith(metrics.title(key))


def test_span_and_multilabel_figures_are_in_the_catalogue():
    spans = pd.DataFrame(
        {
            "item": [1, 1],
            "annotator": ["a", "b"],
            "label": ["x", "x"],
            "start": [0, 0],
            "end": [4, 5],
        }
    )
    names = [span_f1(spans, mode="exact").name, span_f1(spans, mode="overlap").name]
    names.append(token_alpha(spans).name)
    assert all(metrics.metric(n).when == metrics.SPANS for n in names)
    grouped = pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "labels": [["x"], ["x"]]})
    entry = multilabel_agreement(grouped)[0].to_dict()
    assert {k for k in entry if k not in ("label", "n_positive")} <= set(metrics.BY_KEY)


def test_comparisons_and_timelines_compute_catalogued_metrics():
    assert metrics.compared_by_default() == DEFAULT_METRICS
    assert set(TIMELINE_METRICS) <= set(metrics.BY_KEY)
    result = compare_releases(BALANCED, BALANCED.assign(item=BALANCED["item"] + 10), n_boot=0)
    assert [m.name for m in result.metrics] == list(DEFAULT_METRICS)
    ordinal = compare_releases(BALANCED, BALANCED, level="ordinal", n_boot=0, n_perm=0)
    assert ordinal.metrics[-1].name == metrics.alpha_key("ordinal")


def test_headline_figures_come_in_column_order_with_distinct_titles():
    assert [m.key for m in metrics.headline()] == [
        metrics.ALPHA_NOMINAL,
        metrics.PERCENT_AGREEMENT,
        metrics.FLEISS_KAPPA,
        metrics.GWET_AC1,
        metrics.COHEN_KAPPA,
    ]
    titles = [metrics.title(name) for m in metrics.CATALOGUE for name in m.names]
    assert len(titles) == len(set(titles))
    assert metrics.title("something_new") == "something new"
    with pytest.raises(KeyError):
        metrics.metric("fleiss_kappa_imaginary")
