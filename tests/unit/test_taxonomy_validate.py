"""Every taxonomy rule, each found with a path and a line, all at once."""

from __future__ import annotations

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.taxonomy import Label, Taxonomy, parse_and_validate, validate


def taxonomy(*labels: Label, kind: str = "single-choice") -> Taxonomy:
    return Taxonomy(name="T", kind=kind, labels=labels)


def messages(t: Taxonomy, **kwargs) -> dict[str, str]:
    return {p.path: p.message for p in validate(t, **kwargs)}


def test_a_sound_taxonomy_has_no_problems():
    t = taxonomy(
        Label("a", "A", color="#abc", children=(Label("a.1", "A one", color="#a0b1c2"),)),
        Label("b", "B", deprecated=True, replaced_by=("a",)),
    )
    assert validate(t) == []


def test_duplicate_ids_are_reported_anywhere_in_the_tree():
    t = taxonomy(Label("a", "A", children=(Label("b", "B"),)), Label("b", "Other B"))
    assert "duplicate id 'b'" in messages(t)["labels[1].id"]


@pytest.mark.parametrize("bad_id", ["a/b", "with space", "Upper", "-lead", "", "é", "x" * 101])
def test_invalid_ids_are_reported(bad_id):
    assert "labels[0].id" in messages(taxonomy(Label(bad_id, "A")))


def test_replaced_by_itself_is_reported():
    t = taxonomy(Label("a", "A", deprecated=True, replaced_by=("a",)))
    assert "itself" in messages(t)["labels[0].replaced_by"]


def test_a_replacement_cycle_through_three_labels_is_reported_once_with_the_chain():
    t = taxonomy(
        Label("a", "A", deprecated=True, replaced_by=("b",)),
        Label("b", "B", deprecated=True, replaced_by=("c",)),
        Label("c", "C", deprecated=True, replaced_by=("a",)),
    )
    cycles = [p for p in validate(t) if "cycle" in p.message]
    assert len(cycles) == 1
    assert "a -> b -> c -> a" in cycles[0].message


def test_dangling_replacement_and_replacement_of_an_active_label_are_reported():
    t = taxonomy(Label("a", "A", deprecated=True, replaced_by=("ghost",)), Label("b", "B"))
    t2 = taxonomy(Label("a", "A", replaced_by=("b",)), Label("b", "B"))
    assert "unknown label 'ghost'" in messages(t)["labels[0].replaced_by"]
    assert "only a deprecated label" in messages(t2)["labels[0].replaced_by"]


def test_sibling_names_that_match_after_nfkc_case_folding_clash():
    t = taxonomy(Label("a", "Straße"), Label("b", "STRASSE"), Label("c", "ﬁle"), Label("d", "FILE"))
    found = messages(t)
    assert "clashes" in found["labels[1].name"]
    assert "clashes" in found["labels[3].name"]


def test_the_same_name_under_different_parents_is_fine():
    t = taxonomy(
        Label("a", "A", children=(Label("a.other", "Other"),)),
        Label("b", "B", children=(Label("b.other", "Other"),)),
    )
    assert validate(t) == []


def test_empty_names_and_multi_line_names_are_reported():
    found = messages(taxonomy(Label("a", "  "), Label("b", "two\nlines")))
    assert "needs a name" in found["labels[0].name"]
    assert "one line" in found["labels[1].name"]


@pytest.mark.parametrize("colour", ["red", "#12", "#gggggg", "2e7d32", "#2e7d32ff"])
def test_invalid_colours_are_reported(colour):
    assert "labels[0].color" in messages(taxonomy(Label("a", "A", color=colour)))


def test_ordinal_values_must_be_present_and_strictly_monotonic():
    missing = taxonomy(Label("a", "A", value=1), Label("b", "B"), kind="ordinal")
    zigzag = taxonomy(
        Label("a", "A", value=1), Label("b", "B", value=3), Label("c", "C", value=2), kind="ordinal"
    )
    flat = taxonomy(Label("a", "A", value=1), Label("b", "B", value=1), kind="ordinal")
    falling = taxonomy(Label("a", "A", value=5), Label("b", "B", value=-1), kind="ordinal")
    assert "needs a value" in messages(missing)["labels[1].value"]
    assert "strictly increase" in messages(zigzag)["labels[2].value"]
    assert "labels[1].value" in messages(flat)
    assert validate(falling) == []


def test_values_outside_an_ordinal_taxonomy_are_reported():
    assert (
        "only labels of an ordinal"
        in messages(taxonomy(Label("a", "A", value=1)))["labels[0].value"]
    )


def test_labels_nested_beyond_the_depth_limit_are_reported_once():
    label = Label("l40", "L")
    for i in range(39, -1, -1):
        label = Label(f"l{i}", "L", children=(label,))
    problems = [p for p in validate(taxonomy(label)) if "levels deep" in p.message]
    assert len(problems) == 1
    assert problems[0].path.count("children[0]") == 32  # 32 ancestors: level 33


def test_unknown_kind_is_reported():
    assert "unknown kind" in messages(taxonomy(Label("a", "A"), kind="tree"))["kind"]


def test_control_characters_are_reported_naming_the_format():
    found = messages(taxonomy(Label("a", "A", description="bell\x07", examples=("ok", "nul\x00"))))
    assert "Label Studio XML" in found["labels[0].description"]
    assert "U+0000" in found["labels[0].examples[1]"]


def test_a_deprecated_parent_cannot_keep_active_children():
    t = taxonomy(Label("a", "A", deprecated=True, children=(Label("a.1", "A1"),)))
    assert "labels[0].deprecated" in messages(t)


def test_an_id_removed_earlier_may_not_come_back_even_under_its_old_name():
    t = taxonomy(Label("a", "A"), Label("old", "Old"))
    found = messages(t, previous_ids={"a": "A", "old": "Old"}, previous_revision_ids={"a"})
    assert "never reused" in found["labels[1].id"]


def test_a_rename_of_an_id_in_the_previous_revision_is_allowed():
    t = taxonomy(Label("a", "Renamed"))
    assert validate(t, previous_ids={"a": "A"}, previous_revision_ids={"a"}) == []


def test_without_the_previous_revision_a_known_id_must_keep_its_name():
    assert (
        "keeps its meaning"
        in messages(taxonomy(Label("a", "B")), previous_ids={"a": "A"})["labels[0].id"]
    )
    assert validate(taxonomy(Label("a", "a ")), previous_ids={"a": "A"}) == []


def test_parse_and_validate_raises_every_problem_with_lines():
    text = (
        "name: T\nlabels:\n"
        "  - id: a/b\n    name: A\n"
        "  - id: c\n    name: C\n    deprecated: true\n    replaced_by: [c]\n"
        "  - id: d\n    name: D\n    color: red\n"
    )
    with pytest.raises(InvalidInput) as caught:
        parse_and_validate(text)
    lines = {p.path: p.line for p in caught.value.problems}
    assert lines == {"labels[0].id": 3, "labels[1].replaced_by": 5, "labels[2].color": 9}


def test_ten_thousand_labels_validate_without_problems():
    labels = tuple(
        Label(
            f"g{i}",
            f"Group {i}",
            children=tuple(Label(f"g{i}.{j}", f"Leaf {j}", color="#123456") for j in range(9)),
        )
        for i in range(1000)
    )
    big = taxonomy(*labels, Label("old", "Old", deprecated=True, replaced_by=("g1",)))
    problems = validate(big, previous_ids={"g1": "Group 1"}, previous_revision_ids={"g1"})
    assert problems == []
