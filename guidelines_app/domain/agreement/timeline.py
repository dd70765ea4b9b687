"""Agreement over time: one point per period (a week by default) or per batch.

Every point is the engine's own coefficient on the annotations of that period, with
its bootstrap interval, so a point equals ``compute_all`` on the same rows (coded over
the categories of the whole timeline, so that every point uses the same label set).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.coefficients import Coefficient, from_fields, json_number
from guidelines_app.domain.agreement.gwet import gwet_ac1
from guidelines_app.domain.agreement.kappa import fleiss_kappa, percent_agreement
from guidelines_app.domain.agreement.krippendorff import krippendorff_alpha
from guidelines_app.domain.agreement.pairwise import mean_pairwise
from guidelines_app.domain.agreement.per_label import per_label_agreement
from guidelines_app.domain.agreement.ratings import Ratings, prepare
from guidelines_app.domain.errors import InvalidInput

MetricFunction = Callable[..., Coefficient]
TIMELINE_METRICS: dict[str, MetricFunction] = {
    metrics.ALPHA_NOMINAL: lambda r, **kw: krippendorff_alpha(r, level="nominal", **kw),
    metrics.PERCENT_AGREEMENT: percent_agreement,
    metrics.FLEISS_KAPPA: fleiss_kappa,
    metrics.GWET_AC1: gwet_ac1,
    metrics.COHEN_KAPPA: mean_pairwise,
}
LABEL_MEASURES = ("specific_agreement", "alpha_one_vs_rest")


@dataclass(frozen=True)
class TimelinePoint:
    """``start``/``end``: the period's bounds, or a batch's first and last annotation
    time (None without ``created_at``); ``key``: the period or the batch id."""

    start: object
    end: object
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n_items: int
    n_annotations: int
    n_annotators: int
    key: object = None
    undefined_reason: str | None = None

    def to_dict(self) -> dict:
        out = {}
        for name, value in asdict(self).items():
            if value is pd.NaT:
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.isoformat()
            elif isinstance(value, pd.Period):
                value = str(value)
            out[name] = json_number(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelinePoint:
        """Back from ``to_dict()``: times and periods stay the text they were written as."""
        return from_fields(cls, data)


def _naive(times: pd.Series) -> pd.Series:
    times = pd.to_datetime(times)
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return times


def _bounds(rows: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """A batch's first and last annotation time; None for a batch without times."""
    if "created_at" not in rows.columns:
        return None, None
    times = _naive(rows["created_at"]).dropna()
    if times.empty:
        return None, None
    return times.min(), times.max()


def periods(
    frame: pd.DataFrame, period: str, by: str | None
) -> Iterator[tuple[object, object, object, pd.DataFrame]]:
    """(key, start, end, rows) for each period or batch with annotations, in time order."""
    if period == "batch":
        column = by or "batch"
        if column not in frame.columns:
            raise InvalidInput(f"missing columns: {column!r} is required for a batch timeline")
        groups = frame.groupby(column, sort=True, dropna=True)
        keyed = []
        for key, rows in groups:
            start, end = _bounds(rows)
            keyed.append((key, start, end, rows))
        keyed.sort(key=lambda entry: (entry[1] is None, entry[1] or pd.Timestamp(0)))
        yield from keyed
        return
    column = by or "created_at"
    if column not in frame.columns:
        raise InvalidInput(f"missing columns: {column!r} is required for a timeline by period")
    times = _naive(frame[column])
    keep = times.notna().to_numpy()
    try:
        codes = pd.PeriodIndex(times[keep], freq=period)
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"unknown period {period!r}") from error
    ordinals = codes.asi8
    columns = [c for c in ("item", "annotator", "label", "created_at", "gold") if c in frame]
    narrow = frame[list(dict.fromkeys([*columns, column]))]
    positions = np.flatnonzero(keep)
    # In time order, not just period order: prepare() then finds each period sorted.
    order = np.argsort(times[keep].to_numpy(), kind="stable")
    ordinals = ordinals[order]
    bounds = np.flatnonzero(np.diff(ordinals)) + 1
    starts = np.concatenate([[0], bounds]) if len(ordinals) else np.zeros(0, dtype=np.int64)
    stops = np.concatenate([bounds, [len(ordinals)]]) if len(ordinals) else starts
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        key = pd.Period(ordinal=int(ordinals[a]), freq=codes.freq)
        yield key, key.start_time, _end_time(key), narrow.iloc[positions[order[a:b]]]


