"""Agreement per week or per batch, and per label."""

import json

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement.kappa import percent_agreement
from guidelines_app.domain.agreement.krippendorff import krippendorff_alpha
from guidelines_app.domain.agreement.per_label import per_label_agreement
from guidelines_app.domain.agreement.ratings import prepare
from guidelines_app.domain.agreement.timeline import agreement_timeline, label_timelines
from guidelines_app.domain.errors import InvalidInput
from tests.unit.agreement_compare.factories import annotations

CATS = ["L0", "L1", "L2", "L3"]


@pytest.fixture(scope="module")
def four_weeks():
    # 2026-03-02 is a Monday; 28 days make four whole weeks.
    return annotations(400, 0.6, seed=7, start="2026-03-02", days=28)


def rows_of_week(frame, monday):
    start = pd.Timestamp(monday)
    return frame[
        (frame["created_at"] >= start) & (frame["created_at"] < start + pd.Timedelta(days=7))
    ]


def test_one_point_per_week_from_monday_to_sunday(four_weeks):
    points = agreement_timeline(four_weeks, n_boot=50)
    assert [p.start for p in points] == list(pd.date_range("2026-03-02", periods=4, freq="7D"))
    assert all(p.end.day_name() == "Sunday" for p in points)
    assert sum(p.n_annotations for p in points) == len(four_weeks)


def test_a_week_ends_at_its_last_nanosecond_in_the_json(four_weeks):
    points = agreement_timeline(four_weeks, n_boot=0)
    first = points[0].to_dict()
    assert (first["start"], first["end"]) == (
        "2026-03-02T00:00:00",
        "2026-03-08T23:59:59.999999999",
    )


def test_each_point_is_the_engines_figure_on_that_weeks_annotations(four_weeks):
    points = agreement_timeline(four_weeks, n_boot=50, seed=3)
    week = rows_of_week(four_weeks, "2026-03-09")
    expected = krippendorff_alpha(prepare(week, categories=CATS), bootstrap=50, seed=3)
    assert points[1].value == pytest.approx(expected.value, abs=1e-12)
    assert (points[1].ci_low, points[1].ci_high) == (expected.ci_low, expected.ci_high)
    assert points[1].n_items == week["item"].nunique()
    assert points[1].n_annotators == week["annotator"].nunique()


def test_another_metric_can_be_followed(four_weeks):
    points = agreement_timeline(four_weeks, metric="percent_agreement", n_boot=0)
    week = rows_of_week(four_weeks, "2026-03-02")
    assert points[0].value == pytest.approx(percent_agreement(prepare(week)).value)
    assert points[0].ci_low is None


def test_one_point_per_batch_in_order_of_first_annotation(four_weeks):
    frame = four_weeks.assign(
        batch=np.where(four_weeks["created_at"] < "2026-03-16", "z-first", "a-second")
    )
    points = agreement_timeline(frame, period="batch", n_boot=0)
    assert [p.key for p in points] == ["z-first", "a-second"]
    assert points[0].start == frame.loc[frame["batch"] == "z-first", "created_at"].min()


def test_batches_without_times_are_ordered_by_their_ids(four_weeks):
    frame = four_weeks.drop(columns="created_at").assign(run=four_weeks["item"] % 3)
    points = agreement_timeline(frame, period="batch", by="run", n_boot=0)
    assert [p.key for p in points] == [0, 1, 2] and points[0].start is None


def test_an_undated_batch_beside_dated_ones_has_no_times_and_comes_last(four_weeks):
    frame = four_weeks.assign(batch=np.where(four_weeks["item"] % 2 == 0, 1, 2))
    frame["created_at"] = frame["created_at"].where(frame["batch"] == 2)  # batch 1: no times
    points = agreement_timeline(frame, period="batch", n_boot=0)
    assert [p.key for p in points] == [2, 1]
    assert (points[1].start, points[1].end) == (None, None)
    assert json.loads(json.dumps([p.to_dict() for p in points]))[1]["start"] is None


def test_time_zones_and_missing_times_are_handled(four_weeks):
    frame = four_weeks.assign(
        created_at=four_weeks["created_at"].dt.tz_localize("UTC").dt.tz_convert("America/New_York")
    )
    frame.loc[frame.index[:5], "created_at"] = pd.NaT
    points = agreement_timeline(frame, n_boot=0)
    assert sum(p.n_annotations for p in points) == len(frame) - 5


def test_a_week_with_one_annotator_per_item_is_undefined_with_the_reason():
    frame = annotations(40, 0.6, per_item=1, start="2026-03-02", days=7)
    (point,) = agreement_timeline(frame, n_boot=20)
    assert point.value is None and "no pairable items" in point.undefined_reason
    json.dumps(point.to_dict(), allow_nan=False)


def test_per_label_timelines_cover_every_label_with_the_engines_figures(four_weeks):
    timelines = label_timelines(four_weeks, n_boot=0)
    assert list(timelines) == CATS
    week = rows_of_week(four_weeks, "2026-03-16")
    expected = {e.label: e for e in per_label_agreement(prepare(week, categories=CATS))}
    for label in CATS:
        assert timelines[label][2].value == pytest.approx(expected[label].specific_agreement)
        assert timelines[label][2].n_annotations == expected[label].n_annotations
    alpha = label_timelines(four_weeks, measure="alpha_one_vs_rest", n_boot=0)
    assert alpha["L1"][2].value == pytest.approx(expected["L1"].alpha_one_vs_rest)


def test_points_serialise_to_strict_json(four_weeks):
    data = [p.to_dict() for p in agreement_timeline(four_weeks, n_boot=20)]
    assert data[0]["start"] == "2026-03-02T00:00:00"
    json.dumps(data, allow_nan=False)


def test_bad_options_are_refused(four_weeks):
    with pytest.raises(InvalidInput, match="metric"):
        agreement_timeline(four_weeks, metric="accuracy")
    with pytest.raises(InvalidInput, match="batch"):
        agreement_timeline(four_weeks, period="batch")
    with pytest.raises(InvalidInput, match="period"):
        agreement_timeline(four_weeks, period="fortnight")
    with pytest.raises(InvalidInput, match="created_at"):
        agreement_timeline(four_weeks.drop(columns="created_at"))
    with pytest.raises(InvalidInput, match="measure"):
        label_timelines(four_weeks, measure="kappa")
