"""Multi-label annotations (one annotation carrying several labels): agreement per label,
each label treated as a binary yes/no rating of every (item, annotator) annotation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement import metrics
from guidelines_app.domain.agreement.coefficients import Coefficient
from guidelines_app.domain.agreement.gwet import gwet_ac1
from guidelines_app.domain.agreement.kappa import percent_agreement
from guidelines_app.domain.agreement.krippendorff import krippendorff_alpha
from guidelines_app.domain.agreement.ratings import plain_scalar, prepare
from guidelines_app.domain.errors import InvalidInput

BINARY = [False, True]


#: The figures of each label, in the order ``to_dict()`` gives them.
MULTILABEL_METRICS = (metrics.ALPHA_NOMINAL, metrics.PERCENT_AGREEMENT, metrics.GWET_AC1)


@dataclass(frozen=True)
class BinaryLabelAgreement:
    label: object
    n_positive: int
    alpha: Coefficient
    percent_agreement: Coefficient
    gwet_ac1: Coefficient

    def to_dict(self) -> dict:
        return {
            "label": self.label.item() if isinstance(self.label, np.generic) else self.label,
            "n_positive": self.n_positive,
            **{
                key: c.to_dict()
                for key, c in zip(
                    MULTILABEL_METRICS,
                    (self.alpha, self.percent_agreement, self.gwet_ac1),
                    strict=True,
                )
            },
        }


def _as_labels(value: object) -> list:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Iterable):
        raise TypeError(f"{type(value).__name__!r} object is not iterable")
    return list(value)


def multilabel_agreement(
    frame: pd.DataFrame,
    *,
    categories: Sequence | None = None,
    item: str = "item",
    annotator: str = "annotator",
    labels: str = "labels",
    bootstrap: int = 0,
    seed: int = 0,
) -> list[BinaryLabelAgreement]:
    """One row per annotation whose ``labels`` column holds a list (or set) of labels;
    an empty list is a deliberate "none of them", so it counts as "no" for every label."""
    if labels not in frame.columns:
        raise InvalidInput(f"column {labels!r} is required")
    base = frame[[item, annotator]].reset_index(drop=True)
    sets = [_as_labels(v) for v in frame[labels].to_numpy()]
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    flat = pd.Series([label for s in sets for label in s], dtype=object)
    domain = list(categories) if categories is not None else sorted(pd.unique(flat), key=str)
    codes = pd.Index(domain).get_indexer(flat.to_numpy()) if len(flat) else np.zeros(0, int)
    if (codes < 0).any():
        unknown = sorted({plain_scalar(v) for v in flat[codes < 0]}, key=str)
        raise InvalidInput(f"labels not among the categories: {unknown!r}")
    indicator = np.zeros((len(base), len(domain)), dtype=bool)
    indicator[np.repeat(np.arange(len(base)), lengths), codes] = True
    result = []
    for k, name in enumerate(domain):
        ratings = prepare(
            base.assign(label=indicator[:, k]), categories=BINARY, item=item, annotator=annotator
        )
        result.append(
            BinaryLabelAgreement(
                label=name,
                n_positive=int(indicator[:, k].sum()),
                alpha=krippendorff_alpha(ratings, bootstrap=bootstrap, seed=seed),
                percent_agreement=percent_agreement(ratings, bootstrap=bootstrap, seed=seed),
                gwet_ac1=gwet_ac1(ratings, bootstrap=bootstrap, seed=seed),
            )
        )
    return result
