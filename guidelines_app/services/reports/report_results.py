"""What the release report returns: per-release figures, comparisons, timelines, drift,
hotspots and annotators, as typed results (see results.py for the contract of
``to_dict()`` / ``from_dict`` and why the cache keeps the dict form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.coefficients import Coefficient, from_fields, json_number
from guidelines_app.domain.agreement.drift import Movers
from guidelines_app.domain.agreement.hotspots import Hotspot
from guidelines_app.domain.agreement.outliers import AnnotatorFigure
from guidelines_app.domain.agreement.timeline import TimelinePoint
from guidelines_app.services.reports.results import (
    Comparison,
    OpenEscalation,
    ReleaseInfo,
    Titled,
    Totals,
)

REPORT_SCHEMA = 1


@dataclass(frozen=True)
class ReleaseFigures:
    """One release's coefficients (keyed as in the metrics catalogue) and counts."""

    release: ReleaseInfo
    coefficients: dict[str, Coefficient]
    counts: dict[str, int]
    totals: Totals

    def coefficient(self, key: str) -> Coefficient | None:
        return self.coefficients.get(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.release.to_dict(),
            "coefficients": {k: c.to_dict() for k, c in self.coefficients.items()},
            "counts": {k: json_number(v) for k, v in self.counts.items()},
            "totals": self.totals.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseFigures:
        return cls(
            release=ReleaseInfo.from_dict(data),
            coefficients={k: Coefficient.from_dict(c) for k, c in data["coefficients"].items()},
            counts=dict(data["counts"]),
            totals=Totals.from_dict(data["totals"]),
        )


@dataclass(frozen=True)
class FlaggedPoint(TimelinePoint):
    """A week of the control chart: ``flag`` is "above", "below" or None."""

    flag: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlaggedPoint:
        return from_fields(cls, data)


@dataclass(frozen=True)
class DriftChart:
    """The current release's weekly control chart; ``movers``: who and which labels moved
    most in the last flagged week (None when no week is flagged)."""

    centre: float | None
    lower: float | None
    upper: float | None
    sigma: float | None
    sigma_source: str | None
    baseline_periods: int
    points: tuple[FlaggedPoint, ...]
    undefined_reason: str | None
    movers: Movers | None = None

    @property
    def flagged(self) -> tuple[FlaggedPoint, ...]:
        return tuple(p for p in self.points if p.flag)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "centre": json_number(self.centre),
            "lower": json_number(self.lower),
            "upper": json_number(self.upper),
            "sigma": json_number(self.sigma),
            "sigma_source": self.sigma_source,
            "baseline_periods": self.baseline_periods,
            "points": [p.to_dict() for p in self.points],
            "undefined_reason": self.undefined_reason,
        }
        if self.movers is not None:
            out["movers"] = self.movers.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DriftChart:
        movers = data.get("movers")
        return cls(
            centre=data["centre"],
            lower=data["lower"],
            upper=data["upper"],
            sigma=data["sigma"],
            sigma_source=data["sigma_source"],
            baseline_periods=data["baseline_periods"],
            points=tuple(FlaggedPoint.from_dict(p) for p in data["points"]),
            undefined_reason=data["undefined_reason"],
            movers=Movers.from_dict(movers) if movers is not None else None,
        )


@dataclass(frozen=True)
class HotspotFocus:
    """A confused label pair with what the team already has on it: decisions about both
    labels, open escalations about both, and the sections that mention both."""

    spot: Hotspot
    decisions: tuple[Titled, ...]
    open_escalations: tuple[OpenEscalation, ...]
    sections: tuple[Titled, ...]

    def to_dict(self) -> dict[str, Any]:
        spot = self.spot  # its figures as computed: the report never rounded them
        return {
            "label_a": spot.label_a,
            "label_b": spot.label_b,
            "share": spot.share,
            "count": spot.count,
            "n_items": spot.n_items,
            "decisions": [d.to_dict() for d in self.decisions],
            "open_escalations": [e.to_dict() for e in self.open_escalations],
            "sections": [s.to_dict() for s in self.sections],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HotspotFocus:
        return cls(
            spot=Hotspot.from_dict(data),
            decisions=tuple(Titled(d["id"], d["title"]) for d in data["decisions"]),
            open_escalations=tuple(
                OpenEscalation(e["id"], e["question"]) for e in data["open_escalations"]
            ),
            sections=tuple(Titled(s["id"], s["title"]) for s in data["sections"]),
        )


@dataclass(frozen=True)
class GuidelineInfo:
    slug: str
    title: str
    taxonomy: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "taxonomy": self.taxonomy}


