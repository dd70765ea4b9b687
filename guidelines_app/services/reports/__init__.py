"""Agreement release by release: each release's annotations, the report, its cache, Markdown."""

from __future__ import annotations

from guidelines_app.services.reports.cache import CACHE_VERSION, KEEP_PER_GUIDELINE, cached
from guidelines_app.services.reports.markdown import (
    METRIC_NAMES,
    comparison_markdown,
    counted,
    interval,
    metric_name,
    number,
    report_markdown,
)
from guidelines_app.services.reports.release_data import (
    CHUNK,
    COLUMNS,
    DRAFT,
    GuidelineData,
    assign_releases,
    dimensions_of,
    fingerprint,
    load,
    release_label,
)
from guidelines_app.services.reports.release_labels import align_label_spaces
from guidelines_app.services.reports.release_report import (
    DEFAULT_RESAMPLES,
    HEADLINE,
    REPORT_SCHEMA,
    SMALL_BOOTSTRAP_ABOVE,
    build,
    compare,
    guideline_report,
)

__all__ = [
    "CACHE_VERSION",
    "CHUNK",
    "COLUMNS",
    "DEFAULT_RESAMPLES",
    "DRAFT",
    "HEADLINE",
    "KEEP_PER_GUIDELINE",
    "METRIC_NAMES",
    "REPORT_SCHEMA",
    "SMALL_BOOTSTRAP_ABOVE",
    "GuidelineData",
    "align_label_spaces",
    "assign_releases",
    "build",
    "cached",
    "compare",
    "comparison_markdown",
    "counted",
    "dimensions_of",
    "fingerprint",
    "guideline_report",
    "interval",
    "load",
    "metric_name",
    "number",
    "release_label",
    "report_markdown",
]
