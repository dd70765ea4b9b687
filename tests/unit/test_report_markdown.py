"""The Markdown release report reads as English whatever the counts, and its release table
shows every headline figure of the metrics catalogue that the data has."""

from __future__ import annotations

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.coefficients import Coefficient
from guidelines_app.domain.agreement.hotspots import Hotspot
from guidelines_app.services.reports import (
    HotspotFocus,
    ReleaseFigures,
    ReleaseInfo,
    ReleaseReport,
    Timeline,
    Totals,
    report_markdown,
)
from guidelines_app.services.reports.report_results import GuidelineInfo
from guidelines_app.services.reports.results import OpenEscalation, Titled


def _report(hotspots=(), releases=()) -> ReleaseReport:
    return ReleaseReport(
        generated_at="2026-12-03T10:00:00+00:00",
        guideline=GuidelineInfo("sentiment", "Sentiment", None),
        dimensions=("",),
        headline_metric=metrics.ALPHA_NOMINAL,
        releases=tuple(releases),
        release_markers=(),
        comparisons=(),
        timeline=Timeline(),
        label_timelines={},
        current_release=None,
        drift=None,
        hotspots=tuple(hotspots),
        annotators=(),
        notices=(),
    )


def _spot(decisions: int, escalations: int) -> HotspotFocus:
    return HotspotFocus(
        spot=Hotspot("negative", "positive", 0.4, 10, 5),
        decisions=tuple(Titled(n, "d") for n in range(decisions)),
        open_escalations=tuple(OpenEscalation(n, "q") for n in range(escalations)),
        sections=(),
    )


def test_hotspot_counts_are_singular_or_plural():
    text = report_markdown(_report([_spot(1, 1), _spot(0, 2)]), [])
    assert "40% of disagreement, 1 decision, 1 open escalation\n" in text
    assert "40% of disagreement, 0 decisions, 2 open escalations\n" in text


def test_the_release_table_has_a_column_for_each_headline_figure_present():
    def coefficient(name: str, value: float | None) -> Coefficient:
        return Coefficient(name, value, None if value is not None else "no pairable items")

    release = ReleaseFigures(
        ReleaseInfo(1, "v1", None, None, ""),
        {
            metrics.ALPHA_NOMINAL: coefficient("krippendorff_alpha_nominal", 0.5),
            metrics.FLEISS_KAPPA: coefficient("fleiss_kappa_classic", 0.25),
            metrics.GWET_AC1: coefficient("gwet_ac1", None),
        },
        {},
        Totals(10, 30, 3, 1, 1),
    )
    lines = report_markdown(_report(releases=[release]), []).splitlines()
    header = next(line for line in lines if line.startswith("| Release"))
    assert header == (
        "| Release | Items | Annotations | Annotators | Krippendorff's alpha (nominal) [95% CI] "
        "| Fleiss' kappa [95% CI] | Gwet's AC1 [95% CI] |"
    )
    assert "| v1 | 10 | 30 | 3 | 0.500 | 0.250 | n/a |" in lines
