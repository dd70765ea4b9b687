"""CVAT labels JSON: export shape and round trip."""

from __future__ import annotations

import json

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats import export_cvat, import_cvat
from guidelines_app.domain.taxonomy import Label, Taxonomy

TAGS = Taxonomy(
    name="Scenes",
    labels=(
        Label("indoor", "Indoor", color="#abc", children=(Label("kitchen", "Kitchen"),)),
        Label("outdoor", "Outdoor", color="#2E7D32"),
        Label("old", "Old", deprecated=True),
    ),
)


def test_labels_export_flat_with_six_digit_colours_and_tag_type():
    data = json.loads(export_cvat(TAGS))
    assert data == [
        {"name": "Indoor", "color": "#aabbcc", "type": "tag", "attributes": []},
        {"name": "Kitchen", "type": "tag", "attributes": []},
        {"name": "Outdoor", "color": "#2e7d32", "type": "tag", "attributes": []},
    ]


def test_round_trip_keeps_names_colours_and_choice_kind():
    back = import_cvat(export_cvat(TAGS), name="Scenes")
    assert [(lab.id, lab.name, lab.color) for lab in back.labels] == [
        ("indoor", "Indoor", "#aabbcc"),
        ("kitchen", "Kitchen", None),
        ("outdoor", "Outdoor", "#2e7d32"),
    ]
    assert back.kind == "single-choice"


def test_spans_export_as_any_and_come_back_as_spans():
    spans = Taxonomy(name="S", kind="spans", labels=(Label("a", "A"),))
    assert json.loads(export_cvat(spans))[0]["type"] == "any"
    assert import_cvat(export_cvat(spans)).kind == "spans"


def test_import_reads_the_labels_of_a_whole_project_description():
    back = import_cvat(json.dumps({"name": "P", "labels": [{"name": "car"}, {"name": "bus"}]}))
    assert [lab.id for lab in back.labels] == ["car", "bus"]


def test_export_refuses_names_that_clash_once_flattened():
    clash = Taxonomy(
        name="T",
        labels=(
            Label("a", "A", children=(Label("a.other", "Other"),)),
            Label("b", "B", children=(Label("b.other", "other"),)),
        ),
    )
    with pytest.raises(InvalidInput, match="unique names"):
        export_cvat(clash)


@pytest.mark.parametrize("text", ["{}", "[1]", '[{"color": "#fff"}]', "nope"])
def test_import_refuses_malformed_label_lists(text):
    with pytest.raises(InvalidInput):
        import_cvat(text)
