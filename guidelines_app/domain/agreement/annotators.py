"""Each annotator against the rest: agreement with co-annotators, alpha without them,
and accuracy on items with a gold label."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from guidelines_app.domain.agreement.bootstrap import Profiles
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
    items, labels = ratings.gold_item, ratings.gold_label  # both None or both arrays
    if items is not None and labels is not None and len(items):
        gold[items] = labels
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


_DELTA_BINS = 20_000_000
_CHUNK = 1_000_000  # ratings handled at once, so memory stays flat on large data


def annotator_agreement(ratings: Ratings, *, level: str = "nominal") -> list[AnnotatorAgreement]:
    if ratings.n_annotations == 0:
        return []
    a_count = ratings.n_annotators
    profiles = ratings.profiles
    rows = profiles.rows.astype(float)
    m = rows.sum(axis=1)
    shared_profile = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):  # (profiles, labels): the share
        share_of = np.where(shared_profile[:, None], (rows - 1.0) / (m - 1.0)[:, None], 0.0)
    n_profiles, q = rows.shape
    n_shared = np.zeros(a_count)
    with_rest = np.zeros(a_count)
    group = len(profiles.multiplicity) * q <= _DELTA_BINS // max(a_count, 1)
    n_taken = np.zeros(a_count * n_profiles * q) if group else None
    for start in range(0, ratings.n_annotations, _CHUNK):
        part = slice(start, start + _CHUNK)
        annotator, label = ratings.annotator[part], ratings.label[part]
        profile = profiles.item_profile[ratings.item[part]]
        n_shared += np.bincount(annotator, weights=shared_profile[profile], minlength=a_count)
        with_rest += np.bincount(annotator, weights=share_of[profile, label], minlength=a_count)
        if n_taken is not None:
            taken = annotator.astype(np.int64) * n_profiles
            taken += profile
            taken *= q
            taken += label
            n_taken += np.bincount(taken, minlength=len(n_taken))
    with np.errstate(divide="ignore", invalid="ignore"):
        with_rest /= n_shared
    n_gold, accuracy = _gold_by_annotator(ratings)
    n_annotations = np.bincount(ratings.annotator, minlength=a_count)
    if n_taken is not None:
        without = coincidences(profiles.rows, profiles.multiplicity) + _removal_changes(
            profiles, n_taken.reshape(a_count, n_profiles, q)
        )
    else:
        without = _without_each_annotator(ratings, n_annotations)
    alphas = alpha_from_coincidences(without, ratings.values, level)
    return [
        AnnotatorAgreement(
            annotator=ratings.annotator_ids[a],
            n_annotations=int(n_annotations[a]),
            n_shared_items=int(n_shared[a]),
            agreement_with_rest=finite_or_none(with_rest[a]),
            alpha_without=finite_or_none(float(alphas[a])),
            n_gold_items=int(n_gold[a]),
            gold_accuracy=finite_or_none(accuracy[a]),
        )
        for a in range(a_count)
    ]


def _gold_by_annotator(ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Per annotator: ratings of items with a gold label, and the share equal to it."""
    a_count = ratings.n_annotators
    if ratings.gold_item is None or len(ratings.gold_item) == 0:
        return np.zeros(a_count), np.full(a_count, np.nan)
    gold = _gold_of_items(ratings)[ratings.item]
    compared = gold != -2
    n_gold = np.bincount(ratings.annotator, weights=compared, minlength=a_count)
    correct = compared & (ratings.label == gold)
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = np.bincount(ratings.annotator, weights=correct, minlength=a_count) / n_gold
    return n_gold, accuracy


def _removal_changes(profiles: Profiles, n_taken: np.ndarray) -> np.ndarray:
    """(annotators, q, q): how the coincidence matrix changes when each annotator's
    ratings are taken out; ``n_taken[a, p, k]`` counts annotator a's ratings with label k
    on items of count vector p.

    Taking label k out of an item with counts v and m ratings changes its contribution
    (v v' - diag v) / (m - 1) (nothing when m < 2) by
    (v v' - diag v) (1 / (m - 2) - 1 / (m - 1)) + (2 e_k e_k' - v e_k' - e_k v') / (m - 2)
    for m >= 3, and by -(v v' - diag v) / (m - 1) for m = 2.
    """
    rows = profiles.rows.astype(float)
    n_profiles, q = rows.shape
    m = rows.sum(axis=1)
    with np.errstate(divide="ignore"):
        after = np.where(m >= 3, 1.0 / (m - 2.0), 0.0)
        before = np.where(m >= 2, 1.0 / (m - 1.0), 0.0)
    gram = rows[:, :, None] * rows[:, None, :]
    gram[:, np.arange(q), np.arange(q)] -= rows
    change = n_taken.sum(axis=2) @ ((after - before)[:, None] * gram.reshape(n_profiles, q * q))
    change = change.reshape(-1, q, q)
    scaled = n_taken * after[None, :, None]  # (annotators, profiles, labels taken out)
    cross = np.einsum("pl,apk->alk", rows, scaled)  # sum of v e_k' per annotator
    change -= cross + cross.transpose(0, 2, 1)
    idx = np.arange(q)
    change[:, idx, idx] += 2.0 * scaled.sum(axis=1)
    return change


def _without_each_annotator(ratings: Ratings, n_annotations: np.ndarray) -> np.ndarray:
    """The same as ``_removal_changes`` one annotator at a time, for data with too many
    distinct count vectors to group them."""
    counts = ratings.counts
    total = coincidences(counts)
    order = np.argsort(ratings.annotator, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(n_annotations)])
    out = np.empty((ratings.n_annotators, *total.shape))
    for a in range(ratings.n_annotators):
        mine = order[bounds[a] : bounds[a + 1]]
        before = counts[ratings.item[mine]]
        after = before.copy()
        after[np.arange(len(mine)), ratings.label[mine]] -= 1
        out[a] = total - coincidences(before) + coincidences(after)
    return out
