"""From a table of annotations to the figures of one file or batch, as plain JSON.

Shared by ``guidelines agreement FILE`` (no database) and the cached figures of an
imported batch, so the command line and the batch page always show the same numbers.
Three kinds of data:

- ``single``: one label per (item, annotator): every coefficient of ``compute_all``;
- ``multilabel``: several labels given together (same item, annotator and time):
  per-label binary agreement (``multilabel_agreement``);
- ``spans``: rows with character offsets: span F1 (exact, overlap) and token alpha.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement import compute_all, multilabel_agreement, span_f1, token_alpha
from guidelines_app.domain.errors import InvalidInput, Problem

#: Bump when the figures of the same annotations would change (cached figures are keyed by it).
FIGURES_VERSION = "1"
KINDS = ("single", "multilabel", "spans")


def dimensions_of(annotations: pd.DataFrame) -> list[str]:
    if "dimension" not in annotations.columns or annotations.empty:
        return []
    return sorted({str(d) for d in annotations["dimension"].dropna().unique()})


def select_dimension(annotations: pd.DataFrame, dimension: str | None) -> pd.DataFrame:
    """The rows of one dimension; several dimensions without a choice is refused."""
    found = dimensions_of(annotations)
    shown = ", ".join(repr(d) for d in found) or "none"
    if dimension is not None:
        if dimension not in found:
            raise InvalidInput(
                problems=[Problem(f"no dimension {dimension!r} in the file (found: {shown})")]
            )
        return annotations[annotations["dimension"].astype(str) == dimension]
    if len(found) > 1:
        raise InvalidInput(
            problems=[
                Problem(
                    f"the file has {len(found)} dimensions ({shown}): choose one with --dimension"
                )
            ]
        )
    return annotations


def kind_of(annotations: pd.DataFrame) -> str:
    if "start" in annotations.columns and annotations["start"].notna().any():
        return "spans"
    if annotations.empty:
        return "single"
    keys = [c for c in ("item", "annotator", "created_at") if c in annotations.columns]
    plain = ~annotations["gold"].to_numpy(dtype=bool) if "gold" in annotations else None
    # Only rows whose (item, annotator) repeats can be part of a multi-label annotation:
    # find them with integer codes, and look at their labels only.
    item = pd.factorize(annotations["item"])[0]
    annotator, annotators = pd.factorize(annotations["annotator"])
    pair = item.astype(np.int64) * max(len(annotators), 1) + annotator
    if plain is not None:
        pair = np.where(plain, pair, -1)
    repeats = pd.Series(pair).duplicated(keep=False).to_numpy() & (pair >= 0)
    if not repeats.any():
        return "single"
    candidates = annotations.loc[repeats, [*keys, "label"]]
    repeated = candidates.duplicated(keys, keep=False)
    if (
        repeated.any()
        and candidates[repeated].groupby(keys, dropna=False)["label"].nunique().gt(1).any()
    ):
        return "multilabel"
    return "single"


def relevant_columns(annotations: pd.DataFrame) -> pd.DataFrame:
    """The columns the figures read, without copying them: the span columns only when
    some row has offsets. Lets a caller drop the rest of a large table early."""
    spans = "start" in annotations.columns and annotations["start"].notna().any()
    wanted = ["item", "annotator", "label", "created_at", "gold", "dimension"]
    if spans:
        wanted += ["start", "end"]
    return pd.DataFrame({c: annotations[c] for c in wanted if c in annotations}, copy=False)


def numeric_labels(labels: pd.Series, categories: Sequence | None) -> tuple[pd.Series, list | None]:
    """Labels read from text files are strings: "1", "2", "10" become numbers when every
    label (and category) is one, so ordered levels and weights use their values."""
    unchanged = labels, list(categories) if categories is not None else None
    if labels.empty:
        return unchanged
    codes, found = pd.factorize(labels.to_numpy(), use_na_sentinel=False)
    uniques = pd.Series(found, dtype=object)
    if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        return unchanged
    numbers = pd.to_numeric(uniques, errors="coerce")
    if numbers.isna().any() or numbers.nunique() != len(uniques):  # "1" and "01"
        return unchanged
    converted_categories: list | None = None
    if categories is not None:
        as_numbers = pd.to_numeric(pd.Series(list(categories), dtype=object), errors="coerce")
        if as_numbers.isna().any():
            return unchanged
        converted_categories = _integral(as_numbers).tolist()
    values = _integral(numbers).to_numpy()
    return pd.Series(values[codes], index=labels.index), converted_categories


def _integral(numbers: pd.Series) -> pd.Series:
    if (numbers == numbers.round()).all() and numbers.abs().max() < 2**53:
        return numbers.astype("int64")
    return numbers.astype(float)


def figures(
    annotations: pd.DataFrame,
    *,
    level: str = "nominal",
    weights: str | None = None,
    categories: Sequence | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Every figure of one dimension of annotations, as strict JSON (``to_dict`` shape)."""
    kind = kind_of(annotations)
    if kind == "spans":
        return _span_figures(annotations, bootstrap=bootstrap, seed=seed)
    columns = [c for c in ("item", "annotator", "label", "created_at", "gold") if c in annotations]
    frame = pd.DataFrame({c: annotations[c] for c in columns}, copy=False)
    frame["label"], domain = numeric_labels(frame["label"], categories)
    if kind == "multilabel":
        return _multilabel_figures(frame, domain, bootstrap=bootstrap, seed=seed)
    report = compute_all(
        frame, level=level, weights=weights, categories=domain, bootstrap=bootstrap, seed=seed
    )
    return {"kind": kind, **report.to_dict()}


def _multilabel_figures(
    frame: pd.DataFrame, categories: list | None, *, bootstrap: int, seed: int
) -> dict[str, Any]:
    plain = frame[~frame["gold"]] if "gold" in frame.columns else frame
    keys = [c for c in ("item", "annotator", "created_at") if c in plain.columns]
    grouped = plain.groupby(keys, dropna=False, sort=False)["label"].agg(list).reset_index()
    grouped = grouped.rename(columns={"label": "labels"})
    per_label = multilabel_agreement(grouped, categories=categories, bootstrap=bootstrap, seed=seed)
    return {
        "kind": "multilabel",
        "bootstrap": {"resamples": bootstrap, "seed": seed, "confidence": 0.95},
        "counts": {
            "items": int(grouped["item"].nunique()),
            "annotators": int(grouped["annotator"].nunique()),
            "annotations": len(grouped),
            "labels_given": len(plain),
        },
        "coefficients": {},
        "multilabel": [entry.to_dict() for entry in per_label],
    }


def _span_figures(annotations: pd.DataFrame, *, bootstrap: int, seed: int) -> dict[str, Any]:
    spans = annotations[annotations["start"].notna() & annotations["end"].notna()]
    spans = spans[["item", "annotator", "label", "start", "end"]].astype(
        {"start": "int64", "end": "int64"}
    )
    assignments = annotations[["item", "annotator"]].drop_duplicates()
    found = [
        span_f1(spans, mode="exact", assignments=assignments),
        span_f1(spans, mode="overlap", assignments=assignments),
        token_alpha(spans, assignments=assignments, bootstrap=bootstrap, seed=seed),
    ]
    return {
        "kind": "spans",
        "bootstrap": {"resamples": bootstrap, "seed": seed, "confidence": 0.95},
        "counts": {
            "items": int(assignments["item"].nunique()),
            "annotators": int(assignments["annotator"].nunique()),
            "annotations": len(spans),
        },
        "coefficients": {c.name: c.to_dict() for c in found},
    }
