"""The label pairs annotators confuse most: the suggested focus of the next revision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.coefficients import from_fields, json_number
from guidelines_app.domain.agreement.krippendorff import coincidence_matrix
from guidelines_app.domain.agreement.ratings import Ratings, ensure_ratings


@dataclass(frozen=True)
class Hotspot:
    """``share``: the pair's part of all disagreement, as the off-diagonal mass of the
    coincidence matrix on {label_a, label_b}; ``count``: pairs of ratings of one item
    with one annotator choosing label_a and another label_b; ``n_items``: items where
    both labels were chosen."""

    label_a: object
    label_b: object
    share: float
    count: int
    n_items: int

    def to_dict(self) -> dict:
        return {k: json_number(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hotspot:
        return from_fields(cls, data)


def confusion_hotspots(
    frame_or_ratings: pd.DataFrame | Ratings,
    *,
    top: int = 10,
    categories: Sequence | None = None,
) -> list[Hotspot]:
    """The ``top`` most confused unordered label pairs, largest share first; empty when
    there is no disagreement at all (or nothing pairable)."""
    ratings = ensure_ratings(frame_or_ratings, categories)
    o = coincidence_matrix(ratings).to_numpy()
    mass = np.triu(o + o.T, k=1)
    total = mass.sum()
    if total <= 0:
        return []
    counts = ratings.counts.astype(np.int64)
    pairable = counts[ratings.ratings_per_item >= 2]
    rows, cols = np.nonzero(mass > 0)
    order = np.lexsort((cols, rows, -mass[rows, cols]))[: max(top, 0)]
    out = []
    for a, b in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        both = pairable[:, a] * pairable[:, b]
        out.append(
            Hotspot(
                label_a=ratings.categories[a],
                label_b=ratings.categories[b],
                share=float(mass[a, b] / total),
                count=int(both.sum()),
                n_items=int(np.count_nonzero(both)),
            )
        )
    return out
