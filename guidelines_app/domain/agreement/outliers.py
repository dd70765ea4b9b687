"""Annotators far below the others, by a robust rule, each with the reason.

Two figures per annotator from the engine (annotators.py): leave-one-out agreement
(over their items that others rated too, the share of the other ratings equal to
theirs) and accuracy on gold items. An annotator is an outlier when either figure is
more than ``threshold`` robust deviations below the median of the annotators judged
on it. The robust deviation is 1.4826 x the median absolute deviation (the standard
deviation for normal data), floored at ``MIN_SCALE`` so that a team that agrees
almost perfectly does not turn a one-point dip into an outlier. Only annotators with
``min_items`` shared (or gold) items are judged, and only when at least
``MIN_ANNOTATORS`` are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.annotators import annotator_agreement
from guidelines_app.domain.agreement.coefficients import from_fields, json_number
from guidelines_app.domain.agreement.ratings import Ratings, ensure_ratings

MAD_SCALE = 1.4826
MIN_SCALE = 0.02
MIN_ANNOTATORS = 3


@dataclass(frozen=True)
class AnnotatorFigure:
    annotator: object
    loo_agreement: float | None
    gold_accuracy: float | None
    n: int  # annotations
    outlier: bool
    reason: str | None
    n_shared_items: int = 0
    n_gold_items: int = 0

    def to_dict(self) -> dict:
        return {k: json_number(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnotatorFigure:
        return from_fields(cls, data)


def _robust_low(values: np.ndarray, judged: np.ndarray) -> tuple[float, np.ndarray] | None:
    """The median and, per annotator, robust deviations below it (NaN where not
    judged); None when too few annotators are judged."""
    if judged.sum() < MIN_ANNOTATORS:
        return None
    sample = values[judged]
    median = float(np.median(sample))
    scale = max(MAD_SCALE * float(np.median(np.abs(sample - median))), MIN_SCALE)
    below = np.where(judged, (median - values) / scale, np.nan)
    return median, below


def annotator_outliers(
    frame_or_ratings: pd.DataFrame | Ratings,
    *,
    categories: Sequence | None = None,
    threshold: float = 2.5,
    min_items: int = 10,
) -> list[AnnotatorFigure]:
    ratings = ensure_ratings(frame_or_ratings, categories)
    figures = annotator_agreement(ratings)
    if not figures:
        return []
    loo = np.array(
        [np.nan if f.agreement_with_rest is None else f.agreement_with_rest for f in figures]
    )
    gold = np.array([np.nan if f.gold_accuracy is None else f.gold_accuracy for f in figures])
    shared = np.array([f.n_shared_items for f in figures])
    n_gold = np.array([f.n_gold_items for f in figures])
    checks = [
        ("agreement with the others", loo, np.isfinite(loo) & (shared >= min_items)),
        ("gold accuracy", gold, np.isfinite(gold) & (n_gold >= min_items)),
    ]
    reasons: list[list[str]] = [[] for _ in figures]
    judged_any = np.zeros(len(figures), dtype=bool)
    for what, values, judged in checks:
        found = _robust_low(values, judged)
        if found is None:
            continue
        judged_any |= judged
        median, below = found
        for i in np.flatnonzero(below > threshold).tolist():
            reasons[i].append(
                f"{what} {values[i]:.2f} is {below[i]:.1f} robust deviations below the "
                f"median {median:.2f} (threshold {threshold:g})"
            )
    out = []
    for i, f in enumerate(figures):
        reason = "; ".join(reasons[i]) or None
        if reason is None and not judged_any[i]:
            reason = (
                f"not judged: fewer than {min_items} shared or gold items, or fewer than "
                f"{MIN_ANNOTATORS} annotators to compare with"
            )
        out.append(
            AnnotatorFigure(
                annotator=f.annotator,
                loo_agreement=f.agreement_with_rest,
                gold_accuracy=f.gold_accuracy,
                n=f.n_annotations,
                outlier=bool(reasons[i]),
                reason=reason,
                n_shared_items=f.n_shared_items,
                n_gold_items=f.n_gold_items,
            )
        )
    return out