@dataclass(frozen=True)
class Timeline:
    """The headline metric per week, and per batch."""

    weekly: tuple[TimelinePoint, ...] = ()
    batches: tuple[TimelinePoint, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "weekly": [p.to_dict() for p in self.weekly],
            "batches": [p.to_dict() for p in self.batches],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        return cls(
            tuple(TimelinePoint.from_dict(p) for p in data["weekly"]),
            tuple(TimelinePoint.from_dict(p) for p in data["batches"]),
        )


@dataclass(frozen=True)
class ReleaseReport:
    """Agreement release by release for one guideline (one annotation dimension).

    ``comparisons`` are summaries of each release against the one before (no section
    changes or decisions: ``compare`` gives those); ``drift``, ``hotspots`` and
    ``annotators`` are about ``current_release``.
    """

    generated_at: str
    guideline: GuidelineInfo
    dimensions: tuple[str, ...]
    headline_metric: str
    releases: tuple[ReleaseFigures, ...]
    release_markers: tuple[ReleaseInfo, ...]
    comparisons: tuple[Comparison, ...]
    timeline: Timeline
    label_timelines: dict[str, tuple[TimelinePoint, ...]]
    current_release: ReleaseInfo | None
    drift: DriftChart | None
    hotspots: tuple[HotspotFocus, ...]
    annotators: tuple[AnnotatorFigure, ...]
    notices: tuple[str, ...]

    def headline_metrics(self) -> tuple[metrics.Metric, ...]:
        """The catalogue's headline figures that some release has, in column order."""
        present = {key for r in self.releases for key in r.coefficients}
        return tuple(m for m in metrics.headline() if m.key in present)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "generated_at": self.generated_at,
            "guideline": self.guideline.to_dict(),
            "dimensions": list(self.dimensions),
            "headline_metric": self.headline_metric,
            "releases": [r.to_dict() for r in self.releases],
            "release_markers": [r.to_dict() for r in self.release_markers],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "timeline": self.timeline.to_dict(),
            "label_timelines": {
                label: [p.to_dict() for p in points]
                for label, points in self.label_timelines.items()
            },
            "current_release": self.current_release.to_dict() if self.current_release else None,
            "drift": self.drift.to_dict() if self.drift else None,
            "hotspots": [h.to_dict() for h in self.hotspots],
            "annotators": [a.to_dict() for a in self.annotators],
            "notices": list(self.notices),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseReport:
        current, drift = data["current_release"], data["drift"]
        return cls(
            generated_at=data["generated_at"],
            guideline=from_fields(GuidelineInfo, data["guideline"]),
            dimensions=tuple(data["dimensions"]),
            headline_metric=data["headline_metric"],
            releases=tuple(ReleaseFigures.from_dict(r) for r in data["releases"]),
            release_markers=tuple(ReleaseInfo.from_dict(r) for r in data["release_markers"]),
            comparisons=tuple(Comparison.from_dict(c) for c in data["comparisons"]),
            timeline=Timeline.from_dict(data["timeline"]),
            label_timelines={
                label: tuple(TimelinePoint.from_dict(p) for p in points)
                for label, points in data["label_timelines"].items()
            },
            current_release=ReleaseInfo.from_dict(current) if current else None,
            drift=DriftChart.from_dict(drift) if drift else None,
            hotspots=tuple(HotspotFocus.from_dict(h) for h in data["hotspots"]),
            annotators=tuple(AnnotatorFigure.from_dict(a) for a in data["annotators"]),
            notices=tuple(data["notices"]),
        )
