"""Labelbox ontology JSON: export shape and round trip."""

from __future__ import annotations

import json

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats import export_labelbox, import_labelbox
from guidelines_app.domain.taxonomy import Label, Taxonomy

TREE = Taxonomy(
    name="Topics",
    kind="multi-choice",
    labels=(
        Label(
            "sport",
            "Sport",
            children=(Label("football", "Football"), Label("tennis", "Tennis")),
        ),
        Label("politics", "Politics"),
        Label("old", "Old", deprecated=True),
    ),
)


def test_choices_export_as_one_classification_with_label_and_value_options():
    data = json.loads(export_labelbox(TREE))
    [classification] = data["classifications"]
    assert data["tools"] == []
    assert classification["type"] == "checklist"
    assert classification["name"] == "Topics"
    assert [(o["label"], o["value"]) for o in classification["options"]] == [
        ("Sport", "sport"),
        ("Politics", "politics"),
    ]
    nested = classification["options"][0]["options"][0]
    assert nested["type"] == "checklist"
    assert [o["value"] for o in nested["options"]] == ["football", "tennis"]


def test_single_choice_exports_a_radio():
    single = Taxonomy(name="S", kind="single-choice", labels=(Label("a", "A"),))
    assert json.loads(export_labelbox(single))["classifications"][0]["type"] == "radio"


def test_round_trip_keeps_name_ids_names_hierarchy_and_kind():
    back = import_labelbox(export_labelbox(TREE))
    assert back == Taxonomy(name="Topics", kind="multi-choice", labels=TREE.labels[:2])


def test_spans_export_as_named_entity_tools_and_come_back():
    spans = Taxonomy(
        name="NER",
        kind="spans",
        labels=(Label("person", "Person", color="#ff0000"), Label("org", "Org")),
    )
    data = json.loads(export_labelbox(spans))
    assert [(t["tool"], t["name"]) for t in data["tools"]] == [
        ("named-entity", "Person"),
        ("named-entity", "Org"),
    ]
    back = import_labelbox(json.dumps(data), name="NER")
    assert [(lab.name, lab.color) for lab in back.labels] == [("Person", "#ff0000"), ("Org", None)]
    assert back.kind == "spans"


def test_import_accepts_options_nested_directly_in_older_files():
    text = json.dumps(
        {
            "classifications": [
                {
                    "type": "radio",
                    "name": "Q",
                    "options": [{"label": "A", "value": "a", "options": [{"label": "A1"}]}],
                }
            ]
        }
    )
    back = import_labelbox(text)
    assert back.labels[0].children[0].name == "A1"


@pytest.mark.parametrize("text", ["[]", "{}", "not json", '{"classifications": [{"options": 3}]}'])
def test_import_refuses_malformed_ontologies(text):
    with pytest.raises(InvalidInput):
        import_labelbox(text)
