"""The one catalogue of agreement metrics: the key each figure is published under, what
people call it, its column among the headline figures and its place in comparisons.

``compute_all`` emits its coefficients in catalogue order; release comparisons compute
the metrics that have a ``compared`` position; the batch page, the release table, the
Markdown report and the command line take titles and the headline order from here.
A key is spelled once: the release table once asked for ``fleiss_kappa_classic`` (a
``Coefficient.name``, never a key), so Fleiss' kappa went missing from it.

A key is stable (JSON, comparisons, caches); a coefficient's ``name`` may be more
specific (``fleiss_kappa_classic`` or ``fleiss_kappa_generalised`` under the key
``fleiss_kappa``): those names are the metric's ``variants``, each with its own title.
"""

from __future__ import annotations

from dataclasses import dataclass

from guidelines_app.domain.agreement.weights import LEVELS

#: When ``compute_all`` (or the span figures) emit a metric.
ALWAYS, AT_LEVEL, WITH_WEIGHTS, SPANS = "always", "at level", "with weights", "spans"

PERCENT_AGREEMENT = "percent_agreement"
COHEN_KAPPA = "cohen_kappa_mean_pairwise"
SCOTT_PI = "scott_pi_mean_pairwise"
FLEISS_KAPPA = "fleiss_kappa"
CONGER_KAPPA = "conger_kappa"
BRENNAN_PREDIGER = "brennan_prediger"
GWET_AC1 = "gwet_ac1"
ALPHA_PREFIX = "krippendorff_alpha_"
ALPHA_NOMINAL = f"{ALPHA_PREFIX}nominal"
COHEN_KAPPA_WEIGHTED = "cohen_kappa_weighted_mean_pairwise"
FLEISS_KAPPA_WEIGHTED = "fleiss_kappa_weighted"
CONGER_KAPPA_WEIGHTED = "conger_kappa_weighted"
GWET_AC2 = "gwet_ac2"
SPAN_F1_EXACT = "span_f1_exact_mean_pairwise"
SPAN_F1_OVERLAP = "span_f1_overlap_mean_pairwise"
SPAN_TOKEN_ALPHA = "span_token_alpha_nominal"


def alpha_key(level: str) -> str:
    """The key of Krippendorff's alpha at ``level`` (one of ``LEVELS``)."""
    return f"{ALPHA_PREFIX}{level}"


@dataclass(frozen=True)
class Metric:
    """``headline``: the column of the release table (1 first), None when not a headline
    figure; ``compared``: the place in a release comparison (None: never compared);
    ``when``: ``ALWAYS``, ``AT_LEVEL`` (alpha at a non-nominal level), ``WITH_WEIGHTS``
    or ``SPANS`` (span annotations only)."""

    key: str
    title: str
    headline: int | None = None
    compared: int | None = None
    when: str = ALWAYS
    variants: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every ``Coefficient.name`` this metric is published with."""
        return (self.key, *(name for name, _title in self.variants))


def _fleiss_variants(key: str, title: str) -> tuple[tuple[str, str], ...]:
    return (
        (f"{key}_classic", f"{title} (classic)"),
        (f"{key}_generalised", f"{title} (generalised)"),
    )


CATALOGUE: tuple[Metric, ...] = (
    Metric(PERCENT_AGREEMENT, "Percent agreement", headline=2, compared=1),
    Metric(COHEN_KAPPA, "Cohen's kappa (mean over pairs)", headline=5, compared=5),
    Metric(SCOTT_PI, "Scott's pi (mean over pairs)"),
    Metric(
        FLEISS_KAPPA,
        "Fleiss' kappa",
        headline=3,
        compared=3,
        variants=_fleiss_variants(FLEISS_KAPPA, "Fleiss' kappa"),
    ),
    Metric(CONGER_KAPPA, "Conger's kappa"),
    Metric(BRENNAN_PREDIGER, "Brennan-Prediger kappa"),
    Metric(GWET_AC1, "Gwet's AC1", headline=4, compared=4),
    Metric(ALPHA_NOMINAL, "Krippendorff's alpha (nominal)", headline=1, compared=2),
    *(
        Metric(alpha_key(level), f"Krippendorff's alpha ({level})", compared=5 + n, when=AT_LEVEL)
        for n, level in enumerate(LEVELS)
        if level != "nominal"
    ),
    Metric(COHEN_KAPPA_WEIGHTED, "Weighted Cohen's kappa (mean over pairs)", when=WITH_WEIGHTS),
    Metric(
        FLEISS_KAPPA_WEIGHTED,
        "Weighted Fleiss' kappa",
        when=WITH_WEIGHTS,
        variants=_fleiss_variants(FLEISS_KAPPA_WEIGHTED, "Weighted Fleiss' kappa"),
    ),
    Metric(CONGER_KAPPA_WEIGHTED, "Weighted Conger's kappa", when=WITH_WEIGHTS),
    Metric(GWET_AC2, "Gwet's AC2", when=WITH_WEIGHTS),
    Metric(SPAN_F1_EXACT, "Span F1, exact match (mean over pairs)", when=SPANS),
    Metric(SPAN_F1_OVERLAP, "Span F1, overlap (mean over pairs)", when=SPANS),
    Metric(SPAN_TOKEN_ALPHA, "Token-level alpha (nominal)", when=SPANS),
)
BY_KEY: dict[str, Metric] = {m.key: m for m in CATALOGUE}
_TITLES: dict[str, str] = {
    name: title for m in CATALOGUE for name, title in ((m.key, m.title), *m.variants)
}


def metric(key: str) -> Metric:
    """The metric published under ``key``, or under a more specific name of it."""
    found = BY_KEY.get(key)
    if found is None:
        found = next((m for m in CATALOGUE if key in m.names), None)
    if found is None:
        raise KeyError(key)
    return found


def title(name: str) -> str:
    """What people call a key or a coefficient name; an unknown name reads as words."""
    return _TITLES.get(name, name.replace("_", " "))


def emitted(*, level: str = "nominal", weighted: bool = False) -> tuple[Metric, ...]:
    """The metrics of ``compute_all(level=level, weights=...)``, in the order it emits them."""
    return tuple(
        m
        for m in CATALOGUE
        if m.when == ALWAYS
        or (m.when == AT_LEVEL and level != "nominal" and m.key == alpha_key(level))
        or (m.when == WITH_WEIGHTS and weighted)
    )


def headline() -> tuple[Metric, ...]:
    """The release table's figures, in column order."""
    return tuple(sorted((m for m in CATALOGUE if m.headline), key=lambda m: m.headline or 0))


def comparable() -> tuple[Metric, ...]:
    """Every metric a release comparison can compute, in the order it reports them."""
    return tuple(sorted((m for m in CATALOGUE if m.compared), key=lambda m: m.compared or 0))


def compared_by_default() -> tuple[str, ...]:
    """The keys ``compare_releases`` computes unless told otherwise (alpha at another
    level joins them when the comparison is made at that level)."""
    return tuple(m.key for m in comparable() if m.when == ALWAYS)
