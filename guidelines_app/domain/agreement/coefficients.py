"""The result type shared by every metric, and the undefined-value conventions."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from guidelines_app.domain.agreement.ratings import Ratings

T = TypeVar("T")

NO_RATINGS = "no ratings"
NO_PAIRABLE = "no pairable items (no item has two or more ratings)"
ONE_CATEGORY = "a single category in use: expected disagreement is zero"
TOO_FEW_CATEGORIES = "fewer than two categories in the domain"


@dataclass(frozen=True)
class Coefficient:
    """One agreement coefficient; ``value`` is None exactly when it is undefined."""

    name: str
    value: float | None
    undefined_reason: str | None
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    n_items: int = 0
    n_annotators: int = 0
    n_annotations: int = 0
    n_pairable_items: int = 0

    def to_dict(self) -> dict:
        return {key: json_number(value) for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Coefficient:
        return from_fields(cls, data)

    def with_interval(self, low: float | None, high: float | None) -> Coefficient:
        return replace(self, ci_low=finite_or_none(low), ci_high=finite_or_none(high))


def from_fields(cls: type[T], data: dict[str, Any]) -> T:
    """A flat result type back from its ``to_dict()`` (a cached report, say): the fields
    it declares, extra keys ignored. ``to_dict()`` of the result gives ``data`` again."""
    return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})  # type: ignore[arg-type]


def finite_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


JSON_DECIMALS = 12


def json_number(value: object) -> object:
    """Python scalars with NaN/inf turned into None, so the result is strict JSON; floats
    rounded to 12 decimals, which drops float noise (6.999999999999999) and nothing else."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, JSON_DECIMALS) if math.isfinite(value) else None
    return value


def counts_of(ratings: Ratings) -> dict:
    return {
        "n_items": ratings.n_items,
        "n_annotators": ratings.n_annotators,
        "n_annotations": ratings.n_annotations,
        "n_pairable_items": ratings.n_pairable_items,
    }


def coefficient(
    name: str,
    value: float,
    counts: dict,
    *,
    reason: str | None = None,
    se: float | None = None,
) -> Coefficient:
    """A Coefficient from a float that is NaN when undefined (``reason`` says why)."""
    defined = finite_or_none(value)
    if defined is None:
        return Coefficient(name, None, reason or "undefined", **counts)
    return Coefficient(name, defined, None, se=finite_or_none(se), **counts)


def undefined(name: str, reason: str, counts: dict) -> Coefficient:
    return Coefficient(name, None, reason, **counts)


def basic_reason(ratings: Ratings) -> str | None:
    """Why no coefficient over items can be computed, or None when one can."""
    if ratings.n_annotations == 0:
        return NO_RATINGS
    if ratings.n_pairable_items == 0:
        return NO_PAIRABLE
    return None


def chance_corrected(observed: npt.ArrayLike, expected: npt.ArrayLike) -> np.ndarray:
    """(po - pe) / (1 - pe), NaN where chance agreement is total (pe == 1)."""
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(expected, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (observed - expected) / (1.0 - expected)
    return np.where(np.isclose(expected, 1.0, rtol=0, atol=1e-12), np.nan, out)
