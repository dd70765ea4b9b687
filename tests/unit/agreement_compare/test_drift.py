"""Control charts within a release, and who or what moved."""

import json

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement.drift import Z95, control_chart, movers
from guidelines_app.domain.agreement.timeline import TimelinePoint, agreement_timeline
from guidelines_app.domain.errors import InvalidInput
from tests.unit.agreement_compare.factories import annotations


def point(value, half_width=None, key=None):
    low = None if half_width is None or value is None else value - half_width
    high = None if half_width is None or value is None else value + half_width
    return TimelinePoint(None, None, value, low, high, 100, 300, 5, key=key)


def test_centre_is_the_baseline_mean_and_limits_three_sigma():
    points = [point(0.60, 0.05), point(0.62, 0.05), point(0.58, 0.05), point(0.61, 0.05)]
    chart = control_chart(points, baseline_periods=3)
    sigma = 0.05 / Z95
    assert chart.centre == pytest.approx(0.60)
    assert chart.sigma == pytest.approx(sigma) and chart.sigma_source == "bootstrap"
    assert (chart.lower, chart.upper) == pytest.approx((0.60 - 3 * sigma, 0.60 + 3 * sigma))
    assert chart.flags == [None] * 4 and chart.flagged == []


def test_points_beyond_the_limits_are_flagged_with_their_direction():
    points = [
        point(0.60, 0.02),
        point(0.61, 0.02),
        point(0.59, 0.02),
        point(0.40, 0.02),
        point(0.80, 0.02),
    ]
    chart = control_chart(points)
    assert chart.flags == [None, None, None, "below", "above"]
    assert [p.value for p in chart.flagged] == [0.40, 0.80]


def test_a_wobbling_baseline_widens_the_limits_beyond_sampling_noise():
    points = [point(0.50, 0.001), point(0.70, 0.001), point(0.60, 0.001), point(0.45, 0.001)]
    chart = control_chart(points)
    assert chart.sigma_source == "baseline spread"
    assert chart.sigma == pytest.approx(np.std([0.5, 0.7, 0.6], ddof=1))
    assert chart.flags[3] is None


def test_undefined_points_are_skipped_in_the_baseline_and_never_flagged():
    points = [point(None), point(0.6, 0.02), point(0.6, 0.02), point(0.6, 0.02), point(None)]
    chart = control_chart(points)
    assert chart.baseline == points[1:4] and chart.flags[4] is None


def test_too_short_a_baseline_gives_no_limits_and_says_why():
    chart = control_chart([point(0.6, 0.02), point(None), point(0.3, 0.02)][:2])
    assert chart.centre is None and chart.lower is None
    assert "fewer than 2 periods" in chart.undefined_reason
    assert chart.flagged == []
    lone = control_chart([point(0.6), point(0.1)], baseline_periods=1)
    assert lone.lower is None and "no spread" in lone.undefined_reason
    with pytest.raises(InvalidInput):
        control_chart([point(0.6)], baseline_periods=0)


def test_a_week_where_agreement_collapses_is_flagged_end_to_end():
    weeks = [
        annotations(150, 0.7, seed=s, first_item=1000 * s, start=f"2026-03-{2 + 7 * s:02d}", days=7)
        for s in range(3)
    ]
    weeks.append(annotations(150, 0.2, seed=9, first_item=9000, start="2026-03-23", days=7))
    chart = control_chart(agreement_timeline(pd.concat(weeks), n_boot=100))
    assert chart.flags == [None, None, None, "below"]
    data = chart.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["points"][3]["flag"] == "below"


def drifting_week(seed):
    """Five accurate annotators, except that a3 answers at random and L2 is given as L3."""
    frame = annotations(300, 0.9, seed=seed, annotators=5)
    rng = np.random.default_rng(seed)
    random_rows = frame["annotator"] == "a3"
    frame.loc[random_rows, "label"] = [f"L{k}" for k in rng.integers(0, 4, random_rows.sum())]
    frame.loc[frame["label"] == "L2", "label"] = np.where(
        rng.random((frame["label"] == "L2").sum()) < 0.5, "L3", "L2"
    )
    return frame


def test_movers_name_the_annotator_and_the_label_that_moved_most():
    baseline = annotations(300, 0.9, seed=1, annotators=5)
    found = movers(drifting_week(2), baseline)
    assert found.annotators[0].key == "a3" and found.annotators[0].change < -0.3
    assert found.labels[0].key == "L2" and found.labels[0].change < 0
    assert abs(found.annotators[-1].change) <= abs(found.annotators[0].change)
    json.dumps(found.to_dict(), allow_nan=False)


def test_movers_skip_annotators_absent_from_either_side_and_honour_top():
    baseline = annotations(100, 0.9, seed=1, annotators=5)
    newcomers = annotations(100, 0.9, seed=2, annotators=5, annotator_prefix="n")
    assert movers(newcomers, baseline).annotators == []
    assert len(movers(drifting_week(3), baseline, top=2).annotators) == 2
