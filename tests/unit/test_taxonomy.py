"""Reading and writing taxonomy YAML, including hostile input."""

from __future__ import annotations

import pytest

from guidelines_app.domain.errors import InvalidInput, TooLarge
from guidelines_app.domain.taxonomy import (
    Label,
    Taxonomy,
    parse_and_validate,
    parse_taxonomy,
    to_yaml,
)

SENTIMENT = """\
name: Review sentiment
description: Overall sentiment a review expresses about the product.
kind: single-choice
labels:
  - id: positive
    name: Positive
    description: The reviewer is satisfied overall.
    examples: ["Works great, would buy again."]
    counter_examples: ["Great packaging, but it broke in a day."]
    synonyms: [pos, good]
    color: "#2e7d32"
    hint: Overall satisfied.
    children:
      - id: positive.delighted
        name: Delighted
  - id: neutral
    name: Neutral
  - id: mixed
    name: Mixed
    deprecated: true
    replaced_by: neutral
"""


def big_taxonomy_yaml(count: int) -> str:
    lines = ["name: Big", "kind: multi-choice", "labels:"]
    for i in range(count // 10):
        lines += [f"  - id: group-{i}", f"    name: Group {i}", "    children:"]
        for j in range(9):
            lines += [f"      - id: leaf-{i}-{j}", f"        name: Leaf {j}"]
    return "\n".join(lines) + "\n"


def test_parse_reads_every_field_of_a_label():
    taxonomy = parse_taxonomy(SENTIMENT)
    positive = taxonomy.labels[0]
    assert taxonomy.name == "Review sentiment"
    assert taxonomy.kind == "single-choice"
    assert positive.examples == ("Works great, would buy again.",)
    assert positive.counter_examples == ("Great packaging, but it broke in a day.",)
    assert positive.synonyms == ("pos", "good")
    assert positive.color == "#2e7d32"
    assert positive.hint == "Overall satisfied."
    assert positive.children[0].id == "positive.delighted"


def test_a_single_replaced_by_string_is_read_as_a_one_element_list():
    assert parse_taxonomy(SENTIMENT).by_id()["mixed"].replaced_by == ("neutral",)


def test_each_label_remembers_its_yaml_line():
    lines = {label.id: label.line for label in parse_taxonomy(SENTIMENT).by_id().values()}
    assert lines == {"positive": 5, "positive.delighted": 14, "neutral": 16, "mixed": 18}


def test_yaml_words_like_no_and_numbers_stay_text_in_ids_and_names():
    taxonomy = parse_taxonomy("name: T\nlabels:\n  - id: no\n    name: 2020\n")
    assert (taxonomy.labels[0].id, taxonomy.labels[0].name) == ("no", "2020")


def test_iter_labels_walks_depth_first_with_parent_and_path():
    walk = [(e.label.id, e.parent_id, e.path) for e in parse_taxonomy(SENTIMENT).iter_labels()]
    assert walk == [
        ("positive", None, "labels[0]"),
        ("positive.delighted", "positive", "labels[0].children[0]"),
        ("neutral", None, "labels[1]"),
        ("mixed", None, "labels[2]"),
    ]


def test_active_and_leaf_labels():
    taxonomy = parse_taxonomy(SENTIMENT)
    assert [label.id for label in taxonomy.active_labels()] == [
        "positive",
        "positive.delighted",
        "neutral",
    ]
    assert [label.id for label in taxonomy.leaf_labels()] == [
        "positive.delighted",
        "neutral",
        "mixed",
    ]


def test_to_yaml_round_trips_exactly():
    taxonomy = parse_taxonomy(SENTIMENT)
    assert parse_taxonomy(to_yaml(taxonomy)) == taxonomy


def test_to_yaml_round_trips_awkward_text_and_ordinal_values():
    taxonomy = Taxonomy(
        name="Stars: 'quoted' #hash",
        kind="ordinal",
        description="line one\nline two\n",
        labels=(
            Label(id="low", name="yes", value=-1.5, description="  leading spaces"),
            Label(id="high", name="null", value=3, examples=("a: b", "- dash", "")),
        ),
    )
    assert parse_taxonomy(to_yaml(taxonomy)) == taxonomy


def test_to_yaml_is_stable_and_leaves_empty_fields_out():
    text = to_yaml(parse_taxonomy(SENTIMENT))
    assert to_yaml(parse_taxonomy(text)) == text
    assert "value:" not in text
    assert "synonyms: [pos, good]" in text
    assert "replaced_by: [neutral]" in text


def test_a_document_that_is_not_a_mapping_is_refused():
    with pytest.raises(InvalidInput, match="must be a mapping"):
        parse_taxonomy("- just\n- a list\n")


def test_an_empty_document_is_refused():
    with pytest.raises(InvalidInput, match="must be a mapping"):
        parse_taxonomy("")


def test_a_billion_laughs_alias_bomb_is_refused():
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        bomb.append(f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [{','.join(['*' + prev] * 9)}]")
    bomb.append("name: x\nlabels: []")
    with pytest.raises(InvalidInput, match="aliases"):
        parse_taxonomy("\n".join(bomb))


def test_an_alias_between_labels_is_refused_with_its_line():
    text = "name: T\nlabels:\n  - &x {id: a, name: A}\n  - *x\n"
    with pytest.raises(InvalidInput) as caught:
        parse_taxonomy(text)
    assert caught.value.problems[0].line == 4


def test_tabs_in_indentation_are_refused_with_the_line():
    text = "name: T\nlabels:\n  - id: a\n\tname: A\n"
    with pytest.raises(InvalidInput, match="tab") as caught:
        parse_taxonomy(text)
    assert caught.value.problems[0].line == 4


def test_text_over_ten_megabytes_is_too_large():
    text = "name: T\nlabels: []\ndescription: " + "x" * (10 * 1024 * 1024)
    with pytest.raises(TooLarge):
        parse_taxonomy(text)


def test_syntax_errors_cite_the_line():
    with pytest.raises(InvalidInput, match="not valid YAML") as caught:
        parse_taxonomy("name: T\nlabels:\n  - id: [unclosed\n")
    assert caught.value.problems[0].line is not None


def test_deep_nesting_is_refused_not_crashing():
    opening = "".join(f"[{{id: l{i}, name: L, children: " for i in range(3000))
    text = "name: T\nlabels: " + opening + "[]" + "}]" * 3000 + "\n"
    with pytest.raises(InvalidInput, match="nested too deeply"):
        parse_taxonomy(text)


def test_unknown_keys_wrong_types_and_missing_keys_are_all_reported():
    text = (
        "name: T\ncolour: red\nlabels:\n"
        "  - id: a\n    nmae: A\n"
        "  - id: b\n    name: B\n    deprecated: maybe\n    examples: {x: 1}\n"
    )
    with pytest.raises(InvalidInput) as caught:
        parse_taxonomy(text)
    paths = {p.path for p in caught.value.problems}
    assert {
        "colour",
        "labels[0].nmae",
        "labels[0].name",
        "labels[1].deprecated",
        "labels[1].examples",
    } <= paths


def test_an_unquoted_colour_is_reported_not_silently_dropped():
    with pytest.raises(InvalidInput, match="quote it"):
        parse_taxonomy("name: T\nlabels:\n  - id: a\n    name: A\n    color: #2e7d32\n")


def test_parse_and_validate_reports_shape_and_rule_problems_together():
    text = "name: T\nlabels:\n  - id: Bad Id\n    name: A\n    extra: 1\n"
    with pytest.raises(InvalidInput) as caught:
        parse_and_validate(text)
    lines = {p.path: p.line for p in caught.value.problems}
    assert lines["labels[0].id"] == 3
    assert lines["labels[0].extra"] == 5


def test_ten_thousand_labels_parse_and_validate():
    text = big_taxonomy_yaml(10_000)
    taxonomy = parse_and_validate(text)
    assert len(taxonomy.by_id()) == 10_000
