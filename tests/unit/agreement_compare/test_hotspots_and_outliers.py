"""The label pairs confused most, and annotators far below the others."""

import json

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement.hotspots import confusion_hotspots
from guidelines_app.domain.agreement.outliers import annotator_outliers
from guidelines_app.domain.agreement.ratings import prepare
from tests.unit.agreement_compare.factories import annotations

SMALL = pd.DataFrame(
    {
        "item": [1, 1, 1, 2, 2, 3, 3, 4],
        "annotator": ["a", "b", "c", "a", "b", "a", "b", "a"],
        "label": ["x", "y", "y", "x", "z", "y", "y", "x"],
    }
)


def test_hotspots_rank_pairs_by_their_share_of_all_disagreement():
    spots = confusion_hotspots(SMALL)
    # Item 1 (x, y, y): two x-y rating pairs, coincidence 1 x 2 / (3 - 1) = 1; item 2
    # (x, z): one pair, coincidence 1 x 1 / (2 - 1) = 1. Equal shares; ties in label order.
    assert [(s.label_a, s.label_b) for s in spots] == [("x", "y"), ("x", "z")]
    assert [s.count for s in spots] == [2, 1]
    assert [s.n_items for s in spots] == [1, 1]
    assert sum(s.share for s in spots) == pytest.approx(1.0)
    assert spots[0].share == pytest.approx(0.5)
    json.dumps([s.to_dict() for s in spots], allow_nan=False)


def test_the_most_confused_pair_of_generated_data_comes_first_and_top_is_honoured():
    frame = annotations(300, 0.9, seed=4)
    swap = (frame["label"] == "L1") & (np.random.default_rng(0).random(len(frame)) < 0.4)
    frame.loc[swap, "label"] = "L2"
    spots = confusion_hotspots(frame, top=3)
    assert len(spots) == 3 and (spots[0].label_a, spots[0].label_b) == ("L1", "L2")
    assert spots[0].share > 2 * spots[1].share


def test_no_disagreement_or_nothing_pairable_gives_no_hotspots():
    agreed = SMALL.assign(label="x")
    assert confusion_hotspots(agreed) == []
    assert confusion_hotspots(SMALL.drop_duplicates("item")) == []
    assert confusion_hotspots(SMALL.iloc[:0]) == []
    assert confusion_hotspots(prepare(SMALL), top=1)[0].label_b == "y"


def team_with_a_random_member(seed=0, with_gold=True):
    frame = annotations(400, 0.9, seed=seed, annotators=8, per_item=4)
    rng = np.random.default_rng(seed)
    bad = frame["annotator"] == "a5"
    frame.loc[bad, "label"] = [f"L{k}" for k in rng.integers(0, 4, bad.sum())]
    if with_gold:
        truth = frame.groupby("item")["label"].agg(lambda s: s.mode().iloc[0])
        gold = pd.DataFrame(
            {"item": truth.index, "annotator": "gold", "label": truth.to_numpy(), "gold": True}
        )
        frame = pd.concat([frame.assign(gold=False), gold], ignore_index=True)
    return frame


def test_an_annotator_answering_at_random_is_an_outlier_with_the_reason():
    figures = {f.annotator: f for f in annotator_outliers(team_with_a_random_member())}
    bad = figures["a5"]
    assert bad.outlier
    assert "agreement with the others" in bad.reason and "gold accuracy" in bad.reason
    assert "below the median" in bad.reason
    assert [a for a, f in figures.items() if f.outlier] == ["a5"]
    assert all(f.reason is None for a, f in figures.items() if a != "a5")
    assert bad.n > 0 and bad.n_gold_items > 0 and bad.gold_accuracy < 0.5
    json.dumps([f.to_dict() for f in figures.values()], allow_nan=False)


def test_without_gold_only_agreement_is_judged():
    figures = {
        f.annotator: f for f in annotator_outliers(team_with_a_random_member(with_gold=False))
    }
    assert figures["a5"].outlier and "gold" not in figures["a5"].reason
    assert figures["a1"].gold_accuracy is None


def test_a_team_that_agrees_perfectly_has_no_outliers():
    frame = annotations(200, 1.0, seed=2, annotators=6)
    assert not any(f.outlier for f in annotator_outliers(frame))


def test_too_few_annotators_or_items_are_not_judged_and_say_so():
    pair = annotations(100, 0.5, annotators=2, per_item=2)
    figures = annotator_outliers(pair)
    assert not any(f.outlier for f in figures)
    assert all(f.reason.startswith("not judged") for f in figures)
    few = annotator_outliers(team_with_a_random_member(with_gold=False), min_items=10_000)
    assert not any(f.outlier for f in few)


def test_no_annotations_give_no_figures():
    assert annotator_outliers(SMALL.iloc[:0]) == []
