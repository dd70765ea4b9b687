"""Bringing an earlier release's annotations into the later label space."""

import pandas as pd
import pytest

from guidelines_app.domain.agreement.compare import compare_releases
from guidelines_app.domain.agreement.label_space import map_labels
from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.taxonomy_migration import MigrationEntry, MigrationMap
from tests.unit.agreement_compare.factories import annotations

FRAME = pd.DataFrame(
    {
        "item": [1, 1, 2, 2, 3, 3, 4],
        "annotator": ["a", "b", "a", "b", "a", "b", "a"],
        "label": ["cat", "kitten", "dog", "dog", "bird", "cat", None],
    }
)
MAPPING = {"cat": ["feline"], "kitten": ["feline"], "dog": ["dog"], "bird": ["sparrow", "crow"]}


def test_merged_and_renamed_labels_move_over_and_are_counted():
    mapped, report = map_labels(FRAME, MAPPING)
    assert mapped["label"].dropna().tolist() == ["feline", "feline", "dog", "dog", "feline"]
    assert report.moved == {"cat": ("feline", 2), "kitten": ("feline", 1)}
    assert report.kept == 5 and report.n_annotations == 6


def test_a_label_split_into_several_needs_relabelling_and_is_dropped():
    mapped, report = map_labels(FRAME, MAPPING)
    assert "bird" not in set(mapped["label"])
    assert report.needs_relabel == {"bird": 1} and report.dropped == 1


def test_unmapped_labels_are_dropped_and_counted():
    mapped, report = map_labels(FRAME, {"dog": ["dog"]})
    assert mapped["label"].dropna().tolist() == ["dog", "dog"]
    assert report.unmapped == {"cat": 2, "kitten": 1, "bird": 1}
    assert report.dropped == 4


def test_rows_without_a_label_stay_as_they_are():
    mapped, _ = map_labels(FRAME, MAPPING)
    assert mapped["label"].isna().sum() == 1


def test_a_callable_and_a_migration_map_work_like_a_mapping():
    migration = MigrationMap(
        entries={
            "cat": MigrationEntry("cat", ("feline",), "replaced"),
            "kitten": MigrationEntry("kitten", ("feline",), "replaced"),
            "bird": MigrationEntry("bird", ("sparrow", "crow"), "split"),
        },
        active_ids=frozenset({"dog", "feline", "sparrow", "crow"}),
    )
    expected, expected_report = map_labels(FRAME, MAPPING)
    for mapping in (migration, migration.apply, lambda label: MAPPING.get(label, [])):
        mapped, report = map_labels(FRAME, mapping)
        pd.testing.assert_frame_equal(mapped, expected)
        assert report == expected_report


def test_the_report_is_json_ready_and_gives_a_notice():
    _, report = map_labels(FRAME, MAPPING)
    data = report.to_dict()
    assert data["dropped"] == 1 and data["moved"]["cat"] == {"to": "feline", "annotations": 2}
    notice = report.notice()
    assert notice.code == "label_space_mapped" and "1 need relabelling (bird)" in notice.message
    assert notice.applies_to == ("bird",)


def test_a_comparison_after_mapping_uses_the_later_labels_and_says_so():
    before = annotations(60, 0.6).replace({"label": {"L0": "old0"}})
    after = annotations(60, 0.6, first_item=100)
    mapped, report = map_labels(
        before, {"old0": ["L0"], "L1": ["L1"], "L2": ["L2"], "L3": ["L3", "L4"]}
    )
    result = compare_releases(mapped, after, n_boot=50, n_perm=50, mapping_report=report)
    assert "old0" not in result.settings["categories"]
    assert "label_space_mapped" in {n.code for n in result.notices}


def test_the_label_column_is_required():
    with pytest.raises(InvalidInput):
        map_labels(FRAME.drop(columns="label"), MAPPING)
