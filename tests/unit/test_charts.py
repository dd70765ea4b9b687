from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from guidelines_app.web.views._charts import Band, Chart, Marker, Point, Series, render
from guidelines_app.web.views.release_agreement import _drift_chart

T0 = datetime(2026, 9, 1, tzinfo=UTC)


def _chart(**extra) -> Chart:
    points = [
        Point(T0 + timedelta(weeks=i), 0.5 + i / 20, 0.45 + i / 20, 0.55 + i / 20) for i in range(5)
    ]
    return Chart(
        title="Agreement <by> week",
        series=[Series("alpha & friends", points)],
        markers=[
            Marker(T0 + timedelta(weeks=2), "v2", "Sarcasm rules", href="/compare?from=v1&to=v2")
        ],
        **extra,
    )


def test_a_chart_is_well_formed_svg_with_points_intervals_and_release_markers():
    svg = str(render(_chart()))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert len(root.findall(f".//{ns}circle")) == 5
    assert len(root.findall(f".//{ns}line[@class='interval']")) == 5
    link = root.find(f".//{ns}a[@class='marker-link']")
    assert link is not None and link.get("href") == "/compare?from=v1&to=v2"
    assert "v2: Sarcasm rules" in svg


def test_text_is_escaped_and_no_inline_style_is_used():
    svg = str(render(_chart()))
    assert "Agreement &lt;by&gt; week" in svg
    assert "alpha &amp; friends" in svg
    assert "style=" not in svg and "<script" not in svg


def test_points_above_the_y_range_extend_it_and_bands_are_drawn():
    chart = _chart(bands=[Band(T0, T0 + timedelta(weeks=4), 0.6, 0.5, 0.7)], y_min=0.0, y_max=1.0)
    svg = str(render(chart))
    assert 'class="band"' in svg and 'class="centre"' in svg
    ticks = [float(t) for t in re.findall(r'class="tick">(-?\d\.\d\d)<', svg)]
    assert min(ticks) <= 0.0 and max(ticks) >= 1.0


def test_an_empty_chart_says_there_is_no_data():
    svg = str(render(Chart(title="Nothing", series=[Series("a", [])])))
    assert "no data yet" in svg
    ET.fromstring(svg)


def test_a_control_chart_without_limits_is_left_out_rather_than_drawn():
    week = SimpleNamespace(start="2026-09-01", value=0.7, ci_low=None, ci_high=None, flag=None)
    drift = SimpleNamespace(centre=0.7, lower=None, upper=None, points=[week])
    assert _drift_chart(SimpleNamespace(drift=drift, current_release=None)) is None
