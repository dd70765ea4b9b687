"""Semantic diff between taxonomy revisions, and the migration map it implies."""

from __future__ import annotations

import json

from guidelines_app.domain.taxonomy import (
    Label,
    Taxonomy,
    migration_map,
    semantic_diff,
    word_diff,
)

OLD = Taxonomy(
    name="Sentiment",
    labels=(
        Label("pos", "Positive", description="The reviewer is happy.", examples=("Great",)),
        Label("neg", "Negative", children=(Label("angry", "Angry"),)),
        Label("meh", "Meh"),
        Label("so-so", "So-so"),
        Label("other", "Other"),
        Label("gone", "Gone"),
        Label("irony", "Irony"),
    ),
)
NEW = Taxonomy(
    name="Sentiment",
    description="Now with a description.",
    labels=(
        Label(
            "pos",
            "Positive",
            description="The reviewer is satisfied.",
            examples=("Great", "Love it"),
            color="#00ff00",
        ),
        Label("neg", "Negative (any)"),
        Label("angry", "Angry"),
        Label("meh", "Meh", deprecated=True, replaced_by=("neutral",)),
        Label("so-so", "So-so", deprecated=True, replaced_by=("neutral",)),
        Label("neutral", "Neutral"),
        Label("other", "Other", deprecated=True, replaced_by=("off-topic", "spam")),
        Label("off-topic", "Off topic"),
        Label("spam", "Spam", deprecated=True, replaced_by=("junk",)),
        Label("junk", "Junk"),
        Label("irony", "Irony", deprecated=True),
    ),
)


def test_added_and_removed_are_matched_by_id():
    diff = semantic_diff(OLD, NEW)
    assert [a.id for a in diff.added] == ["neutral", "off-topic", "spam", "junk"]
    assert [r.id for r in diff.removed] == ["gone"]


def test_a_new_name_on_the_same_id_is_a_rename():
    [rename] = semantic_diff(OLD, NEW).renamed
    assert (rename.id, rename.old_name, rename.new_name) == ("neg", "Negative", "Negative (any)")


def test_a_new_parent_is_a_move():
    [move] = semantic_diff(OLD, NEW).moved
    assert (move.id, move.old_parent, move.new_parent) == ("angry", "neg", None)


def test_a_changed_description_is_a_redefinition_with_a_word_diff():
    [redefinition] = semantic_diff(OLD, NEW).redefined
    changes = {c.field: c for c in redefinition.changes}
    assert redefinition.id == "pos"
    assert ("delete", "happy.") in changes["description"].words
    assert ("insert", "satisfied.") in changes["description"].words
    assert changes["examples"].added == ("Love it",)


def test_colour_changes_are_restyling_not_redefinition():
    [restyle] = semantic_diff(OLD, NEW).restyled
    assert (restyle.id, restyle.changes[0].field) == ("pos", "color")


def test_two_labels_deprecated_into_one_are_a_merge():
    diff = semantic_diff(OLD, NEW)
    assert [(m.sources, m.into) for m in diff.merged] == [(("meh", "so-so"), "neutral")]


def test_one_label_deprecated_into_another_is_a_deprecation_not_a_merge():
    old = Taxonomy(name="T", labels=(Label("a", "A"), Label("b", "B")))
    new = Taxonomy(
        name="T", labels=(Label("a", "A", deprecated=True, replaced_by=("b",)), old.labels[1])
    )
    diff = semantic_diff(old, new)
    assert diff.merged == ()
    assert [(d.id, d.replaced_by) for d in diff.deprecated] == [("a", ("b",))]


def test_one_label_deprecated_into_several_is_a_split():
    diff = semantic_diff(OLD, NEW)
    assert [(s.source, s.into) for s in diff.split] == [("other", ("off-topic", "spam"))]


def test_deprecations_list_every_newly_deprecated_label():
    deprecated = {d.id: d.replaced_by for d in semantic_diff(OLD, NEW).deprecated}
    assert deprecated == {
        "meh": ("neutral",),
        "so-so": ("neutral",),
        "other": ("off-topic", "spam"),
        "irony": (),
    }


def test_taxonomy_level_changes_are_reported_as_meta():
    [meta] = semantic_diff(OLD, NEW).meta
    assert (meta.field, meta.new) == ("description", "Now with a description.")


def test_no_change_is_an_empty_diff():
    assert semantic_diff(OLD, OLD).is_empty
    assert not semantic_diff(OLD, NEW).is_empty


def test_diff_to_dict_is_json_safe():
    data = json.loads(json.dumps(semantic_diff(OLD, NEW).to_dict()))
    assert data["merged"] == [{"sources": ["meh", "so-so"], "into": "neutral"}]
    assert data["renamed"][0]["new_name"] == "Negative (any)"


def test_word_diff_keeps_whitespace_so_joining_rebuilds_both_texts():
    ops = word_diff("the cat  sat on", "the dog  sat\non")
    assert "".join(t for op, t in ops if op != "insert") == "the cat  sat on"
    assert "".join(t for op, t in ops if op != "delete") == "the dog  sat\non"


def test_migration_map_keeps_unchanged_renamed_and_moved_labels():
    mapping = migration_map(OLD, NEW)
    assert mapping.apply("pos") == ["pos"]
    assert mapping.apply("neg") == ["neg"]
    assert mapping.apply("angry") == ["angry"]
    assert mapping.entries["angry"].status == "unchanged"


def test_migration_map_sends_merged_labels_to_their_replacement():
    mapping = migration_map(semantic_diff(OLD, NEW))
    assert mapping.apply("meh") == ["neutral"]
    assert mapping.entries["so-so"].status == "replaced"


def test_migration_map_marks_splits_for_relabelling_and_follows_chains():
    mapping = migration_map(OLD, NEW)
    assert mapping.apply("other") == ["off-topic", "junk"]
    assert mapping.entries["other"].needs_relabel
    assert mapping.needs_relabel() == ["other"]


def test_migration_map_marks_removed_and_unreplaced_labels_unmapped():
    mapping = migration_map(OLD, NEW)
    assert mapping.apply("gone") == []
    assert mapping.apply("irony") == []
    assert sorted(mapping.unmapped()) == ["gone", "irony"]


def test_migration_map_follows_a_chain_a_to_b_to_c():
    old = Taxonomy(name="T", labels=(Label("a", "A"),))
    new = Taxonomy(
        name="T",
        labels=(
            Label("a", "A", deprecated=True, replaced_by=("b",)),
            Label("b", "B", deprecated=True, replaced_by=("c",)),
            Label("c", "C"),
        ),
    )
    assert migration_map(old, new).apply("a") == ["c"]


def test_migration_map_survives_a_cycle_by_leaving_it_unmapped():
    old = Taxonomy(name="T", labels=(Label("a", "A"),))
    new = Taxonomy(
        name="T",
        labels=(
            Label("a", "A", deprecated=True, replaced_by=("b",)),
            Label("b", "B", deprecated=True, replaced_by=("a",)),
        ),
    )
    assert migration_map(old, new).entries["a"].status == "unmapped"


def test_migration_map_to_dict_is_json_safe():
    data = json.loads(json.dumps(migration_map(OLD, NEW).to_dict()))
    assert data["other"] == {
        "new_ids": ["off-topic", "junk"],
        "status": "split",
        "needs_relabel": True,
    }
