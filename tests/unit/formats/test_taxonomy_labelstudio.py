"""Label Studio labeling configs: export, structural checks, import back, hostile XML."""

from __future__ import annotations

import importlib.util
from xml.etree import ElementTree as ET

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats import export_label_studio, import_label_studio
from guidelines_app.domain.taxonomy import Label, Taxonomy

FLAT = Taxonomy(
    name='Sentiment "of" <reviews> & more',
    kind="single-choice",
    labels=(
        Label("pos", "Positive", hint="Happy & satisfied", color="#2e7d32"),
        Label("neg", "Negative <bad>", color="#c62828"),
        Label("mixed", "Mixed", deprecated=True, replaced_by=("neg",)),
    ),
)
TREE = Taxonomy(
    name="Topics",
    kind="multi-choice",
    labels=(
        Label("sport", "Sport", children=(Label("football", "Football", hint="Soccer too"),)),
        Label("politics", "Politics", color="#abc"),
    ),
)
OBJECT_TAGS = {"Text", "HyperText", "Image", "Audio", "Video", "Paragraphs"}


def assert_structurally_valid_config(xml: str) -> ET.Element:
    """The rules Label Studio enforces on a config that we can check without it."""
    root = ET.fromstring(xml)
    assert root.tag == "View"
    objects = {el.get("name") for el in root.iter() if el.tag in OBJECT_TAGS}
    for el in root.iter():
        if el.tag in OBJECT_TAGS:
            assert el.get("value", "").startswith("$")
        if el.tag in ("Choices", "Labels", "Taxonomy"):
            assert el.get("name")
            assert set(el.get("toName", "").split(",")) <= objects
            values = [child.get("value") for child in el if child.tag in ("Choice", "Label")]
            assert all(values) and len(values) == len(set(values)), "values must be unique"
    return root


def with_kind(taxonomy: Taxonomy, kind: str) -> Taxonomy:
    return Taxonomy(name=taxonomy.name, kind=kind, labels=taxonomy.labels)


def test_single_choice_exports_choices_with_alias_hint_and_colour():
    root = assert_structurally_valid_config(export_label_studio(FLAT))
    choices = root.find("Choices")
    assert choices.get("choice") == "single"
    assert [(c.get("value"), c.get("alias")) for c in choices] == [
        ("Positive", "pos"),
        ("Negative <bad>", "neg"),
    ]
    assert choices[0].get("hint") == "Happy & satisfied"
    assert choices[0].get("color") == "#2e7d32"


def test_multi_choice_hierarchy_exports_a_nested_taxonomy():
    root = assert_structurally_valid_config(export_label_studio(TREE))
    taxonomy = root.find("Taxonomy")
    assert taxonomy.get("maxUsages") is None
    assert taxonomy.find("Choice[@alias='sport']/Choice").get("value") == "Football"


def test_spans_export_labels_with_background():
    root = assert_structurally_valid_config(export_label_studio(with_kind(FLAT, "spans")))
    labels = root.find("Labels")
    assert [(lab.get("value"), lab.get("background")) for lab in labels] == [
        ("Positive", "#2e7d32"),
        ("Negative <bad>", "#c62828"),
    ]


def test_pairwise_preference_exports_choices_over_two_texts():
    options = Taxonomy(
        name="Which is better?",
        kind="pairwise-preference",
        labels=(Label("left", "Left"), Label("tie", "Tie"), Label("right", "Right")),
    )
    root = assert_structurally_valid_config(export_label_studio(options))
    assert [t.get("value") for t in root.iter("Text")] == ["$text1", "$text2"]
    assert [c.get("alias") for c in root.find("Choices")] == ["left", "tie", "right"]


@pytest.mark.parametrize("taxonomy", [FLAT, TREE, with_kind(TREE, "single-choice")])
def test_round_trip_keeps_name_ids_names_hints_colours_hierarchy_and_kind(taxonomy):
    back = import_label_studio(export_label_studio(taxonomy))
    offered = Taxonomy(
        name=taxonomy.name,
        kind=taxonomy.kind,
        labels=tuple(label for label in taxonomy.labels if not label.deprecated),
    )
    assert back == offered


def test_spans_round_trip():
    spans = with_kind(FLAT, "spans")
    back = import_label_studio(export_label_studio(spans))
    assert back.kind == "spans"
    assert [(lab.id, lab.name, lab.color) for lab in back.labels] == [
        ("pos", "Positive", "#2e7d32"),
        ("neg", "Negative <bad>", "#c62828"),
    ]


def test_import_without_aliases_derives_ids_from_values():
    xml = """<View><Text name="t" value="$t"/>
      <Choices name="c" toName="t" choice="multiple">
        <Choice value="Très bien"/><Choice value="Très bien!"/><Choice value="Bad/Ugly"/>
      </Choices></View>"""
    back = import_label_studio(xml, name="Quality")
    assert back.kind == "multi-choice"
    assert [lab.id for lab in back.labels] == ["tres-bien", "tres-bien-2", "bad-ugly"]


def test_import_refuses_a_dtd_and_entities():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;">]><View><Header value="&lol2;"/></View>'
    )
    with pytest.raises(InvalidInput, match="DTD"):
        import_label_studio(xml)


def test_import_refuses_an_external_entity():
    xml = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><View>&e;</View>'
    with pytest.raises(InvalidInput, match="DTD"):
        import_label_studio(xml)


def test_import_refuses_broken_xml_with_its_line():
    with pytest.raises(InvalidInput, match="not valid XML") as caught:
        import_label_studio("<View>\n<Choices>\n</View>")
    assert caught.value.problems[0].line == 3


def test_import_refuses_a_config_without_a_control_tag():
    with pytest.raises(InvalidInput, match="no <Choices>"):
        import_label_studio('<View><Text name="t" value="$t"/></View>')


def test_label_studio_sdk_accepts_the_exported_configs():
    if importlib.util.find_spec("label_studio_sdk") is None:
        pytest.skip(
            "label-studio-sdk is not installed: it pulls in ~50 packages (opencv, nltk, lxml, "
            "numpy 2), so structure is checked by assert_structurally_valid_config instead"
        )
    from label_studio_sdk.label_interface import LabelInterface  # pragma: no cover

    for taxonomy in (FLAT, TREE, with_kind(FLAT, "spans")):  # pragma: no cover
        LabelInterface(export_label_studio(taxonomy))
