"""The release report as Markdown, for pasting into a team's weekly quality report."""

from __future__ import annotations

from typing import Any

METRIC_NAMES = {
    "krippendorff_alpha_nominal": "Krippendorff's alpha (nominal)",
    "percent_agreement": "Percent agreement",
    "fleiss_kappa_generalised": "Fleiss' kappa (generalised)",
    "fleiss_kappa_classic": "Fleiss' kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "gwet_ac1": "Gwet's AC1",
    "cohen_kappa_mean_pairwise": "Cohen's kappa (mean over pairs)",
    "mean_pairwise_cohen_kappa": "Cohen's kappa (mean over pairs)",
}


def metric_name(name: str) -> str:
    return METRIC_NAMES.get(name, name.replace("_", " "))


def number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def _change_row(name: str, change: dict[str, Any]) -> str:
    if change.get("difference") is None:
        reason = change.get("undefined_reason") or "undefined"
        before, after = number(change.get("before")), number(change.get("after"))
        return f"| {metric_name(name)} | {before} | {after} | n/a ({reason}) | | |"
    return (
        f"| {metric_name(name)} | {number(change['before'])} | {number(change['after'])} "
        f"| {change['difference']:+.3f} {interval(change['ci_low'], change['ci_high'])} "
        f"| {number(change.get('p_value'))} | {change['verdict']} |"
    )


def comparison_markdown(data: dict[str, Any]) -> list[str]:
    lines = [f"## {data['from']['label']} → {data['to']['label']}", ""]
    comparison = data.get("comparison")
    if comparison is None:
        return [*lines, data.get("message", "Nothing to compare."), ""]
    lines += [
        f"{data['from']['totals']['items']} items before, {data['to']['totals']['items']} after; "
        f"design: {comparison['design']} ({comparison['design_reason']}).",
        "",
        "| Metric | Before | After | Difference [95% CI] | p | Verdict |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_change_row(name, change) for name, change in comparison["metrics"].items()]
    lines.append("")
    if data.get("label_space", {}).get("mapped"):
        lines += [f"_{data['label_space']['note']}_", ""]
    labels = [
        e for e in comparison["per_label"] if e["specific_agreement"].get("difference") is not None
    ]
    if labels:
        lines += [
            "| Label | Before | After | Difference [95% CI] | Verdict | Decisions |",
            "|---|---|---|---|---|---|",
        ]
        for entry in labels:
            c = entry["specific_agreement"]
            cited = ", ".join(f"#{d}" for d in entry.get("decisions", []))
            lines.append(
                f"| {entry['label']} | {number(c['before'])} | {number(c['after'])} "
                f"| {c['difference']:+.3f} {interval(c['ci_low'], c['ci_high'])} "
                f"| {c['verdict']} | {cited} |"
            )
        lines.append("")
    if data.get("sections_changed"):
        lines += [f"Guideline changes: {data['sections_changed']['summary']}.", ""]
    if data.get("decisions"):
        lines.append("Decisions folded into this release:")
        lines += [
            f"- #{d['id']} {d['title']} ({', '.join(d['labels'])})" for d in data["decisions"]
        ]
        lines.append("")
    for notice in comparison["notices"]:
        lines.append(f"> {notice['message']}")
    return [*lines, ""]


def report_markdown(report: dict[str, Any], comparisons: list[dict[str, Any]]) -> str:
    guideline = report["guideline"]
    lines = [
        f"# Agreement by release: {guideline['title']}",
        "",
        f"Generated {report['generated_at'][:16]} UTC.",
        "",
    ]
    lines += [
        "| Release | Items | Annotations | Annotators | Alpha (nominal) [95% CI] |",
        "|---|---|---|---|---|",
    ]
    for release in report["releases"]:
        alpha = release["coefficients"].get("krippendorff_alpha_nominal", {})
        totals = release["totals"]
        lines.append(
            f"| {release['label']} | {totals['items']} | {totals['annotations']} "
            f"| {totals['annotators']} | {number(alpha.get('value'))} "
            f"{interval(alpha.get('ci_low'), alpha.get('ci_high'))} |"
        )
    lines.append("")
    for notice in report["notices"]:
        lines += [f"> {notice}", ""]
    for comparison in comparisons:
        lines += comparison_markdown(comparison)
    if report.get("hotspots"):
        lines += ["## Where annotators disagree most in the current release", ""]
        for spot in report["hotspots"][:5]:
            lines.append(
                f"- {spot['label_a']} / {spot['label_b']}: {spot['share']:.0%} of disagreement, "
                f"{counted(len(spot['decisions']), 'decision')}, "
                f"{counted(len(spot['open_escalations']), 'open escalation')}"
            )
        lines.append("")
    return "\n".join(lines)
