"""Agreement release by release: per-release figures, comparisons, timeline, drift,
hotspots and annotators, as one ``ReleaseReport`` (the page, the downloads and the CLI
all show this same object; ``to_dict()`` is its JSON)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import fields
from datetime import UTC, datetime
from itertools import pairwise

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.drift import control_chart, movers
from guidelines_app.domain.agreement.hotspots import Hotspot, confusion_hotspots
from guidelines_app.domain.agreement.outliers import annotator_outliers
from guidelines_app.domain.agreement.report import compute_all
from guidelines_app.domain.agreement.timeline import agreement_timeline, label_timelines
from guidelines_app.domain.errors import InvalidInput, NotFound
from guidelines_app.domain.guideline import parse_guideline
from guidelines_app.domain.markdown import parse_body
from guidelines_app.models import (
    Decision,
    DecisionLabel,
    Escalation,
    EscalationLabel,
    EscalationStatus,
)
from guidelines_app.services import documents
from guidelines_app.services.documents import GUIDELINE
from guidelines_app.services.reports import cache as report_cache
from guidelines_app.services.reports.release_compare import (
    DEFAULT_RESAMPLES,
    SMALL_BOOTSTRAP_ABOVE,
    compare,
    release_info,
    totals,
)
from guidelines_app.services.reports.release_data import (
    DRAFT,
    GuidelineData,
    fingerprint,
    load,
    release_label,
)
from guidelines_app.services.reports.report_results import (
    DriftChart,
    FlaggedPoint,
    GuidelineInfo,
    HotspotFocus,
    ReleaseFigures,
    ReleaseReport,
    Timeline,
)
from guidelines_app.services.reports.results import OpenEscalation, Titled
from guidelines_app.store import ContentStore, Release

HEADLINE = metrics.ALPHA_NOMINAL  # the figure of the timeline, the drift chart, the comparisons


def _figures(
    frame: pd.DataFrame, version: int, releases: dict[int, Release], resamples: int
) -> ReleaseFigures:
    boot = resamples if len(frame) <= SMALL_BOOTSTRAP_ABOVE else min(resamples, 200)
    report = compute_all(frame, bootstrap=boot, seed=0)
    return ReleaseFigures(
        release_info(version, releases),
        dict(report.coefficients),
        report.to_dict()["counts"],
        totals(frame),
    )


def _hotspots(
    session: Session, store: ContentStore, slug: str, frame: pd.DataFrame, release: Release | None
) -> tuple[HotspotFocus, ...]:
    spots = confusion_hotspots(frame, top=8)
    if not spots:
        return ()
    body = ""
    with suppress(InvalidInput, NotFound):
        body = parse_guideline(
            documents.read(store, GUIDELINE, slug, release.commit_id if release else None).text
        ).body
    sections = parse_body(body).sections if body else ()
    found = []
    open_statuses = [EscalationStatus.OPEN.value, EscalationStatus.IN_REVIEW.value]
    for spot in spots:
        a, b = str(spot.label_a), str(spot.label_b)
        decisions = session.exec(
            select(Decision.id, Decision.title)
            .join(DecisionLabel, col(DecisionLabel.decision_id) == col(Decision.id))
            .where(Decision.guideline == slug, col(DecisionLabel.label).in_([a, b]))
            .group_by(col(Decision.id), col(Decision.title))
            .having(func.count(func.distinct(DecisionLabel.label)) == 2)
        ).all()
        escalations = session.exec(
            select(Escalation.id, Escalation.question)
            .join(EscalationLabel, col(EscalationLabel.escalation_id) == col(Escalation.id))
            .where(
                Escalation.guideline == slug,
                col(Escalation.status).in_(open_statuses),
                col(EscalationLabel.label).in_([a, b]),
            )
            .group_by(col(Escalation.id), col(Escalation.question))
            .having(func.count(func.distinct(EscalationLabel.label)) == 2)
        ).all()
        found.append(
            HotspotFocus(
                spot=Hotspot(a, b, spot.share, spot.count, spot.n_items),
                decisions=tuple(Titled(i or 0, t) for i, t in decisions),
                open_escalations=tuple(OpenEscalation(i or 0, q[:200]) for i, q in escalations),
                sections=tuple(
                    Titled(s.id, s.title)
                    for s in sections
                    if f"[[label:{a}" in s.own_text and f"[[label:{b}" in s.own_text
                ),
            )
        )
    return tuple(found)


def _drift(frame: pd.DataFrame) -> DriftChart | None:
    if frame["created_at"].notna().sum() == 0:
        return None
    chart = control_chart(agreement_timeline(frame, period="W", n_boot=200), baseline_periods=3)
    found = None
    flagged = [i for i, flag in enumerate(chart.flags) if flag]
    if flagged and len(chart.points) > 3:
        week = chart.points[flagged[-1]]
        periods = frame["created_at"].dt.tz_convert(None).dt.to_period("W")
        in_period = frame[periods.astype(str) == str(week.key)]
        baseline_keys = {str(p.key) for p in chart.baseline}
        baseline = frame[periods.astype(str).isin(baseline_keys)]
        if len(in_period) and len(baseline):
            found = movers(in_period, baseline)
    return DriftChart(
        centre=chart.centre,
        lower=chart.lower,
        upper=chart.upper,
        sigma=chart.sigma,
        sigma_source=chart.sigma_source,
        baseline_periods=len(chart.baseline),
        points=tuple(
            FlaggedPoint(**{f.name: getattr(p, f.name) for f in fields(p)}, flag=flag)
            for p, flag in zip(chart.points, chart.flags, strict=True)
        ),
        undefined_reason=chart.undefined_reason,
        movers=found,
    )


def _notices(frame: pd.DataFrame, releases: int, with_data: list[int]) -> tuple[str, ...]:
    """What a reader must know to read the figures right: ordinary data, said plainly."""
    if not len(frame):
        return ("No annotation batch has been imported for this guideline yet.",)
    notices = []
    draft = frame[frame["release"] == DRAFT]
    undated = draft.loc[draft["created_at"].isna(), "batch"].nunique()
    if not releases:
        notices.append(
            "The guideline has no release yet: every annotation counts as the unreleased draft. "
            "Release it to compare agreement release by release."
        )
    elif undated:
        batches = "1 batch carries" if undated == 1 else f"{undated} batches carry"
        notices.append(
            f"{batches} neither a release nor timestamps, so they count as the unreleased "
            "draft: give each the release it was annotated under on its batch page (or import "
            "with --release)."
        )
    elif not with_data:
        notices.append(
            "All annotations predate the first release: they count as the unreleased draft."
        )
    elif len(draft):
        notices.append(
            "Some annotations predate the first release; they are shown as the unreleased draft."
        )
    if not frame["created_at"].notna().any():
        notices.append(
            "No annotation has a time (created_at): the weekly timelines and the drift chart "
            "need one."
        )
    if frame["annotator"].nunique() < 2:
        notices.append(
            "One annotator only: agreement needs at least two annotators on the same item, so "
            "the coefficients are undefined."
        )
    elif not frame.groupby("item")["annotator"].nunique().gt(1).any():
        notices.append(
            "No item was annotated by two annotators: agreement compares annotations of the "
            "same item, so the coefficients are undefined."
        )
    elif frame["label"].nunique() < 2:
        notices.append(
            "Every annotation has the same label: chance-corrected coefficients are undefined "
            "when only one label is used; percent agreement still says how often annotators agree."
        )
    return tuple(notices)


#: Told how far a report got: ``(stage, done, total)`` (a job writes it on its row).
Progress = Callable[[str, int, int], None]


def _silent(_stage: str, _done: int, _total: int) -> None:
    return None


def build(
    *,
    session: Session,
    store: ContentStore,
    data: GuidelineData,
    slug: str,
    resamples: int = DEFAULT_RESAMPLES,
    progress: Progress = _silent,
) -> ReleaseReport:
    """The report from loaded data; ``progress`` hears of each release's figures, each
    comparison and the timelines, the steps that take the time."""
    frame = data.frame
    releases = {r.version: r for r in data.releases}
    guideline = documents.guideline_of(documents.read(store, GUIDELINE, slug))
    versions = sorted(frame["release"].unique().tolist()) if len(frame) else []
    with_data = [v for v in versions if v != DRAFT]
    pairs = list(pairwise(with_data))
    steps = len(versions) + len(pairs) + 2
    step = 0
    figures = []
    for version in versions:
        progress(f"figures of {release_label(version)}", step, steps)
        figures.append(_figures(frame[frame["release"] == version], version, releases, resamples))
        step += 1
    comparisons = []
    for before, after in pairs:
        progress(f"comparing {release_label(before)} with {release_label(after)}", step, steps)
        comparisons.append(
            compare(session=session, store=store, slug=slug, old=before, new=after, data=data,
                    light=True, resamples=resamples)
        )  # fmt: skip
        step += 1
    progress("weekly and per-batch timelines", step, steps)
    current = max(with_data) if with_data else (DRAFT if versions else None)
    current_rows = frame[frame["release"] == current] if current is not None else frame.iloc[0:0]
    dated = bool(frame["created_at"].notna().any())
    weekly = agreement_timeline(frame, period="W", n_boot=200) if dated else []
    by_batch = agreement_timeline(frame, period="batch", n_boot=200) if len(frame) else []
    by_label = label_timelines(frame, period="W", n_boot=0) if dated else {}
    has_current = bool(len(current_rows))
    progress("drift, hotspots and annotators", step + 1, steps)
    return ReleaseReport(
        generated_at=datetime.now(UTC).isoformat(),
        guideline=GuidelineInfo(slug, guideline.title, guideline.taxonomy),
        dimensions=tuple(data.dimensions),
        headline_metric=HEADLINE,
        releases=tuple(figures),
        release_markers=tuple(release_info(r.version, releases) for r in data.releases),
        comparisons=tuple(comparisons),
        timeline=Timeline(tuple(weekly), tuple(by_batch)),
        label_timelines={str(label): tuple(points) for label, points in by_label.items()},
        current_release=release_info(current, releases) if current is not None else None,
        drift=_drift(current_rows) if has_current else None,
        hotspots=_hotspots(session, store, slug, current_rows, releases.get(current))
        if has_current and current is not None
        else (),
        annotators=tuple(annotator_outliers(current_rows)) if has_current else (),
        notices=_notices(frame, len(data.releases), with_data),
    )


def guideline_report(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    dimension: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    progress: Progress = _silent,
) -> ReleaseReport:
    """The whole report, cached by the batches and releases it depends on (the annotations
    are read only when the report has to be computed). The cache keeps ``to_dict()``;
    what is returned is always read back from it (results.py says why)."""
    key, _releases = fingerprint(session=session, store=store, slug=slug, dimension=dimension)

    def compute() -> dict:
        progress("reading the annotations", 0, 0)
        data = load(session=session, store=store, slug=slug, dimension=dimension)
        report = build(
            session=session,
            store=store,
            data=data,
            slug=slug,
            resamples=resamples,
            progress=progress,
        )
        return report.to_dict()

    payload = report_cache.cached(
        session, kind="report", key=f"{key}:{resamples}", guideline=slug, compute=compute
    )
    return ReleaseReport.from_dict(payload)
