"""Text spans: pairwise span F1 (exact and overlap matching) and token-level alpha.

Spans are rows of ``item, annotator, start, end`` (end exclusive, in characters or
tokens) with an optional ``label``. Unless ``assignments`` (rows of item, annotator)
says who annotated what, every annotator in the table is taken to have annotated every
item in it: an annotator with no span on an item found nothing there.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.coefficients import Coefficient, coefficient, undefined
from guidelines_app.domain.agreement.krippendorff import krippendorff_alpha
from guidelines_app.domain.agreement.ratings import prepare
from guidelines_app.domain.errors import InvalidInput

OUTSIDE = "__outside__"
MODES = ("exact", "overlap")


def _normalised(spans: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("item", "annotator", "start", "end") if c not in spans.columns]
    if missing:
        raise InvalidInput(f"span columns missing: {', '.join(missing)}")
    spans = spans.copy()
    if "label" not in spans.columns:
        spans["label"] = ""
    if (spans["end"] <= spans["start"]).any():
        raise InvalidInput("every span must end after it starts")
    return spans


def _assignments(spans: pd.DataFrame, assignments: pd.DataFrame | None) -> pd.DataFrame:
    if assignments is not None:
        return assignments[["item", "annotator"]].drop_duplicates()
    items = pd.unique(spans["item"])
    annotators = pd.unique(spans["annotator"])
    grid = pd.MultiIndex.from_product([items, annotators], names=["item", "annotator"])
    return grid.to_frame(index=False)


def _matched(left: pd.DataFrame, right: pd.DataFrame, mode: str) -> int:
    """How many spans of ``left`` have a partner in ``right`` (same item and label)."""
    keys = ["item", "label"]
    if mode == "exact":
        joined = left.merge(right, on=[*keys, "start", "end"], how="inner", suffixes=("", "_r"))
        return int(joined.drop_duplicates(subset=["_row"]).shape[0])
    joined = left.merge(right, on=keys, how="inner", suffixes=("", "_r"))
    overlapping = (joined["start"] < joined["end_r"]) & (joined["start_r"] < joined["end"])
    return int(joined.loc[overlapping, "_row"].nunique())


def span_f1(
    spans: pd.DataFrame,
    *,
    mode: str = "exact",
    assignments: pd.DataFrame | None = None,
) -> Coefficient:
    """Mean over annotator pairs of span F1 on the items both annotated.

    Exact: a span matches an identical span (start, end, label). Overlap: it matches any
    span of the same label it overlaps; precision and recall are the shares of each
    side's spans that match. Pairs where neither annotator marked anything are skipped.
    """
    if mode not in MODES:
        raise InvalidInput(f"mode must be one of {', '.join(MODES)}")
    name = f"span_f1_{mode}_mean_pairwise"
    spans = _normalised(spans)
    spans["_row"] = np.arange(len(spans))
    assigned = _assignments(spans, assignments)
    counts = {
        "n_items": int(assigned["item"].nunique()),
        "n_annotators": int(assigned["annotator"].nunique()),
        "n_annotations": len(spans),
        "n_pairable_items": int((assigned.groupby("item").size() >= 2).sum()),
    }
    if counts["n_annotators"] < 2:
        return undefined(name, "only one annotator", counts)
    items_of = assigned.groupby("annotator")["item"].apply(set).to_dict()
    by_annotator = dict(tuple(spans.groupby("annotator")))
    scores = []
    for a, b in combinations(sorted(items_of, key=str), 2):
        common = items_of[a] & items_of[b]
        left = by_annotator.get(a, spans.iloc[:0])
        right = by_annotator.get(b, spans.iloc[:0])
        left, right = left[left["item"].isin(common)], right[right["item"].isin(common)]
        if not common or (left.empty and right.empty):
            continue
        if left.empty or right.empty:
            scores.append(0.0)
            continue
        precision = _matched(left, right, mode) / len(left)
        recall = _matched(right, left, mode) / len(right)
        total = precision + recall
        scores.append(2 * precision * recall / total if total else 0.0)
    if not scores:
        return undefined(name, "no annotator pair marked a span on a common item", counts)
    return coefficient(name, float(np.mean(scores)), counts)


def token_alpha(
    spans: pd.DataFrame,
    *,
    lengths: dict | None = None,
    assignments: pd.DataFrame | None = None,
    bootstrap: int = 0,
    seed: int = 0,
) -> Coefficient:
    """Nominal alpha over token positions: each position of an item is a unit, labelled
    by the span covering it or "outside". ``lengths`` gives each item's length; by
    default the end of its last span."""
    spans = _normalised(spans)
    assigned = _assignments(spans, assignments)
    if lengths is None:
        lengths = spans.groupby("item")["end"].max().to_dict()
    length = assigned["item"].map(lambda i: int(lengths.get(i, 0))).to_numpy()
    grid_rows = np.repeat(np.arange(len(assigned)), length)
    position = np.arange(len(grid_rows)) - np.repeat(np.cumsum(length) - length, length)
    grid = pd.DataFrame(
        {
            "item": assigned["item"].to_numpy()[grid_rows],
            "annotator": assigned["annotator"].to_numpy()[grid_rows],
            "position": position,
            "label": OUTSIDE,
        }
    )
    span_len = (spans["end"] - spans["start"]).to_numpy()
    span_rows = np.repeat(np.arange(len(spans)), span_len)
    offsets = np.arange(len(span_rows)) - np.repeat(np.cumsum(span_len) - span_len, span_len)
    covered = pd.DataFrame(
        {
            "item": spans["item"].to_numpy()[span_rows],
            "annotator": spans["annotator"].to_numpy()[span_rows],
            "position": spans["start"].to_numpy()[span_rows] + offsets,
            "label": spans["label"].astype(str).to_numpy()[span_rows],
        }
    )
    tokens = pd.concat([grid, covered], ignore_index=True)
    keys = ["item", "annotator", "position"]
    tokens = tokens.merge(assigned, on=["item", "annotator"]).drop_duplicates(keys, keep="last")
    tokens["unit"] = list(zip(tokens["item"], tokens["position"], strict=True))
    ratings = prepare(tokens[["unit", "annotator", "label"]], item="unit")
    result = krippendorff_alpha(ratings, bootstrap=bootstrap, seed=seed)
    return Coefficient(**{**result.__dict__, "name": "span_token_alpha_nominal"})
