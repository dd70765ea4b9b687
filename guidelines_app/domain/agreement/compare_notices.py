"""Honesty notices: what weakens the figures of a comparison, stated next to them."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from guidelines_app.domain.agreement import metrics as catalogue
from guidelines_app.domain.agreement.compare_design import PAIRED, PARTLY_PAIRED, UNPAIRED
from guidelines_app.domain.agreement.compare_result import NO_CHANGE, MetricChange, Notice
from guidelines_app.domain.agreement.ratings import Ratings

MIN_ITEMS = 50
MIN_POOL_JACCARD = 0.5
SAME_ANNOTATIONS = "the two sides hold the same annotations: a release compared with itself"
_SHOW = 5


def _names(values: Iterable[object]) -> str:
    names = sorted(map(str, values))
    more = f" and {len(names) - _SHOW} more" if len(names) > _SHOW else ""
    return ", ".join(names[:_SHOW]) + more


def design_reason(kind: str, n_shared: int, n_only_before: int, n_only_after: int) -> str:
    if kind == PAIRED:
        return (
            f"all {n_shared} items were annotated under both releases: each item's two "
            "annotation sets are resampled together and swapped in the permutation test"
        )
    if kind == UNPAIRED:
        return (
            "no item was annotated under both releases: each side's items are resampled "
            "independently and shuffled between the sides in the permutation test"
        )
    return (
        f"{n_shared} items were annotated under both releases and are kept as pairs; "
        f"{n_only_before} items seen only before and {n_only_after} only after are "
        "resampled within their side and shuffled between the sides"
    )


def side_notices(name: str, ratings: Ratings) -> list[Notice]:
    if ratings.n_annotations == 0:
        return [Notice("empty_side", f"no annotations on the {name} side: nothing to compare")]
    if ratings.n_pairable_items == 0:
        return [
            Notice(
                "no_pairable_items",
                f"on the {name} side no item has two or more annotations (a single "
                "annotator per item): agreement is undefined there",
            )
        ]
    if ratings.n_items < MIN_ITEMS:
        return [
            Notice(
                "small_sample",
                f"only {ratings.n_items} items on the {name} side (fewer than {MIN_ITEMS}): "
                "intervals are wide and the figures fragile",
            )
        ]
    return []


def comparison_notices(
    before_frame: pd.DataFrame,
    after_frame: pd.DataFrame,
    before: Ratings,
    after: Ratings,
    kind: str,
) -> list[Notice]:
    notices = side_notices("before", before) + side_notices("after", after)
    if kind in (UNPAIRED, PARTLY_PAIRED) and before.n_annotations and after.n_annotations:
        what = "no item was" if kind == UNPAIRED else "only some items were"
        notices.append(
            Notice(
                kind.replace(" ", "_"),
                f"{what} annotated under both releases, so the comparison is "
                f"{kind}: differences between the item samples count as differences "
                "between the releases",
            )
        )
    pool_b, pool_a = set(before.annotator_ids), set(after.annotator_ids)
    union = pool_b | pool_a
    if union and pool_b and pool_a:
        jaccard = len(pool_b & pool_a) / len(union)
        if jaccard < MIN_POOL_JACCARD:
            notices.append(
                Notice(
                    "annotator_pools",
                    f"different annotator pools: {len(pool_b & pool_a)} of {len(union)} "
                    f"annotators worked under both releases ({len(pool_b)} before, "
                    f"{len(pool_a)} after; Jaccard {jaccard:.2f}): a change may come from "
                    "who annotated rather than from the guideline",
                )
            )
    if "dataset" in before_frame.columns and "dataset" in after_frame.columns:
        sets_b = set(before_frame["dataset"].dropna())
        sets_a = set(after_frame["dataset"].dropna())
        if sets_b != sets_a:
            notices.append(
                Notice(
                    "datasets",
                    f"different datasets: before {_names(sets_b) or 'none'}; after "
                    f"{_names(sets_a) or 'none'}: items may differ in difficulty",
                )
            )
    used_b = {before.categories[k] for k in set(before.label.tolist())}
    used_a = {after.categories[k] for k in set(after.label.tolist())}
    if used_b and used_a and used_b != used_a:
        parts = []
        if used_b - used_a:
            parts.append(f"only before: {_names(used_b - used_a)}")
        if used_a - used_b:
            parts.append(f"only after: {_names(used_a - used_b)}")
        notices.append(
            Notice(
                "label_set",
                "the labels in use changed (" + "; ".join(parts) + "): chance-corrected "
                "figures and the labels concerned are not like for like",
                (*sorted(used_b ^ used_a, key=str), catalogue.GWET_AC1),
            )
        )
    return notices


def result_notices(metrics: list[MetricChange]) -> list[Notice]:
    unchanged = [m.name for m in metrics if m.change.verdict == NO_CHANGE]
    if not unchanged:
        return []
    return [
        Notice(
            "no_measurable_change",
            "the 95% interval of the difference includes zero for "
            f"{', '.join(unchanged)}: reported as no measurable change, not as an "
            "improvement or a decline",
            tuple(unchanged),
        )
    ]
