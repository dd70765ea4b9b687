"""Agreement release by release: each release's annotations, the report, its comparisons,
their cache and Markdown; results are typed (``to_dict()`` is the JSON)."""

from __future__ import annotations

from guidelines_app.services.reports.cache import (
    CACHE_VERSION,
    KEEP_PER_GUIDELINE,
    cached,
    forget,
)
from guidelines_app.services.reports.markdown import (
    comparison_markdown,
    counted,
    interval,
    number,
    report_markdown,
)
from guidelines_app.services.reports.release_compare import (
    DEFAULT_RESAMPLES,
    SMALL_BOOTSTRAP_ABOVE,
    compare,
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
    HEADLINE,
    Progress,
    build,
    guideline_report,
)
from guidelines_app.services.reports.report_jobs import (
    REPORT_JOB,
    RETRY_AFTER,
    ReportState,
    report_state,
    retry_report,
    run_report_job,
)
from guidelines_app.services.reports.report_results import (
    REPORT_SCHEMA,
    DriftChart,
    FlaggedPoint,
    HotspotFocus,
    ReleaseFigures,
    ReleaseReport,
    Timeline,
)
from guidelines_app.services.reports.results import (
    Comparison,
    ComparisonDetail,
    FoldedDecision,
    LabelSpace,
    ReleaseInfo,
    SectionsChanged,
    Side,
    Totals,
)

__all__ = [
    "CACHE_VERSION",
    "CHUNK",
    "COLUMNS",
    "DEFAULT_RESAMPLES",
    "DRAFT",
    "HEADLINE",
    "KEEP_PER_GUIDELINE",
    "REPORT_JOB",
    "REPORT_SCHEMA",
    "RETRY_AFTER",
    "SMALL_BOOTSTRAP_ABOVE",
    "Comparison",
    "ComparisonDetail",
    "DriftChart",
    "FlaggedPoint",
    "FoldedDecision",
    "GuidelineData",
    "HotspotFocus",
    "LabelSpace",
    "Progress",
    "ReleaseFigures",
    "ReleaseInfo",
    "ReleaseReport",
    "ReportState",
    "SectionsChanged",
    "Side",
    "Timeline",
    "Totals",
    "align_label_spaces",
    "assign_releases",
    "build",
    "cached",
    "compare",
    "comparison_markdown",
    "counted",
    "dimensions_of",
    "fingerprint",
    "forget",
    "guideline_report",
    "interval",
    "load",
    "number",
    "release_label",
    "report_markdown",
    "report_state",
    "retry_report",
    "run_report_job",
]
