"""Generated annotation tables with a known agreement level."""

from __future__ import annotations

import numpy as np
import pandas as pd


def annotations(
    n_items: int,
    accuracy: float,
    *,
    seed: int = 0,
    annotators: int = 8,
    per_item: int = 3,
    labels: int = 4,
    first_item: int = 0,
    annotator_prefix: str = "a",
    start: str | None = None,
    days: int = 0,
) -> pd.DataFrame:
    """Each item has a true label; each of ``per_item`` distinct annotators gives it with
    probability ``accuracy``, otherwise a uniformly random label."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, labels, n_items)
    rows = []
    for i in range(n_items):
        chosen = rng.choice(annotators, per_item, replace=False)
        for a in chosen:
            label = truth[i] if rng.random() < accuracy else rng.integers(0, labels)
            rows.append((first_item + i, f"{annotator_prefix}{a}", f"L{label}"))
    frame = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    if start is not None:
        seconds = rng.integers(0, max(days, 1) * 86400, len(frame))
        frame["created_at"] = pd.Timestamp(start) + pd.to_timedelta(seconds, unit="s")
    return frame


def relabelled(
    frame: pd.DataFrame, accuracy: float, *, seed: int = 1, labels: int = 4
) -> pd.DataFrame:
    """The same items and annotators, annotated again with another accuracy (a paired
    design): the true label of an item is the label most of its annotators chose."""
    rng = np.random.default_rng(seed)
    truth = frame.groupby("item")["label"].agg(lambda s: s.mode().iloc[0])
    out = frame.copy()
    correct = rng.random(len(out)) < accuracy
    noise = np.array([f"L{k}" for k in rng.integers(0, labels, len(out))])
    out["label"] = np.where(correct, truth.loc[out["item"]].to_numpy(), noise)
    return out
