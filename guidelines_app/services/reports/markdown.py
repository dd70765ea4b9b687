"""The release report as Markdown, for pasting into a team's weekly quality report."""

from __future__ import annotations

from collections.abc import Sequence

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.coefficients import Coefficient
from guidelines_app.domain.agreement.compare_result import Change
from guidelines_app.services.reports.report_results import ReleaseReport
from guidelines_app.services.reports.results import Comparison


def number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def _figure(coefficient: Coefficient | None) -> str:
    if coefficient is None:
        return "n/a"
    ci = interval(coefficient.ci_low, coefficient.ci_high)
    return f"{number(coefficient.value)} {ci}".strip()


def _change_row(name: str, change: Change) -> str:
    start = f"| {metrics.title(name)} | {number(change.before)} | {number(change.after)}"
    if change.difference is None:
        return f"{start} | n/a ({change.undefined_reason or 'undefined'}) | | |"
    return (
        f"{start} | {change.difference:+.3f} {interval(change.ci_low, change.ci_high)} "
        f"| {number(change.p_value)} | {change.verdict} |"
    )


def comparison_markdown(data: Comparison) -> list[str]:
    lines = [f"## {data.before.release.label} → {data.after.release.label}", ""]
    comparison = data.comparison
    if comparison is None:
        return [*lines, data.message or "Nothing to compare.", ""]
    lines += [
        f"{data.before.totals.items} items before, {data.after.totals.items} after; "
        f"design: {comparison.design} ({comparison.design_reason}).",
        "",
        "| Metric | Before | After | Difference [95% CI] | p | Verdict |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_change_row(m.name, m.change) for m in comparison.metrics]
    lines.append("")
    if data.label_space and data.label_space.mapped:
        lines += [f"_{data.label_space.note}_", ""]
    labels = [e for e in comparison.per_label if e.specific_agreement.difference is not None]
    if labels:
        lines += [
            "| Label | Before | After | Difference [95% CI] | Verdict | Decisions |",
            "|---|---|---|---|---|---|",
        ]
        for entry in labels:
            c = entry.specific_agreement
            cited = ", ".join(f"#{d}" for d in data.decisions_for(entry.label))
            lines.append(
                f"| {entry.label} | {number(c.before)} | {number(c.after)} "
                f"| {c.difference:+.3f} {interval(c.ci_low, c.ci_high)} "
                f"| {c.verdict} | {cited} |"
            )
        lines.append("")
    sections = data.detail.sections_changed if data.detail else None
    if sections:
        lines += [f"Guideline changes: {sections.summary}.", ""]
    if data.decisions:
        lines.append("Decisions folded into this release:")
        lines += [f"- #{d.id} {d.title} ({', '.join(d.labels)})" for d in data.decisions]
        lines.append("")
    for notice in comparison.notices:
        lines.append(f"> {notice.message}")
    return [*lines, ""]


def report_markdown(report: ReleaseReport, comparisons: Sequence[Comparison]) -> str:
    """The release table (the catalogue's headline figures the data has, with their 95%
    intervals), then each comparison, then the current release's hotspots."""
    shown = report.headline_metrics()
    lines = [
        f"# Agreement by release: {report.guideline.title}",
        "",
        f"Generated {report.generated_at[:16]} UTC.",
        "",
    ]
    lines += [
        "| Release | Items | Annotations | Annotators | "
        + "".join(f"{m.title} [95% CI] | " for m in shown).rstrip(),
        "|---|---|---|---|" + "---|" * len(shown),
    ]
    for release in report.releases:
        figures = "".join(f" {_figure(release.coefficient(m.key))} |" for m in shown)
        totals = release.totals
        lines.append(
            f"| {release.release.label} | {totals.items} | {totals.annotations} "
            f"| {totals.annotators} |{figures}"
        )
    lines.append("")
    for notice in report.notices:
        lines += [f"> {notice}", ""]
    for comparison in comparisons:
        lines += comparison_markdown(comparison)
    if report.hotspots:
        lines += ["## Where annotators disagree most in the current release", ""]
        for focus in report.hotspots[:5]:
            spot = focus.spot
            lines.append(
                f"- {spot.label_a} / {spot.label_b}: {spot.share:.0%} of disagreement, "
                f"{counted(len(focus.decisions), 'decision')}, "
                f"{counted(len(focus.open_escalations), 'open escalation')}"
            )
        lines.append("")
    return "\n".join(lines)
