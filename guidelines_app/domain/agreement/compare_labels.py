"""Per-label and confusion-pair changes between the two sides of a comparison."""

from __future__ import annotations

import numpy as np

from guidelines_app.domain.agreement.compare_result import ConfusionChange, LabelChange, change_of
from guidelines_app.domain.agreement.compare_stats import Layout, label_values
from guidelines_app.domain.agreement.krippendorff import coincidence_matrix
from guidelines_app.domain.agreement.per_label import LabelAgreement, per_label_agreement
from guidelines_app.domain.agreement.ratings import Ratings


def label_changes(
    rb: Ratings,
    ra: Ratings,
    layout: Layout,
    boot: tuple[np.ndarray, np.ndarray] | None,
    perm: tuple[np.ndarray, np.ndarray] | None,
    forced: str | None,
) -> list[LabelChange]:
    side_b, side_a = per_label_agreement(rb), per_label_agreement(ra)
    boot_b, boot_a = (label_values(s, layout) for s in boot) if boot else (None, None)
    perm_b, perm_a = (label_values(s, layout) for s in perm) if perm else (None, None)

    def column(draws: tuple | None, which: int, k: int) -> np.ndarray | None:
        return None if draws is None else draws[which][:, k]

    out = []
    for k, (lb, la) in enumerate(zip(side_b, side_a, strict=True)):
        if lb.n_annotations == 0 and la.n_annotations == 0:
            continue
        changes = []
        for which, attr in ((0, "specific_agreement"), (1, "alpha_one_vs_rest")):
            b_value, a_value = getattr(lb, attr), getattr(la, attr)
            reason = forced
            if reason is None and (b_value is None or a_value is None):
                reason = _label_reason(lb, la, b_value, a_value)
            changes.append(
                change_of(
                    b_value,
                    a_value,
                    column(boot_b, which, k),
                    column(boot_a, which, k),
                    column(perm_b, which, k),
                    column(perm_a, which, k),
                    reason=reason,
                )
            )
        out.append(LabelChange(lb.label, lb.n_annotations, la.n_annotations, *changes))
    return out


def _label_reason(lb: LabelAgreement, la: LabelAgreement, b_value: object, a_value: object) -> str:
    parts = []
    for side, entry, value in (("before", lb, b_value), ("after", la, a_value)):
        if value is None:
            why = entry.undefined_reason or "label never used on an item with two or more ratings"
            parts.append(f"{side} side: {why}")
    return "; ".join(parts)


def confusion_changes(rb: Ratings, ra: Ratings) -> list[ConfusionChange]:
    """Every unordered label pair confused on either side, largest change first."""
    shares = []
    for ratings in (rb, ra):
        o = coincidence_matrix(ratings).to_numpy()
        pair = np.triu(o + o.T, k=1)
        total = pair.sum()
        shares.append(pair / total if total > 0 else None)
    q = rb.n_categories
    rows, cols = np.triu_indices(q, k=1)
    out = []
    for a, b in zip(rows.tolist(), cols.tolist(), strict=True):
        sb = None if shares[0] is None else float(shares[0][a, b])
        sa = None if shares[1] is None else float(shares[1][a, b])
        if not (sb or sa):
            continue
        change = None if sb is None or sa is None else sa - sb
        out.append(ConfusionChange(rb.categories[a], rb.categories[b], sb, sa, change))
    out.sort(key=lambda c: -abs(c.change) if c.change is not None else 1.0)
    return out
