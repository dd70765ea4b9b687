"""Did agreement move between two releases? Values, differences, intervals, p-values.

Both sides are coded over one category set (``categories``, or the sorted union of the
labels used), so each side's values equal ``compute_all(side, categories=...)``: the
same engine functions compute them. The bootstrap interval of a difference and its
permutation p-value come from the vectorised forms in compare_stats.py under the
resampling design of compare_design.py (paired, unpaired or partly paired).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement import metrics as catalogue
from guidelines_app.domain.agreement.coefficients import Coefficient
from guidelines_app.domain.agreement.compare_design import (
    Design,
    bootstrap_sums,
    build_design,
    permutation_sums,
    shared_positions,
)
from guidelines_app.domain.agreement.compare_labels import confusion_changes, label_changes
from guidelines_app.domain.agreement.compare_notices import (
    SAME_ANNOTATIONS,
    comparison_notices,
    design_reason,
    result_notices,
)
from guidelines_app.domain.agreement.compare_pairwise import pairwise_draws, within_budget
from guidelines_app.domain.agreement.compare_result import (
    UNDEFINED,
    Change,
    MetricChange,
    Notice,
    ReleaseComparison,
    SideSummary,
    change_of,
)
from guidelines_app.domain.agreement.compare_stats import (
    Layout,
    item_features,
    metric_values,
)
from guidelines_app.domain.agreement.gwet import gwet_ac1
from guidelines_app.domain.agreement.kappa import fleiss_kappa, percent_agreement
from guidelines_app.domain.agreement.krippendorff import krippendorff_alpha
from guidelines_app.domain.agreement.label_space import MappingReport
from guidelines_app.domain.agreement.pairwise import MIN_COMMON, mean_pairwise
from guidelines_app.domain.agreement.ratings import Ratings, prepare
from guidelines_app.domain.agreement.weights import LEVELS
from guidelines_app.domain.errors import InvalidInput

PAIRWISE = catalogue.COHEN_KAPPA
DEFAULT_METRICS = catalogue.compared_by_default()
NOT_RESAMPLED = "mean pairwise Cohen's kappa was not resampled"


def as_frame(data: pd.DataFrame | Ratings) -> pd.DataFrame:
    """A long table from prepared Ratings (gold rows are not carried over)."""
    if isinstance(data, pd.DataFrame):
        return data
    return pd.DataFrame(
        {
            "item": data.item_ids[data.item],
            "annotator": data.annotator_ids[data.annotator],
            "label": pd.Index(data.categories)[data.label],
        }
    )


def common_categories(
    before: pd.DataFrame, after: pd.DataFrame, categories: Sequence | None, level: str
) -> list:
    if categories is not None:
        return list(categories)
    labels = []
    for frame in (before, after):
        if "label" not in frame.columns:
            raise InvalidInput("missing columns: 'label' is required")
        column = frame["label"]
        if "gold" in frame.columns:
            column = column[~frame["gold"].fillna(False).astype(bool)]
        labels.append(column.dropna())
    union = pd.Index(pd.unique(pd.concat(labels, ignore_index=True).to_numpy()))
    numeric = pd.api.types.is_numeric_dtype(union) and not pd.api.types.is_bool_dtype(union)
    if level != "nominal" and not numeric and len(union) >= 2:
        raise InvalidInput(
            f"{level} alpha needs ordered categories: numeric labels, or pass categories in order"
        )
    try:
        return list(union.sort_values())
    except TypeError:  # labels of mixed types: keep the order of first appearance
        return list(union)


def _engine_value(ratings: Ratings, name: str, min_common: int) -> Coefficient:
    if name == catalogue.PERCENT_AGREEMENT:
        return percent_agreement(ratings)
    if name == catalogue.FLEISS_KAPPA:
        return fleiss_kappa(ratings)
    if name == catalogue.GWET_AC1:
        return gwet_ac1(ratings)
    if name == PAIRWISE:
        return mean_pairwise(ratings, min_common=min_common)
    return krippendorff_alpha(ratings, level=name.removeprefix(catalogue.ALPHA_PREFIX))


def _same_annotations(before: Ratings, after: Ratings, design: Design) -> bool:
    if design.kind != "paired" or before.n_annotations != after.n_annotations:
        return False
    if before.n_annotations == 0:
        return False
    sb, sa = shared_positions(before.item_ids, after.item_ids)
    annotators = pd.Index(before.annotator_ids.append(after.annotator_ids).unique())
    keys = []
    for ratings, positions in ((before, sb), (after, sa)):
        rank = np.empty(ratings.n_items, dtype=np.int64)
        rank[positions] = np.arange(len(positions))
        annot = annotators.get_indexer(ratings.annotator_ids)[ratings.annotator]
        key = (rank[ratings.item] * len(annotators) + annot) * ratings.n_categories
        keys.append(np.sort(key + ratings.label))
    return bool(np.array_equal(keys[0], keys[1]))


def _reason(coef_b: Coefficient, coef_a: Coefficient, forced: str | None) -> str | None:
    if forced:
        return forced
    parts = [
        f"{side} side: {c.undefined_reason}"
        for side, c in (("before", coef_b), ("after", coef_a))
        if c.value is None
    ]
    return "; ".join(parts) or None


def _metric_names(wanted: Sequence[str], level: str) -> list[str]:
    names = list(dict.fromkeys(wanted))
    level_alpha = catalogue.alpha_key(level)
    if level != "nominal" and level_alpha not in names:
        names.append(level_alpha)
    known = {m.key for m in catalogue.comparable()}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInput(f"unknown metrics: {', '.join(unknown)}")
    for name in names:
        if catalogue.metric(name).when == catalogue.AT_LEVEL and name != level_alpha:
            raise InvalidInput(f"{name} needs level={name.removeprefix(catalogue.ALPHA_PREFIX)}")
    return names


def compare_releases(
    before: pd.DataFrame | Ratings,
    after: pd.DataFrame | Ratings,
    *,
    categories: Sequence | None = None,
    level: str = "nominal",
    metrics: Sequence[str] = DEFAULT_METRICS,
    n_boot: int = 1000,
    n_perm: int = 1000,
    seed: int = 0,
    min_common: int = MIN_COMMON,
    mapping_report: MappingReport | None = None,
) -> ReleaseComparison:
    """Each metric on each side, the difference after - before with a bootstrap 95%
    interval and a two-sided permutation p-value; per-label and confusion changes; and
    the notices that qualify them. Never raises on degenerate data (empty sides, no
    pairable items, identical sides): the figures are undefined and the reason given."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}")
    names = _metric_names(metrics, level)
    frame_b, frame_a = as_frame(before), as_frame(after)
    cats = common_categories(frame_b, frame_a, categories, level)
    rb, ra = prepare(frame_b, categories=cats), prepare(frame_a, categories=cats)
    layout = Layout(len(cats), level)
    values = rb.values
    sb, sa = shared_positions(rb.item_ids, ra.item_ids)
    design = build_design(
        rb.counts, ra.counts, sb, sa, lambda rows: item_features(rows, values, level)
    )
    forced = SAME_ANNOTATIONS if _same_annotations(rb, ra, design) else None
    resample = forced is None and rb.n_pairable_items > 0 and ra.n_pairable_items > 0
    boot = bootstrap_sums(design, n_boot, seed) if resample and n_boot > 0 else None
    perm = permutation_sums(design, n_perm, seed + 1) if resample and n_perm > 0 else None
    notices = comparison_notices(frame_b, frame_a, rb, ra, design.kind)
    if forced:
        notices.append(Notice("same_annotations", forced + ": every difference is undefined"))
    results = []
    for name in names:
        coef_b, coef_a = _engine_value(rb, name, min_common), _engine_value(ra, name, min_common)
        reason = _reason(coef_b, coef_a, forced)
        if name == PAIRWISE:
            change = _pairwise_change(
                rb, ra, (sb, sa), coef_b, coef_a, reason, n_boot, n_perm, seed, min_common
            )
            why = change.undefined_reason
            if why is not None and why.startswith(NOT_RESAMPLED):
                notices.append(Notice("not_resampled", why, (PAIRWISE,)))
        else:
            draws: list[np.ndarray | None] = []
            for sums in (boot, perm):
                if sums is None:
                    draws += [None, None]
                else:
                    draws += [metric_values(side, layout, values, name) for side in sums]
            change = change_of(coef_b.value, coef_a.value, *draws, reason=reason)
        results.append(MetricChange(name, change))
    notices += result_notices(results)
    if mapping_report is not None and mapping_report.dropped:
        notices.append(mapping_report.notice())
    return ReleaseComparison(
        design=design.kind,
        design_reason=design_reason(
            design.kind, design.n_shared, design.n_only_before, design.n_only_after
        ),
        n_shared_items=design.n_shared,
        before=_summary(rb),
        after=_summary(ra),
        metrics=results,
        per_label=label_changes(rb, ra, layout, boot, perm, forced),
        confusion=confusion_changes(rb, ra),
        notices=notices,
        settings={
            "n_boot": n_boot,
            "n_perm": n_perm,
            "seed": seed,
            "level": level,
            "confidence": 0.95,
            "min_common": min_common,
            "categories": list(cats),
        },
    )


