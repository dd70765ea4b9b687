"""Edit operations: each returns a new valid taxonomy or refuses with a problem."""

from __future__ import annotations

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.taxonomy import (
    Label,
    Taxonomy,
    add_label,
    deprecate_label,
    merge_labels,
    migration_map,
    move_label,
    rename_label,
    semantic_diff,
    split_label,
)

BASE = Taxonomy(
    name="Topics",
    labels=(
        Label("sport", "Sport", children=(Label("football", "Football"),)),
        Label("politics", "Politics"),
        Label("economy", "Economy"),
    ),
)


def shape(t: Taxonomy) -> list[tuple[str, str | None]]:
    return [(e.label.id, e.parent_id) for e in t.iter_labels()]


def test_add_label_appends_under_the_parent():
    t = add_label(BASE, "sport", "tennis", "Tennis", "Racket sport")
    assert shape(t)[:3] == [("sport", None), ("football", "sport"), ("tennis", "sport")]
    assert t.by_id()["tennis"].description == "Racket sport"
    assert BASE.by_id().get("tennis") is None


def test_add_label_refuses_a_used_id_an_unknown_parent_and_a_bad_id():
    with pytest.raises(InvalidInput, match="already used"):
        add_label(BASE, None, "sport", "Again")
    with pytest.raises(InvalidInput, match="no label"):
        add_label(BASE, "ghost", "x", "X")
    with pytest.raises(InvalidInput, match="invalid id"):
        add_label(BASE, None, "a b", "A B")


def test_add_label_refuses_a_sibling_name_clash():
    with pytest.raises(InvalidInput, match="clashes"):
        add_label(BASE, None, "sport2", "SPORT")


def test_rename_label_keeps_the_id():
    t = rename_label(BASE, "politics", "Politics & government")
    assert t.by_id()["politics"].name == "Politics & government"
    assert [r.id for r in semantic_diff(BASE, t).renamed] == ["politics"]


def test_move_label_changes_the_parent():
    t = move_label(BASE, "economy", "politics")
    assert ("economy", "politics") in shape(t)
    assert [m.id for m in semantic_diff(BASE, t).moved] == ["economy"]


def test_move_label_to_the_top_level():
    assert ("football", None) in shape(move_label(BASE, "football", None))


def test_move_label_under_its_own_descendant_is_refused():
    with pytest.raises(InvalidInput, match="descendants"):
        move_label(BASE, "sport", "football")
    with pytest.raises(InvalidInput, match="descendants"):
        move_label(BASE, "sport", "sport")


def test_deprecate_label_with_replacement():
    t = deprecate_label(BASE, "economy", ["politics"])
    assert t.by_id()["economy"].deprecated
    assert migration_map(BASE, t).apply("economy") == ["politics"]


def test_deprecate_label_refuses_unknown_replacement_and_active_children():
    with pytest.raises(InvalidInput, match="no label"):
        deprecate_label(BASE, "economy", ["ghost"])
    with pytest.raises(InvalidInput, match="active children"):
        deprecate_label(BASE, "sport")


def test_merge_into_a_new_label_creates_it_beside_the_first_source():
    t = merge_labels(BASE, ["politics", "economy"], "public-affairs", "Public affairs")
    assert [label.id for label in t.labels] == ["sport", "politics", "public-affairs", "economy"]
    diff = semantic_diff(BASE, t)
    assert [(m.sources, m.into) for m in diff.merged] == [
        (("politics", "economy"), "public-affairs")
    ]


def test_merge_into_an_existing_label():
    t = merge_labels(BASE, ["politics", "economy"], "economy")
    assert t.by_id()["politics"].replaced_by == ("economy",)
    assert not t.by_id()["economy"].deprecated


def test_merge_refuses_fewer_than_two_sources_and_a_nameless_new_label():
    with pytest.raises(InvalidInput, match="at least two"):
        merge_labels(BASE, ["politics", "politics"], "economy")
    with pytest.raises(InvalidInput, match="give it a name"):
        merge_labels(BASE, ["politics", "economy"], "new")


def test_split_places_the_parts_after_the_label_and_deprecates_it():
    t = split_label(BASE, "politics", [("domestic", "Domestic"), ("foreign", "Foreign")])
    assert [label.id for label in t.labels] == [
        "sport",
        "politics",
        "domestic",
        "foreign",
        "economy",
    ]
    assert t.by_id()["politics"].replaced_by == ("domestic", "foreign")
    mapping = migration_map(BASE, t)
    assert mapping.entries["politics"].needs_relabel


def test_split_of_a_nested_label_keeps_the_parts_under_its_parent():
    t = split_label(BASE, "football", [("soccer", "Soccer"), ("american", "American football")])
    assert ("soccer", "sport") in shape(t)


def test_split_refuses_a_single_part_and_used_ids():
    with pytest.raises(InvalidInput, match="at least two"):
        split_label(BASE, "politics", [("domestic", "Domestic")])
    with pytest.raises(InvalidInput, match="already used"):
        split_label(BASE, "politics", [("economy", "E"), ("x", "X")])
