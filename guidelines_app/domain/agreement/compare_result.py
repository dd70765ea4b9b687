"""What a release comparison returns; ``to_dict()`` is strict JSON holding every figure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from guidelines_app.domain.agreement.bootstrap import percentile_interval
from guidelines_app.domain.agreement.coefficients import finite_or_none, from_fields, json_number

IMPROVED, WORSE, NO_CHANGE, UNDEFINED = "improved", "worse", "no measurable change", "undefined"
SCHEMA_VERSION = 1


def _plain(data: object) -> object:
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    return json_number(data)


@dataclass(frozen=True)
class Notice:
    """A caveat stated next to the figures it weakens (``applies_to``: metric names,
    labels, or ``"all"``)."""

    code: str
    message: str
    applies_to: tuple = ("all",)


@dataclass(frozen=True)
class SideSummary:
    n_items: int
    n_annotations: int
    n_annotators: int
    n_pairable_items: int
    labels_used: tuple


@dataclass(frozen=True)
class Change:
    """A before/after pair of one figure, its difference (after - before) with a
    bootstrap 95% interval, a two-sided permutation p-value, and the verdict: an
    interval that includes zero is "no measurable change", never an improvement."""

    before: float | None
    after: float | None
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    verdict: str = UNDEFINED
    undefined_reason: str | None = None


@dataclass(frozen=True)
class MetricChange:
    name: str
    change: Change


@dataclass(frozen=True)
class LabelChange:
    label: object
    n_before: int
    n_after: int
    specific_agreement: Change
    alpha_one_vs_rest: Change


@dataclass(frozen=True)
class ConfusionChange:
    """Share of the coincidence matrix's off-diagonal mass on the unordered pair
    {label_a, label_b}, on each side; ``change`` is after - before."""

    label_a: object
    label_b: object
    share_before: float | None
    share_after: float | None
    change: float | None


@dataclass(frozen=True)
class ReleaseComparison:
    design: str
    design_reason: str
    n_shared_items: int
    before: SideSummary
    after: SideSummary
    metrics: list[MetricChange]
    per_label: list[LabelChange]
    confusion: list[ConfusionChange]
    notices: list[Notice]
    settings: dict = field(default_factory=dict)

    def metric(self, name: str) -> Change:
        for m in self.metrics:
            if m.name == name:
                return m.change
        raise KeyError(name)

    def label(self, label: object) -> LabelChange:
        for entry in self.per_label:
            if entry.label == label:
                return entry
        raise KeyError(label)

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "design": self.design,
            "design_reason": self.design_reason,
            "n_shared_items": self.n_shared_items,
            "settings": _plain(self.settings),
            "before": _plain(asdict(self.before)),
            "after": _plain(asdict(self.after)),
            "metrics": {m.name: _plain(asdict(m.change)) for m in self.metrics},
            "per_label": [_plain(asdict(entry)) for entry in self.per_label],
            "confusion": [_plain(asdict(entry)) for entry in self.confusion],
            "notices": [_plain(asdict(n)) for n in self.notices],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseComparison:
        """Back from ``to_dict()`` (a cached report): ``to_dict()`` of the result is
        ``data`` again; keys a caller added to per-label entries are left out."""
        return cls(
            design=data["design"],
            design_reason=data["design_reason"],
            n_shared_items=data["n_shared_items"],
            before=_side(data["before"]),
            after=_side(data["after"]),
            metrics=[
                MetricChange(name, from_fields(Change, c)) for name, c in data["metrics"].items()
            ],
            per_label=[
                LabelChange(
                    label=e["label"],
                    n_before=e["n_before"],
                    n_after=e["n_after"],
                    specific_agreement=from_fields(Change, e["specific_agreement"]),
                    alpha_one_vs_rest=from_fields(Change, e["alpha_one_vs_rest"]),
                )
                for e in data["per_label"]
            ],
            confusion=[from_fields(ConfusionChange, e) for e in data["confusion"]],
            notices=[
                Notice(n["code"], n["message"], tuple(n["applies_to"])) for n in data["notices"]
            ],
            settings=dict(data["settings"]),
        )


def _side(data: dict[str, Any]) -> SideSummary:
    return SideSummary(**{**data, "labels_used": tuple(data["labels_used"])})


def verdict(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return UNDEFINED
    if low > 0:
        return IMPROVED
    if high < 0:
        return WORSE
    return NO_CHANGE


def p_value(observed: float, permuted: np.ndarray) -> float | None:
    """Two-sided: the share of permutations at least as far from zero as observed, with
    the observed labelling counted among them (so never exactly zero)."""
    defined = permuted[np.isfinite(permuted)]
    if not len(defined) or len(defined) < 0.5 * len(permuted):
        return None
    tol = 1e-12 * max(1.0, abs(observed))
    extreme = int(np.count_nonzero(np.abs(defined) >= abs(observed) - tol))
    return (1 + extreme) / (1 + len(defined))


def change_of(
    before: float | None,
    after: float | None,
    boot_before: np.ndarray | None,
    boot_after: np.ndarray | None,
    perm_before: np.ndarray | None,
    perm_after: np.ndarray | None,
    *,
    reason: str | None = None,
) -> Change:
    """A Change from point values and draws (NaN where a draw is undefined); ``reason``
    set means the difference is undefined whatever the values."""
    before, after = finite_or_none(before), finite_or_none(after)
    if reason is None and (before is None or after is None):
        reason = "undefined on the " + ("before" if before is None else "after") + " side"
    if reason is not None or before is None or after is None:
        return Change(before, after, undefined_reason=reason)
    difference = after - before
    low = high = p = None
    if boot_before is not None and boot_after is not None:
        low, high = percentile_interval(boot_after - boot_before)
    if perm_before is not None and perm_after is not None:
        p = p_value(difference, perm_after - perm_before)
    why = None
    if boot_before is None:
        why = "no bootstrap resamples requested: no interval"
    elif low is None:
        why = "no bootstrap interval: fewer than half of the resamples define it"
    return Change(
        before,
        after,
        difference,
        finite_or_none(low),
        finite_or_none(high),
        p,
        verdict(low, high),
        why,
    )