def _summary(ratings: Ratings) -> SideSummary:
    used = np.flatnonzero(np.bincount(ratings.label, minlength=ratings.n_categories))
    return SideSummary(
        n_items=ratings.n_items,
        n_annotations=ratings.n_annotations,
        n_annotators=ratings.n_annotators,
        n_pairable_items=ratings.n_pairable_items,
        labels_used=tuple(ratings.categories[k] for k in used),
    )


def _pairwise_change(
    rb: Ratings,
    ra: Ratings,
    shared: tuple[np.ndarray, np.ndarray],
    coef_b: Coefficient,
    coef_a: Coefficient,
    reason: str | None,
    n_boot: int,
    n_perm: int,
    seed: int,
    min_common: int,
) -> Change:
    before, after = coef_b.value, coef_a.value  # both defined when reason is None
    if reason is not None or before is None or after is None or n_boot + n_perm == 0:
        return change_of(before, after, None, None, None, None, reason=reason)
    if not within_budget(rb, ra, n_boot + n_perm):
        return Change(
            before,
            after,
            after - before,
            verdict=UNDEFINED,
            undefined_reason=(
                f"{NOT_RESAMPLED}: too many rating pairs for {n_boot} resamples and "
                f"{n_perm} permutations; no interval or p-value"
            ),
        )
    opts = {"min_common": min_common}
    boot = pairwise_draws(rb, ra, shared, n_draws=n_boot, seed=seed + 2, permute=False, **opts)
    perm = pairwise_draws(rb, ra, shared, n_draws=n_perm, seed=seed + 3, permute=True, **opts)
    return change_of(
        coef_b.value,
        coef_a.value,
        boot.before if n_boot else None,
        boot.after if n_boot else None,
        perm.before if n_perm else None,
        perm.after if n_perm else None,
    )
