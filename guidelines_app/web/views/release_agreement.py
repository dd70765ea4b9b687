"""Agreement release by release: /guidelines/<slug>/agreement, comparisons and exports."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.agreement import metrics
from guidelines_app.models import Role
from guidelines_app.services import reports
from guidelines_app.services.reports import Comparison, ReleaseReport, report_markdown
from guidelines_app.web import context, jobs, security
from guidelines_app.web.views._charts import Band, Chart, Marker, Point, Series, render
from guidelines_app.web.views._htmx import is_htmx, render_page_or_fragment

bp = Blueprint("release_agreement", __name__, url_prefix="/guidelines")


def _when(text: str) -> datetime:
    """Report times as aware UTC datetimes (weekly periods are written without a zone)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _resamples() -> int:
    return int(current_app.config["REPORT_RESAMPLES"])


def _dimension() -> str | None:
    value = request.args.get("dimension")
    return value if value is not None and len(value) <= 200 else None


def _timeline_chart(report: ReleaseReport, slug: str, dimension: str | None) -> Chart:
    points = [
        Point(
            _when(str(p.start)),
            p.value,
            p.ci_low,
            p.ci_high,
            f"{p.n_items} items, week of {str(p.start)[:10]}",
        )
        for p in report.timeline.weekly
        if p.start
    ]
    markers = []
    previous = None
    for release in report.release_markers:
        if not release.tagged_at:  # markers are releases, and every release is tagged
            continue
        href = None
        if previous is not None:
            # "from" is a keyword, so the versions go in as a dict (url_for's values are Any)
            versions: dict[str, Any] = {"from": f"v{previous}", "to": f"v{release.version}"}
            href = url_for("release_agreement.compare", slug=slug, dimension=dimension, **versions)
        markers.append(Marker(_when(release.tagged_at), release.label, release.note, href))
        previous = release.version
    return Chart(
        title=f"{metrics.title(report.headline_metric)} per week, with 95% intervals",
        series=[Series("alpha", points)],
        markers=markers,
        y_label="alpha",
        y_min=0.0,
        y_max=1.0,
    )


def _label_chart(report: ReleaseReport) -> Chart:
    series = [
        Series(label, [Point(_when(str(p.start)), p.value) for p in points if p.start])
        for label, points in sorted(report.label_timelines.items())
    ]
    markers = [
        Marker(_when(r.tagged_at), r.label, r.note) for r in report.release_markers if r.tagged_at
    ]
    return Chart(
        title="Agreement on each label per week (category-specific agreement)",
        series=series,
        markers=markers,
        y_min=0.0,
        y_max=1.0,
    )


def _drift_chart(report: ReleaseReport) -> Chart | None:
    drift = report.drift
    if drift is None or drift.centre is None or drift.lower is None or drift.upper is None:
        return None  # no limits (a single baseline point without an interval): no band to draw
    if not drift.points:
        return None
    points = [
        Point(
            _when(str(p.start)),
            p.value,
            p.ci_low,
            p.ci_high,
            "outside the limits" if p.flag else "",
        )
        for p in drift.points
        if p.start
    ]
    if not points:
        return None
    band = Band(points[0].x, points[-1].x, drift.centre, drift.lower, drift.upper)
    current = report.current_release.label if report.current_release else ""
    return Chart(
        title=f"Control chart for {current}: weekly alpha, limits from the first weeks",
        series=[Series("alpha", points)],
        bands=[band],
        y_label="alpha",
    )


def _report_state(slug: str, *, with_comparisons: bool = False) -> reports.ReportState:
    return reports.report_state(
        session=context.db_session(),
        store=context.store(),
        slug=slug,
        dimension=_dimension(),
        resamples=_resamples(),
        with_comparisons=with_comparisons,
        inline=bool(current_app.config["REPORTS_INLINE"]),
    )


def _waiting_page(slug: str, state: reports.ReportState, endpoint: str) -> ResponseReturnValue:
    """The report is being computed (202, polled by htmx, refreshed without JS) or its
    job failed (the message, and a retry button for leads)."""
    job = state.job
    if job is None:  # ready after all: the caller serves it
        raise RuntimeError("a waiting page for a ready report")
    jobs.wake()
    here = url_for(endpoint, slug=slug, dimension=_dimension())
    if is_htmx() and job.failed:
        return "", 200, {"HX-Refresh": "true"}
    body = render_page_or_fragment(
        "release_agreement/computing.html",
        "release_agreement/_computing.html",
        slug=slug,
        job=job,
        here=here,
        dimension=_dimension(),
        retry_after=reports.RETRY_AFTER,
        can_retry=current_user.can(Role.LEAD),
    )
    headers = {"Vary": "HX-Request"}
    if job.failed:
        return body, 200, headers
    return body, 202, {**headers, "Retry-After": str(reports.RETRY_AFTER)}


