"""Each annotator against the rest: agreement with co-annotators, alpha without them,
and accuracy on items with a gold label."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from guidelines_app.domain.agreement.coefficients import finite_or_none, json_number
from guidelines_app.domain.agreement.krippendorff import alpha_from_coincidences, coincidences
from guidelines_app.domain.agreement.ratings import Ratings


@dataclass(frozen=True)
class AnnotatorAgreement:
    """``agreement_with_rest``: over this annotator's items that others rated too, the
    mean share of the other ratings equal to theirs. ``alpha_without``: alpha of the
    data with this annotator left out (higher than the overall alpha means they pull it
    down). ``gold_accuracy``: share of their ratings equal to the gold label."""

    annotator: object
    n_annotations: int
    n_shared_items: int
    agreement_with_rest: float | None
    alpha_without: float | None
    n_gold_items: int
    gold_accuracy: float | None

    def to_dict(self) -> dict:
        return {key: json_number(value) for key, value in asdict(self).items()}


def _gold_of_items(ratings: Ratings) -> np.ndarray:
    """Gold label code per item; -2 where the item has no gold label."""
    gold = np.full(ratings.n_items, -2, dtype=np.int64)
    if ratings.gold_item is not None and len(ratings.gold_item):
        gold[ratings.gold_item] = ratings.gold_label
    return gold


def gold_accuracy(ratings: Ratings) -> dict:
    """Overall accuracy against gold labels: items, ratings compared, accuracy or None."""
    gold = _gold_of_items(ratings)[ratings.item] if ratings.n_items else np.zeros(0)
    compared = gold != -2
    n = int(compared.sum())
    correct = int((ratings.label[compared] == gold[compared]).sum())
    return {
        "n_gold_items": int(0 if ratings.gold_item is None else len(ratings.gold_item)),
        "n_compared": n,
        "accuracy": correct / n if n else None,
    }


def _contribution(rows: np.ndarray) -> np.ndarray:
    return coincidences(rows)


def annotator_agreement(ratings: Ratings, *, level: str = "nominal") -> list[AnnotatorAgreement]:
    if ratings.n_annotations == 0:
        return []
    a_count = ratings.n_annotators
    counts = ratings.counts
    m = ratings.ratings_per_item[ratings.item]
    same = counts[ratings.item, ratings.label]
    shared = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(shared, (same - 1.0) / (m - 1.0), 0.0)
    n_shared = np.bincount(ratings.annotator, weights=shared, minlength=a_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        with_rest = np.bincount(ratings.annotator, weights=share, minlength=a_count) / n_shared
    gold = _gold_of_items(ratings)[ratings.item]
    compared = gold != -2
    n_gold = np.bincount(ratings.annotator, weights=compared, minlength=a_count)
    correct = compared & (ratings.label == gold)
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = np.bincount(ratings.annotator, weights=correct, minlength=a_count) / n_gold
    total = coincidences(counts)
    n_annotations = np.bincount(ratings.annotator, minlength=a_count)
    order = np.argsort(ratings.annotator, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(n_annotations)])
    result = []
    for a in range(a_count):
        mine = order[bounds[a] : bounds[a + 1]]
        before = counts[ratings.item[mine]]
        after = before.copy()
        after[np.arange(len(mine)), ratings.label[mine]] -= 1
        without = total - _contribution(before) + _contribution(after)
        alpha = alpha_from_coincidences(without, ratings.values, level)
        result.append(
            AnnotatorAgreement(
                annotator=ratings.annotator_ids[a],
                n_annotations=int(n_annotations[a]),
                n_shared_items=int(n_shared[a]),
                agreement_with_rest=finite_or_none(with_rest[a]),
                alpha_without=finite_or_none(float(alpha)),
                n_gold_items=int(n_gold[a]),
                gold_accuracy=finite_or_none(accuracy[a]),
            )
        )
    return result