def _end_time(period: pd.Period) -> pd.Timestamp:
    """The period's last nanosecond, as reports have always given it: pandas 3 gives
    ``end_time`` at the resolution of its default unit (microseconds)."""
    return (period + 1).start_time.as_unit("ns") - pd.Timedelta(1, "ns")


def timeline_categories(frame: pd.DataFrame, categories: Sequence | None) -> list:
    if categories is not None:
        return list(categories)
    labels = pd.Index(pd.unique(frame["label"].dropna().to_numpy()))
    try:
        return list(labels.sort_values())
    except TypeError:
        return list(labels)


def _point(
    key: object, start: object, end: object, ratings: Ratings, coef: Coefficient
) -> TimelinePoint:
    return TimelinePoint(
        start=start,
        end=end,
        value=coef.value,
        ci_low=coef.ci_low,
        ci_high=coef.ci_high,
        n_items=ratings.n_items,
        n_annotations=ratings.n_annotations,
        n_annotators=ratings.n_annotators,
        key=key,
        undefined_reason=coef.undefined_reason,
    )


def agreement_timeline(
    frame: pd.DataFrame,
    *,
    period: str = "W",
    by: str | None = None,
    metric: str = metrics.ALPHA_NOMINAL,
    categories: Sequence | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> list[TimelinePoint]:
    """``period``: a pandas period alias over ``by`` (default ``created_at``): "W" weeks
    (Monday to Sunday), "D", "M"...; or "batch", one point per value of ``by`` (default
    ``batch``), ordered by first annotation time when ``created_at`` is present."""
    if metric not in TIMELINE_METRICS:
        raise InvalidInput(f"metric must be one of {', '.join(TIMELINE_METRICS)}")
    function = TIMELINE_METRICS[metric]
    cats = timeline_categories(frame, categories)
    out = []
    for key, start, end, rows in periods(frame, period, by):
        ratings = prepare(rows, categories=cats)
        out.append(_point(key, start, end, ratings, function(ratings, bootstrap=n_boot, seed=seed)))
    return out


def label_timelines(
    frame: pd.DataFrame,
    *,
    period: str = "W",
    by: str | None = None,
    measure: str = "specific_agreement",
    categories: Sequence | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> dict[object, list[TimelinePoint]]:
    """One timeline per label of the per-label ``measure``; a point's ``n_annotations``
    counts that label's annotations in the period."""
    if measure not in LABEL_MEASURES:
        raise InvalidInput(f"measure must be one of {', '.join(LABEL_MEASURES)}")
    low, high = ("specific_ci_low", "specific_ci_high")
    if measure == "alpha_one_vs_rest":
        low, high = ("alpha_ci_low", "alpha_ci_high")
    cats = timeline_categories(frame, categories)
    out: dict[object, list[TimelinePoint]] = {label: [] for label in cats}
    for key, start, end, rows in periods(frame, period, by):
        ratings = prepare(rows, categories=cats)
        for entry in per_label_agreement(ratings, bootstrap=n_boot, seed=seed):
            value = getattr(entry, measure)
            reason = None
            if value is None:
                reason = entry.undefined_reason or "label never used on a pairable item"
            out[entry.label].append(
                TimelinePoint(
                    start=start,
                    end=end,
                    value=value,
                    ci_low=getattr(entry, low),
                    ci_high=getattr(entry, high),
                    n_items=ratings.n_items,
                    n_annotations=entry.n_annotations,
                    n_annotators=ratings.n_annotators,
                    key=key,
                    undefined_reason=reason,
                )
            )
    return out
