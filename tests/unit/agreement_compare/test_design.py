"""Resampling and permutation designs: what each draw keeps fixed."""

import numpy as np
import pytest

from guidelines_app.domain.agreement import compare_design
from guidelines_app.domain.agreement.compare_design import (
    PAIRED,
    PARTLY_PAIRED,
    UNPAIRED,
    bootstrap_sums,
    build_design,
    permutation_sums,
    shared_positions,
)
from guidelines_app.domain.agreement.compare_stats import Layout, item_features
from guidelines_app.domain.agreement.ratings import prepare
from tests.unit.agreement_compare.factories import annotations, relabelled

CATS = ["L0", "L1", "L2", "L3"]


def design_of(before, after):
    rb, ra = prepare(before, categories=CATS), prepare(after, categories=CATS)
    sb, sa = shared_positions(rb.item_ids, ra.item_ids)
    features = lambda rows: item_features(rows, rb.values, "nominal")  # noqa: E731
    return build_design(rb.counts, ra.counts, sb, sa, features), rb, ra


@pytest.fixture(params=[False, True], ids=["per-profile", "per-item"])
def draw_path(request, monkeypatch):
    monkeypatch.setattr(compare_design, "_per_item", lambda design: request.param)
    return request.param


def test_same_items_make_a_paired_design():
    before = annotations(50, 0.6)
    design, _, _ = design_of(before, relabelled(before, 0.8))
    assert design.kind == PAIRED
    assert design.n_shared == 50 and design.n_only_before == design.n_only_after == 0


def test_disjoint_items_make_an_unpaired_design():
    design, _, _ = design_of(annotations(30, 0.6), annotations(40, 0.6, first_item=100))
    assert design.kind == UNPAIRED
    assert (design.n_shared, design.n_only_before, design.n_only_after) == (0, 30, 40)


def test_overlapping_items_make_a_partly_paired_design():
    design, _, _ = design_of(annotations(30, 0.6), annotations(40, 0.6, first_item=20))
    assert design.kind == PARTLY_PAIRED
    assert (design.n_shared, design.n_only_before, design.n_only_after) == (10, 20, 30)


def test_point_sums_are_each_sides_own_sums():
    design, rb, ra = design_of(annotations(30, 0.6), annotations(40, 0.6, first_item=20))
    before, after = design.point_sums()
    for sums, ratings in ((before, rb), (after, ra)):
        own = item_features(ratings.counts, ratings.values, "nominal").sum(axis=0)
        np.testing.assert_allclose(sums, own, atol=1e-9)


def test_permutations_keep_the_pooled_sums(draw_path):
    design, _, _ = design_of(annotations(30, 0.5), annotations(40, 0.9, first_item=20))
    before, after = permutation_sums(design, 50, seed=1)
    total = sum(design.point_sums())
    np.testing.assert_allclose(before + after, np.tile(total, (50, 1)), atol=1e-8)
    assert not np.allclose(before, before[0])  # the permutations do move items


def test_unpaired_permutations_keep_each_sides_number_of_items(draw_path):
    design, _, _ = design_of(annotations(30, 0.5), annotations(45, 0.9, first_item=100))
    before, after = permutation_sums(design, 40, seed=2)
    rated = Layout(4, "nominal").RATED
    assert (before[:, rated] == 30).all() and (after[:, rated] == 45).all()


def test_paired_bootstrap_draws_both_sets_of_an_item_together(draw_path):
    before = annotations(60, 0.6)
    design, _, _ = design_of(before, before.copy())
    boot_before, boot_after = bootstrap_sums(design, 30, seed=3)
    np.testing.assert_allclose(boot_before, boot_after)
    assert (boot_before[:, Layout(4, "nominal").RATED] == 60).all()


def test_paired_swaps_of_identical_sides_change_nothing(draw_path):
    before = annotations(60, 0.6)
    design, _, _ = design_of(before, before.copy())
    perm_before, perm_after = permutation_sums(design, 30, seed=3)
    np.testing.assert_allclose(perm_before, perm_after)


def test_both_draw_paths_resample_with_the_same_mean(monkeypatch):
    before = annotations(200, 0.6, seed=5)
    design, _, _ = design_of(before, relabelled(before, 0.7))
    means = []
    for per_item in (False, True):
        monkeypatch.setattr(compare_design, "_per_item", lambda d, p=per_item: p)
        boot_before, _ = bootstrap_sums(design, 400, seed=4)
        perm_before, _ = permutation_sums(design, 400, seed=4)
        means.append((boot_before.mean(axis=0), perm_before.mean(axis=0)))
    point_before, point_after = design.point_sums()
    for boot_mean, perm_mean in means:
        np.testing.assert_allclose(boot_mean, point_before, rtol=0.02, atol=0.5)
        np.testing.assert_allclose(perm_mean, (point_before + point_after) / 2, rtol=0.02, atol=0.5)


def test_an_empty_side_gives_zero_sums():
    design, _, _ = design_of(annotations(20, 0.6).iloc[:0], annotations(20, 0.6))
    before, after = bootstrap_sums(design, 5, seed=0)
    assert (before == 0).all() and (after[:, Layout(4, "nominal").RATED] == 20).all()
    perm_before, _ = permutation_sums(design, 5, seed=0)
    assert (perm_before == 0).all()
