"""Label Studio labeling configs: export, structural checks, import back, hostile XML."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats import export_label_studio, import_label_studio
from guidelines_app.domain.taxonomy import KINDS, Label, Taxonomy, parse_taxonomy, validate

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
RESULT_TYPES = {"Choices": "choices", "Labels": "labels", "Taxonomy": "taxonomy"}
ROOT = Path(__file__).resolve().parents[3]
SDK_CHECK = Path(__file__).with_name("label_studio_sdk_check.py")
SDK_VENV = ROOT / ".venv-label-studio"


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


def sdk_python() -> Path:
    """The interpreter that has the Label Studio SDK: $GUIDELINES_LABEL_STUDIO_PYTHON, or the
    virtual environment that `make test` prepares. Without it the SDK tests skip, except in
    CI (CI=true) or with GUIDELINES_REQUIRE_LABEL_STUDIO=1, where they fail."""
    given = os.environ.get("GUIDELINES_LABEL_STUDIO_PYTHON")
    python = Path(given) if given else SDK_VENV / "bin" / "python"
    if not python.exists():
        reason = f"no Label Studio SDK at {python} (`make test` prepares {SDK_VENV.name}/)"
        required = os.environ.get("GUIDELINES_REQUIRE_LABEL_STUDIO") == "1"
        if required or os.environ.get("CI") == "true":
            pytest.fail(f"the Label Studio SDK check is required but cannot run: {reason}")
        pytest.skip(reason)
    return python


def sdk_answers(cases: list[dict]) -> list[dict]:
    """The SDK's own parser on each case, in its own interpreter (label_studio_sdk_check.py)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(sdk_python()), str(SDK_CHECK)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def exported_configs() -> dict[str, str]:
    """Every config we export: each kind over a flat and a nested taxonomy, where the kind
    allows that taxonomy, then the starter taxonomies and the demo's revisions."""
    configs = {}
    scale = Taxonomy(
        name="Quality",
        kind="ordinal",
        labels=tuple(Label(n.lower(), n, value=v) for v, n in enumerate(("Poor", "Fair", "Good"))),
    )
    for kind in KINDS:
        for taxonomy in (FLAT, TREE, scale):
            candidate = with_kind(taxonomy, kind)
            if not validate(candidate):
                configs[f"{kind} over {taxonomy.name!r}"] = export_label_studio(candidate)
    starters = sorted((ROOT / "taxonomies").glob("*.yaml"))
    demo = sorted((ROOT / "guidelines_app" / "demo" / "data").glob("*/taxonomy*.yaml"))
    for file in starters + demo:
        taxonomy = parse_taxonomy(file.read_text(encoding="utf-8"))
        configs[str(file.relative_to(ROOT))] = export_label_studio(taxonomy)
    return configs


def _paths(element: ET.Element, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    """Each nested choice as the path of aliases Label Studio writes for a <Taxonomy>."""
    paths = []
    for child in element:
        if child.tag == "Choice":
            path = (*prefix, child.get("alias"))
            paths += [list(path), *_paths(child, path)]
    return paths


def _result(control: ET.Element, label: str | list[str]) -> dict:
    """A result choosing ``label`` (a path of aliases for a <Taxonomy>), as Label Studio
    writes it into an annotation."""
    if control.tag == "Taxonomy":
        value: dict = {"taxonomy": [label]}
    elif control.tag == "Labels":
        value = {"start": 0, "end": 4, "text": "Some", "labels": [label]}
    else:
        value = {"choices": [label]}
    return {
        "from_name": control.get("name"),
        "to_name": control.get("toName").split(",")[0],
        "type": RESULT_TYPES[control.tag],
        "value": value,
    }


def what_we_wrote(xml: str) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """Read with the standard library: object tags, control tags with their labels (the
    alias Label Studio writes into results), a result for each offered label, and for each
    control a result naming a label the config does not have."""
    root = ET.fromstring(xml)
    objects = {el.get("name"): el.tag for el in root.iter() if el.tag in OBJECT_TAGS}
    controls, offered, unknown = [], [], []
    for el in (el for el in root.iter() if el.tag in RESULT_TYPES):
        labels = [child.get("alias") for child in el.iter() if child.tag in ("Choice", "Label")]
        controls.append(
            {
                "name": el.get("name"),
                "tag": el.tag,
                "to_name": el.get("toName").split(","),
                "labels": labels,
            }
        )
        nested = el.tag == "Taxonomy"
        offered += [_result(el, label) for label in (_paths(el) if nested else labels)]
        unknown.append(_result(el, ["not-in-the-config"] if nested else "not-in-the-config"))
    return objects, controls, offered, unknown


def test_the_label_studio_sdk_parses_every_exported_config_as_we_wrote_it():
    configs = exported_configs()
    assert {name.split(" over ")[0] for name in configs} >= set(KINDS)
    cases, expected = [], []
    for name, xml in configs.items():
        objects, controls, offered, unknown = what_we_wrote(xml)
        cases.append({"config": xml, "results": offered + unknown})
        expected.append((name, objects, controls, len(offered)))
    broken = '<View><Text name="text" value="$text"/><Choices name="c" toName="nowhere">'
    cases.append({"config": broken + '<Choice value="A"/></Choices></View>'})

    answers = sdk_answers(cases)

    for (name, objects, controls, n_offered), answer in zip(expected, answers[:-1], strict=True):
        assert answer["error"] is None, f"{name}: {answer['error']}"
        assert answer["objects"] == objects, name
        assert answer["controls"] == controls, name
        assert answer["results"][:n_offered] == [[]] * n_offered, name
        assert all(answer["results"][n_offered:]), f"{name}: an unknown label was accepted"
    assert "nowhere" in answers[-1]["error"]  # the SDK's check can fail
