"""Server-rendered SVG charts: readable without JavaScript, no inline styles (the CSP forbids
them), native tooltips through <title>, links as <a> elements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape

PALETTE = ("#2954c8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#be185d")


@dataclass(frozen=True)
class Point:
    x: datetime
    y: float | None
    low: float | None = None
    high: float | None = None
    label: str = ""
    href: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


@dataclass(frozen=True)
class Marker:
    x: datetime
    label: str
    note: str = ""
    href: str | None = None


@dataclass(frozen=True)
class Band:
    """A horizontal band (control limits) with a centre line, over an x range."""

    start: datetime
    end: datetime
    centre: float
    low: float
    high: float


@dataclass
class Chart:
    title: str
    series: list[Series]
    markers: list[Marker] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    y_label: str = ""
    y_min: float | None = None
    y_max: float | None = None
    width: int = 880
    height: int = 300


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _el(name: str, content: str = "", **attrs: object) -> str:
    """An SVG element; attribute names use ``_`` for ``-`` and a trailing ``_`` for keywords."""
    rendered = " ".join(
        f'{key.rstrip("_").replace("_", "-")}="{escape(_fmt(v) if isinstance(v, float) else v)}"'
        for key, v in attrs.items()
        if v is not None
    )
    if content:
        return f"<{name} {rendered}>{content}</{name}>"
    return f"<{name} {rendered}/>"


def _linked(content: str, href: str | None, class_: str | None = None) -> str:
    return _el("a", content, href=href, class_=class_) if href else f"<g>{content}</g>"


def render(chart: Chart) -> Markup:
    """The chart as an <svg> element; an empty chart says so instead of drawing nothing."""
    left, right, top, bottom = 56, 16, 28, 44
    inner_w = chart.width - left - right
    inner_h = chart.height - top - bottom
    xs = [p.x for s in chart.series for p in s.points] + [m.x for m in chart.markers]
    ys = [v for s in chart.series for p in s.points for v in (p.y, p.low, p.high) if v is not None]
    ys += [v for b in chart.bands for v in (b.low, b.high)]
    title = str(escape(chart.title))
    if not xs or not ys:
        empty = _el("text", f"{title}: no data yet", x=16, y=44, class_="chart-empty")
        return Markup(
            _el("svg", empty, class_="chart", role="img", aria_label=chart.title,
                viewBox=f"0 0 {chart.width} 80", width="100%")
        )  # fmt: skip
    x0, x1 = min(xs).timestamp(), max(xs).timestamp()
    if x1 == x0:
        x0, x1 = x0 - 86_400, x1 + 86_400
    y0 = min(ys) if chart.y_min is None else min(chart.y_min, min(ys))
    y1 = max(ys) if chart.y_max is None else max(chart.y_max, max(ys))
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.05, y1 + 0.05
    pad = (y1 - y0) * 0.06
    y0, y1 = y0 - pad, y1 + pad

    def px(moment: datetime) -> float:
        return left + (moment.timestamp() - x0) / (x1 - x0) * inner_w

    def py(value: float) -> float:
        return top + (1 - (value - y0) / (y1 - y0)) * inner_h

    parts = [f"<title>{title}</title>", _el("text", title, x=left, y=16, class_="chart-title")]
    for i in range(5):
        value = y0 + (y1 - y0) * i / 4
        y = py(value)
        parts.append(_el("line", x1=left, x2=left + inner_w, y1=y, y2=y, class_="grid"))
        parts.append(
            _el("text", f"{value:.2f}", x=left - 6, y=y + 4, text_anchor="end", class_="tick")
        )
    if chart.y_label:
        middle = top + inner_h / 2
        parts.append(
            _el("text", str(escape(chart.y_label)), x=14, y=middle, text_anchor="middle",
                transform=f"rotate(-90 14 {middle:.1f})", class_="axis-label")
        )  # fmt: skip
    ticks = {min(xs), max(xs)} | ({sorted(xs)[len(xs) // 2]} if len(xs) > 2 else set())
    first, last = min(ticks), max(ticks)
    for moment in sorted(ticks):
        anchor = "start" if moment == first else "end" if moment == last else "middle"
        parts.append(
            _el("text", f"{moment:%Y-%m-%d}", x=px(moment), y=chart.height - 22,
                text_anchor=anchor, class_="tick")
        )  # fmt: skip
    for band in chart.bands:
        xa, xb = px(band.start), px(band.end)
        parts.append(
            _el("rect", x=xa, y=py(band.high), width=max(xb - xa, 1.0),
                height=max(py(band.low) - py(band.high), 1.0), class_="band")
        )  # fmt: skip
        centre = py(band.centre)
        parts.append(_el("line", x1=xa, x2=xb, y1=centre, y2=centre, class_="centre"))
    for marker in chart.markers:
        x = px(marker.x)
        note = f": {marker.note}" if marker.note else ""
        body = (
            _el(
                "rect",
                x=x - 6,
                y=float(top),
                width=12.0,
                height=float(inner_h),
                fill="transparent",
                class_="hit",
            )  # a wider target than the line itself
            + _el("line", x1=x, x2=x, y1=float(top), y2=float(top + inner_h), class_="marker")
            + _el("text", str(escape(marker.label)), x=x + 3, y=top + 10, class_="marker-label")
            + f"<title>{escape(marker.label + note)}</title>"
        )
        parts.append(_linked(body, marker.href, "marker-link"))
    for index, series in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        defined = [(p, p.y) for p in series.points if p.y is not None]
        if len(defined) > 1:
            path = " ".join(f"{_fmt(px(p.x))},{_fmt(py(y))}" for p, y in defined)
            parts.append(_el("polyline", points=path, fill="none", stroke=colour, stroke_width=2))
        for p, y in defined:
            x = px(p.x)
            dot = ""
            tip = f"{series.name}: {y:.3f}"
            if p.low is not None and p.high is not None:
                dot += _el("line", x1=x, x2=x, y1=py(p.high), y2=py(p.low), stroke=colour,
                           stroke_width=1.5, class_="interval")  # fmt: skip
                tip += f" (95% CI {p.low:.3f} to {p.high:.3f})"
            if p.label:
                tip += f", {p.label}"
            dot += _el("circle", cx=x, cy=py(y), r=4, fill=colour)
            dot += f"<title>{escape(tip)}</title>"
            parts.append(_linked(dot, p.href))
    if len(chart.series) > 1:
        x = left
        for index, series in enumerate(chart.series):
            colour = PALETTE[index % len(PALETTE)]
            parts.append(_el("rect", x=x, y=chart.height - 12, width=10, height=10, fill=colour))
            parts.append(
                _el("text", str(escape(series.name)), x=x + 14, y=chart.height - 3, class_="legend")
            )
            x += 24 + 7 * len(series.name)
    return Markup(
        _el("svg", "".join(parts), class_="chart", role="img", aria_label=chart.title,
            viewBox=f"0 0 {chart.width} {chart.height}", width="100%",
            xmlns="http://www.w3.org/2000/svg")
    )  # fmt: skip