def _waiting_answer(state: reports.ReportState, *, markdown: bool) -> ResponseReturnValue:
    """A download that must wait: 202 with Retry-After while computing, 503 when failed."""
    job = state.job
    if job is None:
        raise RuntimeError("a waiting answer for a ready report")
    jobs.wake()
    status = 503 if job.failed else 202
    headers = {} if job.failed else {"Retry-After": str(reports.RETRY_AFTER)}
    if not markdown:
        body = json.dumps(state.to_dict(), allow_nan=False)
        return Response(body, status=status, mimetype="application/json", headers=headers)
    if job.failed:
        text = f"The report could not be computed: {job.message}\n"
    else:
        done = f" ({job.done} of {job.total})" if job.total else ""
        text = (
            f"The report is being computed: {job.stage}{done}. "
            f"Ask again in {reports.RETRY_AFTER} seconds.\n"
        )
    return Response(text, status=status, mimetype="text/markdown", headers=headers)


@bp.get("/<slug>/agreement")
@security.requires(Role.VIEWER)
def show(slug: str) -> ResponseReturnValue:
    dimension = _dimension()
    state = _report_state(slug)
    if state.report is None:
        return _waiting_page(slug, state, "release_agreement.show")
    if is_htmx() and request.headers.get("HX-Trigger") == "report-progress":
        return "", 200, {"HX-Refresh": "true"}  # the poll of a progress page: it is ready
    report = state.report
    charts = {
        "timeline": render(_timeline_chart(report, slug, dimension)),
        "labels": render(_label_chart(report)) if report.label_timelines else None,
        "drift": render(chart) if (chart := _drift_chart(report)) else None,
    }
    return render_template(
        "release_agreement/show.html",
        slug=slug,
        report=report,
        charts=charts,
        dimension=dimension,
        metric_title=metrics.title,
        show_annotators=current_user.can(Role.LEAD),
    )


@bp.post("/<slug>/agreement/retry")
@security.requires(Role.LEAD)
def retry(slug: str) -> ResponseReturnValue:
    """Queue the report again after its job failed."""
    dimension = request.form.get("dimension") or None
    if dimension is not None and len(dimension) > 200:
        dimension = None
    reports.retry_report(
        session=context.db_session(),
        store=context.store(),
        slug=slug,
        dimension=dimension,
        resamples=_resamples(),
    )
    jobs.wake()
    return redirect(url_for("release_agreement.show", slug=slug, dimension=dimension), 303)


def _comparison(slug: str) -> Comparison:
    return reports.compare(
        session=context.db_session(),
        store=context.store(),
        slug=slug,
        old=request.args.get("from", "").strip()[:20],
        new=request.args.get("to", "").strip()[:20],
        dimension=_dimension(),
        resamples=_resamples(),
    )


@bp.get("/<slug>/agreement/compare")
@security.requires(Role.VIEWER)
def compare(slug: str) -> ResponseReturnValue:
    data = _comparison(slug)
    if request.args.get("format") == "json":
        return Response(json.dumps(data.to_dict(), allow_nan=False), mimetype="application/json")
    return render_template(
        "release_agreement/compare.html",
        slug=slug,
        data=data,
        metric_title=metrics.title,
        dimension=_dimension(),
    )


def _export_data(
    slug: str,
) -> tuple[ReleaseReport, tuple[Comparison, ...]] | reports.ReportState:
    """The report and its comparisons, or the state of the job computing them."""
    session, store = context.db_session(), context.store()
    state = _report_state(slug, with_comparisons=True)
    if state.report is None:
        return state
    report = state.report
    if request.args.get("from") or request.args.get("to"):
        return report, (_comparison(slug),)
    comparisons = tuple(
        reports.compare(
            session=session,
            store=store,
            slug=slug,
            old=c.before.release.version,
            new=c.after.release.version,
            dimension=_dimension(),
            resamples=_resamples(),
        )
        for c in report.comparisons
    )
    return report, comparisons


@bp.get("/<slug>/agreement/report.json")
@security.requires(Role.VIEWER)
def report_json(slug: str) -> ResponseReturnValue:
    found = _export_data(slug)
    if isinstance(found, reports.ReportState):
        return _waiting_answer(found, markdown=False)
    report, comparisons = found
    report = replace(report, comparisons=comparisons)
    if not current_user.can(Role.LEAD):
        report = replace(report, annotators=())
    body = json.dumps(report.to_dict(), allow_nan=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{slug}-agreement.json"'},
    )


@bp.get("/<slug>/agreement/report.md")
@security.requires(Role.VIEWER)
def report_md(slug: str) -> ResponseReturnValue:
    found = _export_data(slug)
    if isinstance(found, reports.ReportState):
        return _waiting_answer(found, markdown=True)
    report, comparisons = found
    return Response(
        report_markdown(report, comparisons),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{slug}-agreement.md"'},
    )
