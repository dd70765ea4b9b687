"""Every coefficient at once, sharing one preparation, one set of item profiles and one
set of rating pairs; ``AgreementReport.to_dict()`` is the JSON of
``guidelines agreement FILE --json`` (documented in docs/agreement.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.annotators import (
    AnnotatorAgreement,
    annotator_agreement,
    gold_accuracy,
)
from guidelines_app.domain.agreement.coefficients import Coefficient, json_number
from guidelines_app.domain.agreement.conger import conger_kappa, conger_statistic
from guidelines_app.domain.agreement.gwet import gwet_ac1, gwet_ac2
from guidelines_app.domain.agreement.kappa import brennan_prediger, fleiss_kappa, percent_agreement
from guidelines_app.domain.agreement.krippendorff import coincidence_matrix, krippendorff_alpha
from guidelines_app.domain.agreement.pair_bootstrap import pair_bootstrap
from guidelines_app.domain.agreement.pairs import RatingPairs, rating_pairs
from guidelines_app.domain.agreement.pairwise import (
    MIN_COMMON,
    common_items_matrix,
    mean_pairwise_many,
    mean_pairwise_statistic,
    pairwise_matrix,
)
from guidelines_app.domain.agreement.per_label import LabelAgreement, per_label_agreement
from guidelines_app.domain.agreement.ratings import Ratings, ensure_ratings
from guidelines_app.domain.agreement.weights import LEVELS, weight_matrix, weight_name
from guidelines_app.domain.errors import InvalidInput

SCHEMA_VERSION = 1
MAX_MATRIX_ANNOTATORS = 100


@dataclass(frozen=True)
class AgreementReport:
    coefficients: dict[str, Coefficient]
    per_label: list[LabelAgreement]
    annotators: list[AnnotatorAgreement]
    counts: dict
    level: str = "nominal"
    weights: str = "identity"
    bootstrap: int = 0
    seed: int = 0
    coincidence: pd.DataFrame | None = None
    pairwise_kappa: pd.DataFrame | None = None
    pairwise_common_items: pd.DataFrame | None = None
    gold: dict = field(default_factory=dict)
    categories: tuple = ()

    def to_dict(self) -> dict:
        """Strict JSON (no NaN or infinity); the annotator-by-annotator matrices only up to
        100 annotators, to keep the output readable."""
        return {
            "schema": SCHEMA_VERSION,
            "level": self.level,
            "weights": self.weights,
            "bootstrap": {"resamples": self.bootstrap, "seed": self.seed, "confidence": 0.95},
            "categories": [json_number(c) for c in self.categories],
            "counts": {k: json_number(v) for k, v in self.counts.items()},
            "coefficients": {k: c.to_dict() for k, c in self.coefficients.items()},
            "per_label": [label.to_dict() for label in self.per_label],
            "annotators": [a.to_dict() for a in self.annotators],
            "gold": {k: json_number(v) for k, v in self.gold.items()},
            "coincidence": _matrix_dict(self.coincidence),
            "pairwise_cohen_kappa": _matrix_dict(self.pairwise_kappa, MAX_MATRIX_ANNOTATORS),
            "pairwise_common_items": _matrix_dict(
                self.pairwise_common_items, MAX_MATRIX_ANNOTATORS
            ),
        }


class _Resampling(TypedDict):
    """The bootstrap keywords every coefficient takes."""

    bootstrap: int
    seed: int


def _matrix_dict(frame: pd.DataFrame | None, limit: int | None = None) -> dict | None:
    if frame is None or (limit is not None and len(frame) > limit):
        return None
    return {
        "labels": [json_number(v) for v in frame.index],
        "matrix": [[json_number(v) for v in row] for row in frame.to_numpy().tolist()],
    }


def compute_all(
    frame_or_ratings: pd.DataFrame | Ratings,
    *,
    level: str = "nominal",
    weights: str | np.ndarray | None = None,
    categories: Sequence | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    min_common: int = MIN_COMMON,
) -> AgreementReport:
    """All coefficients with bootstrap intervals (``bootstrap`` resamples of the items).

    Always: percent agreement, Cohen's kappa and Scott's pi (mean over annotator pairs),
    Fleiss' kappa (classic or generalised), Conger's kappa, Brennan-Prediger, Gwet's AC1,
    nominal alpha and alpha at ``level``. With ``weights``: the weighted Cohen, Fleiss
    and Conger kappas and Gwet's AC2 as well: the keys and their order are the catalogue's
    (``metrics.emitted``). ``categories`` applies when a DataFrame is given; prepared
    ``Ratings`` keep the categories they were prepared with.
    """
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}")
    ratings = ensure_ratings(frame_or_ratings, categories)
    profiles = ratings.profiles
    pairs = rating_pairs(ratings)
    boot = _Resampling(bootstrap=bootstrap, seed=seed)
    weighted = weights is not None and weight_name(weights) != "identity"
    variants = [(None, False), (None, True)] + ([(weights, False)] if weighted else [])
    conger_weights: list[str | np.ndarray | None] = [None, weights] if weighted else [None]
    draws = _pair_draws(ratings, pairs, variants, conger_weights, min_common, bootstrap, seed)
    cohen, scott, *cohen_weighted = mean_pairwise_many(
        ratings, variants, min_common=min_common, pairs=pairs, draws=draws[0], **boot
    )
    conger, *conger_weighted = (
        conger_kappa(ratings, weights=w, profiles=profiles, pairs=pairs, draws=d, **boot)
        for w, d in zip(conger_weights, draws[1], strict=True)
    )
    found = {
        metrics.PERCENT_AGREEMENT: percent_agreement(ratings, profiles=profiles, **boot),
        metrics.COHEN_KAPPA: cohen,
        metrics.SCOTT_PI: scott,
        metrics.FLEISS_KAPPA: fleiss_kappa(ratings, profiles=profiles, **boot),
        metrics.CONGER_KAPPA: conger,
        metrics.BRENNAN_PREDIGER: brennan_prediger(ratings, profiles=profiles, **boot),
        metrics.GWET_AC1: gwet_ac1(ratings, profiles=profiles, **boot),
        metrics.ALPHA_NOMINAL: krippendorff_alpha(
            ratings, level="nominal", profiles=profiles, **boot
        ),
    }
    if level != "nominal":
        found[metrics.alpha_key(level)] = krippendorff_alpha(
            ratings, level=level, profiles=profiles, **boot
        )
    if weighted and weights is not None:
        found[metrics.COHEN_KAPPA_WEIGHTED] = cohen_weighted[0]
        found[metrics.FLEISS_KAPPA_WEIGHTED] = fleiss_kappa(
            ratings, weights=weights, profiles=profiles, **boot
        )
        found[metrics.CONGER_KAPPA_WEIGHTED] = conger_weighted[0]
        found[metrics.GWET_AC2] = gwet_ac2(ratings, weights=weights, profiles=profiles, **boot)
    counts = {
        "items": ratings.n_items,
        "annotators": ratings.n_annotators,
        "annotations": ratings.n_annotations,
        "pairable_items": ratings.n_pairable_items,
        "categories": ratings.n_categories,
        "duplicates_dropped": ratings.duplicates_dropped,
        "annotator_pairs": len(pairs.pair_a),
    }
    return AgreementReport(
        coefficients={m.key: found[m.key] for m in metrics.emitted(level=level, weighted=weighted)},
        per_label=per_label_agreement(ratings, profiles=profiles, **boot),
        annotators=annotator_agreement(ratings, level=level),
        counts=counts,
        level=level,
        weights=weight_name(weights),
        bootstrap=bootstrap,
        seed=seed,
        coincidence=coincidence_matrix(ratings),
        pairwise_kappa=pairwise_matrix(ratings, pairs=pairs),
        pairwise_common_items=common_items_matrix(ratings, pairs),
        gold=gold_accuracy(ratings),
        categories=ratings.categories,
    )


def _pair_draws(
    ratings: Ratings,
    pairs: RatingPairs,
    variants: list[tuple[str | np.ndarray | None, bool]],
    conger_weights: list[str | np.ndarray | None],
    min_common: int,
    bootstrap: int,
    seed: int,
) -> tuple[np.ndarray | None, list[np.ndarray | None]]:
    """One bootstrap pass for every coefficient over annotator pairs (Cohen, Scott and
    Conger variants), which share the resamples: the mean pairwise variants' values
    (resamples x variants) and each Conger variant's."""
    if bootstrap <= 0 or ratings.n_annotators < 2 or pairs.n_rating_pairs == 0:
        return None, [None] * len(conger_weights)
    statistics = [
        mean_pairwise_statistic(weight_matrix(ratings, w), scott, min_common)
        for w, scott in variants
    ]
    statistics += [conger_statistic(weight_matrix(ratings, w)) for w in conger_weights]
    values = pair_bootstrap(pairs, statistics, bootstrap, seed, by_size=True)
    k = len(variants)
    return values[:, :k], [values[:, k + j] for j in range(len(conger_weights))]
