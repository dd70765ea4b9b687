"""Agreement release by release: per-release figures, comparisons, timeline, drift,
hotspots and annotators, as one JSON-safe report (the page, the download and the CLI
all show this same object)."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from guidelines_app.domain.agreement.compare import compare_releases
from guidelines_app.domain.agreement.drift import control_chart, movers
from guidelines_app.domain.agreement.hotspots import confusion_hotspots
from guidelines_app.domain.agreement.outliers import annotator_outliers
from guidelines_app.domain.agreement.report import compute_all
from guidelines_app.domain.agreement.timeline import agreement_timeline, label_timelines
from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.domain.guideline import parse_guideline
from guidelines_app.domain.markdown import parse_body
from guidelines_app.domain.trailers import cited_decisions
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
from guidelines_app.services.reports.release_data import (
    DRAFT,
    GuidelineData,
    fingerprint,
    load,
    release_label,
)
from guidelines_app.services.reports.release_labels import align_label_spaces
from guidelines_app.store import ContentStore, Release

REPORT_SCHEMA = 1
HEADLINE = "krippendorff_alpha_nominal"
SMALL_BOOTSTRAP_ABOVE = 200_000  # annotations; fewer resamples beyond, to stay interactive


DEFAULT_RESAMPLES = 1000


def _bootstrap_for(n: int, resamples: int) -> int:
    return resamples if n <= SMALL_BOOTSTRAP_ABOVE else min(resamples, 200)


def _coefficients(frame: pd.DataFrame, resamples: int) -> dict[str, Any]:
    report = compute_all(frame, bootstrap=_bootstrap_for(len(frame), resamples), seed=0).to_dict()
    return {"coefficients": report["coefficients"], "counts": report["counts"]}


def _release_info(version: int, releases: dict[int, Release]) -> dict[str, Any]:
    release = releases.get(version)
    return {
        "version": version,
        "label": release_label(version),
        "tagged_at": release.tagged_at.isoformat() if release else None,
        "commit": release.commit_id if release else None,
        "note": _note(release),
    }


def _note(release: Release | None) -> str:
    """The release notes' first informative line: a bare "v2" heading or a list marker
    says nothing on a chart marker."""
    if release is None:
        return ""
    for line in release.message.splitlines():
        text = line.strip().lstrip("-*• ").strip()
        if text and text.lower() not in {f"v{release.version}", f"release v{release.version}"}:
            return text
    return ""


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    return {
        "items": int(frame["item"].nunique()),
        "annotations": len(frame),
        "annotators": int(frame["annotator"].nunique()),
        "batches": int(frame["batch"].nunique()),
        "datasets": int(frame["dataset"].nunique()),
    }


def _timeline(points: list) -> list[dict[str, Any]]:
    return [p.to_dict() for p in points]


def _hotspots(
    session: Session, store: ContentStore, slug: str, frame: pd.DataFrame, release: Release | None
) -> list[dict[str, Any]]:
    spots = confusion_hotspots(frame, top=8)
    if not spots:
        return []
    body = ""
    with suppress(InvalidInput, NotFound):
        body = parse_guideline(
            documents.read(store, GUIDELINE, slug, release.commit_id if release else None).text
        ).body
    sections = parse_body(body).sections if body else ()
    found = []
    for spot in spots:
        a, b = str(spot.label_a), str(spot.label_b)
        decisions = session.exec(
            select(Decision.id, Decision.title)
            .join(DecisionLabel, col(DecisionLabel.decision_id) == col(Decision.id))
            .where(Decision.guideline == slug, col(DecisionLabel.label).in_([a, b]))
            .group_by(col(Decision.id), col(Decision.title))
            .having(func.count(func.distinct(DecisionLabel.label)) == 2)
        ).all()
        open_statuses = [EscalationStatus.OPEN.value, EscalationStatus.IN_REVIEW.value]
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
        mentions = [
            {"id": s.id, "title": s.title}
            for s in sections
            if f"[[label:{a}" in s.own_text and f"[[label:{b}" in s.own_text
        ]
        found.append(
            {
                "label_a": a,
                "label_b": b,
                "share": spot.share,
                "count": spot.count,
                "n_items": spot.n_items,
                "decisions": [{"id": i, "title": t} for i, t in decisions],
                "open_escalations": [{"id": i, "question": q[:200]} for i, q in escalations],
                "sections": mentions,
            }
        )
    return found


def _drift(frame: pd.DataFrame) -> dict[str, Any] | None:
    if frame["created_at"].notna().sum() == 0:
        return None
    points = agreement_timeline(frame, period="W", n_boot=200)
    chart = control_chart(points, baseline_periods=3)
    result = chart.to_dict()
    flagged = [i for i, flag in enumerate(chart.flags) if flag]
    if flagged and len(chart.points) > 3:
        week = chart.points[flagged[-1]]
        periods = frame["created_at"].dt.tz_convert(None).dt.to_period("W")
        in_period = frame[periods.astype(str) == str(week.key)]
        baseline_keys = {str(p.key) for p in chart.baseline}
        baseline = frame[periods.astype(str).isin(baseline_keys)]
        if len(in_period) and len(baseline):
            result["movers"] = movers(in_period, baseline).to_dict()
    return result


def build(
    *,
    session: Session,
    store: ContentStore,
    data: GuidelineData,
    slug: str,
    resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    frame = data.frame
    releases = {r.version: r for r in data.releases}
    guideline = parse_guideline(documents.read(store, GUIDELINE, slug).text)
    versions = sorted(frame["release"].unique().tolist()) if len(frame) else []
    per_release = []
    for version in versions:
        rows = frame[frame["release"] == version]
        per_release.append(
            {
                **_release_info(version, releases),
                **_coefficients(rows, resamples),
                "totals": _counts(rows),
            }
        )
    with_data = [v for v in versions if v != DRAFT]
    comparisons = []
    for before, after in pairwise(with_data):
        summary = compare(
            session=session,
            store=store,
            slug=slug,
            old=before,
            new=after,
            data=data,
            light=True,
            resamples=resamples,
        )
        comparisons.append(summary)
    current = max(with_data) if with_data else (DRAFT if versions else None)
    current_rows = frame[frame["release"] == current] if current is not None else frame.iloc[0:0]
    notices = []
    if not len(frame):
        notices.append("No annotation batch has been imported for this guideline yet.")
    elif not with_data:
        notices.append(
            "All annotations predate the first release: they count as the unreleased draft."
        )
    elif DRAFT in versions:
        notices.append(
            "Some annotations predate the first release; they are shown as the unreleased draft."
        )
    weekly = (
        agreement_timeline(frame, period="W", n_boot=200)
        if frame["created_at"].notna().any()
        else []
    )
    report = {
        "schema": REPORT_SCHEMA,
        "generated_at": datetime.now(UTC).isoformat(),
        "guideline": {"slug": slug, "title": guideline.title, "taxonomy": guideline.taxonomy},
        "dimensions": data.dimensions,
        "headline_metric": HEADLINE,
        "releases": per_release,
        "release_markers": [_release_info(r.version, releases) for r in data.releases],
        "comparisons": comparisons,
        "timeline": {
            "weekly": _timeline(weekly),
            "batches": _timeline(agreement_timeline(frame, period="batch", n_boot=200))
            if len(frame)
            else [],
        },
        "label_timelines": {
            str(label): _timeline(points)
            for label, points in (
                label_timelines(frame, period="W", n_boot=0).items()
                if frame["created_at"].notna().any()
                else []
            )
        },
        "current_release": _release_info(current, releases) if current is not None else None,
        "drift": _drift(current_rows) if len(current_rows) else None,
        "hotspots": _hotspots(session, store, slug, current_rows, releases.get(current))
        if len(current_rows)
        else [],
        "annotators": [a.to_dict() for a in annotator_outliers(current_rows)]
        if len(current_rows)
        else [],
        "notices": notices,
    }
    return report


def guideline_report(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    dimension: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    """The whole report, cached by the batches and releases it depends on (the annotations
    are read only when the report has to be computed)."""
    key, _releases = fingerprint(session=session, store=store, slug=slug, dimension=dimension)

    def compute() -> dict[str, Any]:
        data = load(session=session, store=store, slug=slug, dimension=dimension)
        return build(session=session, store=store, data=data, slug=slug, resamples=resamples)

    return report_cache.cached(
        session, kind="report", key=f"{key}:{resamples}", guideline=slug, compute=compute
    )


def _version(value: str | int, releases: dict[int, Release], field: str) -> int:
    text = str(value).strip().lower()
    if text in {"draft", "0", "v0", "unreleased"}:
        return DRAFT
    number = documents.parse_version(text)
    if number is None:
        raise InvalidInput(problems=[Problem(f"not a release: {value!r} (use v1, v2, ...)", field)])
    if number not in releases:
        raise NotFound(f"no release v{number}")
    return number


def _folded_decisions(
    session: Session, store: ContentStore, slug: str, old: Release | None, new: Release | None
) -> list[dict[str, Any]]:
    if new is None:
        return []
    path = GUIDELINE.path(slug)
    before = {c.id for c in store.history(path, rev=old.commit_id, limit=100_000)} if old else set()
    cited: dict[int, str] = {}
    for commit in store.history(path, rev=new.commit_id, limit=100_000):
        if commit.id in before:
            continue
        for number in cited_decisions(commit.trailers):
            cited.setdefault(number, commit.short_id)
    if not cited:
        return []
    rows = session.exec(select(Decision).where(col(Decision.id).in_(list(cited)))).all()
    labels: dict[int, list[str]] = {}
    for decision_id, label in session.exec(
        select(DecisionLabel.decision_id, DecisionLabel.label).where(
            col(DecisionLabel.decision_id).in_(list(cited))
        )
    ).all():
        labels.setdefault(decision_id, []).append(label)
    return [
        {
            "id": d.id,
            "title": d.title,
            "section": d.section_id,
            "labels": sorted(labels.get(d.id, [])),
            "commit": cited[d.id],
        }
        for d in sorted(rows, key=lambda d: d.id)
    ]


def compare(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    old: str | int,
    new: str | int,
    dimension: str | None = None,
    data: GuidelineData | None = None,
    light: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    """Two releases side by side; ``light`` skips what only the comparison page shows."""
    if data is None:
        key, listed = fingerprint(session=session, store=store, slug=slug, dimension=dimension)
    else:
        key, listed = data.key, data.releases
    releases = {r.version: r for r in listed}
    before_v = _version(old, releases, "from")
    after_v = _version(new, releases, "to")
    if before_v == after_v:
        raise InvalidInput(
            problems=[
                Problem(f"compare {release_label(before_v)} with another release, not itself", "to")
            ]
        )
    if before_v > after_v:
        before_v, after_v = after_v, before_v
    loaded = data

    def compute() -> dict[str, Any]:
        source = loaded or load(
            session=session,
            store=store,
            slug=slug,
            dimension=dimension,
            versions={before_v, after_v},
        )
        frame = source.frame
        before = frame[frame["release"] == before_v]
        after = frame[frame["release"] == after_v]
        header = {
            "from": {**_release_info(before_v, releases), "totals": _counts(before)},
            "to": {**_release_info(after_v, releases), "totals": _counts(after)},
        }
        if before.empty or after.empty:
            empty = release_label(before_v if before.empty else after_v)
            message = f"{empty} has no annotations to compare."
            return {**header, "comparison": None, "message": message}
        mapped, label_space = align_label_spaces(store, slug, before, after)
        n = len(before) + len(after)
        draws = resamples if n <= 2 * SMALL_BOOTSTRAP_ABOVE else min(resamples, 300)
        result = compare_releases(
            mapped, after, n_boot=draws, n_perm=draws, seed=0,
            mapping_report=label_space.get("report_object"),
        )  # fmt: skip
        label_space.pop("report_object", None)
        out = {**header, "comparison": result.to_dict(), "label_space": label_space}
        if light:
            return out
        change = None
        if before_v != DRAFT:
            from guidelines_app.services.guidelines import diff

            change = diff(store=store, slug=slug, old=f"v{before_v}", new=f"v{after_v}")
        out["sections_changed"] = (
            {
                "summary": change.sections.summary,
                "changed": [{"id": c.id, "title": c.new_title} for c in change.sections.changed],
                "added": [{"id": c.id, "title": c.new_title} for c in change.sections.added],
                "removed": [{"id": c.id, "title": c.old_title} for c in change.sections.removed],
            }
            if change
            else None
        )
        decisions = _folded_decisions(
            session, store, slug, releases.get(before_v), releases.get(after_v)
        )
        out["decisions"] = decisions
        for entry in out["comparison"]["per_label"]:
            entry["decisions"] = [d["id"] for d in decisions if str(entry["label"]) in d["labels"]]
        return out

    return report_cache.cached(
        session,
        kind="compare-light" if light else "compare",
        key=f"{key}:{before_v}:{after_v}:{resamples}",
        guideline=slug,
        compute=compute,
    )
