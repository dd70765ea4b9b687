"""Drift within a release: a control chart over the timeline, and who or what moved.

The centre line is the mean of the first ``baseline_periods`` defined points. Sigma is
the larger of two estimates, and ``sigma_source`` says which one won:

* ``bootstrap``: the root mean square of the baseline points' standard errors, each
  read off its bootstrap 95% interval as (high - low) / (2 x 1.96): sampling noise;
* ``baseline spread``: the standard deviation of the baseline values (two or more):
  ordinary week-to-week wobble, which sampling noise alone does not capture.

Taking the larger keeps either kind of noise from raising a flag. Limits are
centre +/- 3 sigma; later points outside them are flagged, above or below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.annotators import annotator_agreement
from guidelines_app.domain.agreement.coefficients import from_fields, json_number
from guidelines_app.domain.agreement.per_label import per_label_agreement
from guidelines_app.domain.agreement.ratings import prepare
from guidelines_app.domain.agreement.timeline import TimelinePoint, timeline_categories
from guidelines_app.domain.errors import InvalidInput

Z95 = 1.959963984540054
SIGMAS = 3.0


@dataclass(frozen=True)
class ControlChart:
    centre: float | None
    lower: float | None
    upper: float | None
    sigma: float | None
    sigma_source: str | None
    baseline: list[TimelinePoint]
    points: list[TimelinePoint]
    flags: list[str | None]  # per point: "above", "below" or None
    undefined_reason: str | None = None

    @property
    def flagged(self) -> list[TimelinePoint]:
        return [p for p, flag in zip(self.points, self.flags, strict=True) if flag]

    def to_dict(self) -> dict:
        return {
            "centre": json_number(self.centre),
            "lower": json_number(self.lower),
            "upper": json_number(self.upper),
            "sigma": json_number(self.sigma),
            "sigma_source": self.sigma_source,
            "baseline_periods": len(self.baseline),
            "points": [
                {**p.to_dict(), "flag": flag}
                for p, flag in zip(self.points, self.flags, strict=True)
            ],
            "undefined_reason": self.undefined_reason,
        }


def control_chart(points: Sequence[TimelinePoint], *, baseline_periods: int = 3) -> ControlChart:
    if baseline_periods < 1:
        raise InvalidInput("baseline_periods must be at least 1")
    points = list(points)
    defined = [p for p in points if p.value is not None]
    baseline = defined[:baseline_periods]
    needed = min(baseline_periods, 2)
    if len(baseline) < needed:
        return ControlChart(
            None,
            None,
            None,
            None,
            None,
            baseline,
            points,
            [None] * len(points),
            f"fewer than {needed} periods with a defined value for the baseline",
        )
    values = np.array([p.value for p in baseline])
    centre = float(values.mean())
    candidates = []
    errors = [
        (p.ci_high - p.ci_low) / (2 * Z95)
        for p in baseline
        if p.ci_low is not None and p.ci_high is not None
    ]
    if errors:
        candidates.append((float(np.sqrt(np.mean(np.square(errors)))), "bootstrap"))
    if len(values) >= 2:
        candidates.append((float(values.std(ddof=1)), "baseline spread"))
    if not candidates:
        return ControlChart(
            centre,
            None,
            None,
            None,
            None,
            baseline,
            points,
            [None] * len(points),
            "a single baseline point without an interval: no spread to set limits from",
        )
    sigma, source = max(candidates)
    lower, upper = centre - SIGMAS * sigma, centre + SIGMAS * sigma
    in_baseline = {id(p) for p in baseline}
    flags: list[str | None] = []
    for p in points:
        flag = None
        if p.value is not None and id(p) not in in_baseline:
            flag = "above" if p.value > upper else "below" if p.value < lower else None
        flags.append(flag)
    return ControlChart(centre, lower, upper, sigma, source, baseline, points, flags)


@dataclass(frozen=True)
class Mover:
    """One annotator's agreement with the others, or one label's specific agreement, in
    the baseline and in the period; ``change`` is period - baseline."""

    key: object
    baseline: float
    period: float
    change: float
    n_baseline: int
    n_period: int

    def to_dict(self) -> dict:
        return {k: json_number(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mover:
        return from_fields(cls, data)


@dataclass(frozen=True)
class Movers:
    annotators: list[Mover] = field(default_factory=list)
    labels: list[Mover] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "annotators": [m.to_dict() for m in self.annotators],
            "labels": [m.to_dict() for m in self.labels],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Movers:
        return cls(
            annotators=[Mover.from_dict(m) for m in data["annotators"]],
            labels=[Mover.from_dict(m) for m in data["labels"]],
        )


def _ranked(entries: list[Mover], top: int) -> list[Mover]:
    return sorted(entries, key=lambda m: (-abs(m.change), str(m.key)))[:top]


def movers(
    frame_in_period: pd.DataFrame,
    frame_baseline: pd.DataFrame,
    *,
    categories: Sequence | None = None,
    top: int = 5,
) -> Movers:
    """The annotators whose leave-one-out agreement (agreement with the other annotators
    of their items) changed most, and the labels whose specific agreement did; only
    those with a figure on both sides."""
    both = pd.concat([frame_baseline, frame_in_period], ignore_index=True)
    cats = timeline_categories(both, categories)
    base, now = prepare(frame_baseline, categories=cats), prepare(frame_in_period, categories=cats)
    by_annotator = {a.annotator: a for a in annotator_agreement(base)}
    annotators = []
    for a in annotator_agreement(now):
        old = by_annotator.get(a.annotator)
        if old is None or old.agreement_with_rest is None or a.agreement_with_rest is None:
            continue
        annotators.append(
            Mover(
                a.annotator,
                old.agreement_with_rest,
                a.agreement_with_rest,
                a.agreement_with_rest - old.agreement_with_rest,
                old.n_shared_items,
                a.n_shared_items,
            )
        )
    labels = []
    for before, after in zip(per_label_agreement(base), per_label_agreement(now), strict=True):
        if before.specific_agreement is None or after.specific_agreement is None:
            continue
        labels.append(
            Mover(
                after.label,
                before.specific_agreement,
                after.specific_agreement,
                after.specific_agreement - before.specific_agreement,
                before.n_annotations,
                after.n_annotations,
            )
        )
    return Movers(_ranked(annotators, top), _ranked(labels, top))
