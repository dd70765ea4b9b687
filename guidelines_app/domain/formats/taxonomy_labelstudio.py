"""Label Studio labeling configuration (XML).

Export, by kind:

* single-choice, multi-choice, ordinal: ``<Choices choice="single|multiple">`` with one
  ``<Choice>`` per active label; a hierarchy becomes ``<Taxonomy>`` with nested ``<Choice>``
  (``maxUsages="1"`` for single-choice);
* spans: ``<Labels>`` with one ``<Label>`` per active label (flattened);
* pairwise-preference: two ``<Text>`` objects and ``<Choices>`` over the options (the
  ``<Pairwise>`` tag only picks left or right and cannot carry named options).

Carried: taxonomy name (``<Header>``), label id (``alias``, which Label Studio writes into
results instead of the value), name (``value``), hint, colour (``background`` on Label,
``color`` on Choice), hierarchy (Taxonomy only), single vs multiple choice, spans.
Not carried: descriptions, examples, synonyms, ordinal values, deprecated labels.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats.taxonomy_common import (
    DEFAULT_NAME,
    finish_import,
    flat_offered,
    import_id,
    offered_labels,
    parse_xml,
)
from guidelines_app.domain.taxonomy_model import Label, Taxonomy


def _attributes(label: Label, colour_attribute: str) -> dict[str, str]:
    attributes = {"value": label.name, "alias": label.id}
    if label.hint:
        attributes["hint"] = label.hint
    if label.color:
        attributes[colour_attribute] = label.color
    return attributes


def _nested_choices(parent: ET.Element, labels: tuple[Label, ...]) -> None:
    for label in labels:
        element = ET.SubElement(parent, "Choice", _attributes(label, "color"))
        _nested_choices(element, label.children)


def export_label_studio(taxonomy: Taxonomy) -> str:
    view = ET.Element("View")
    ET.SubElement(view, "Header", {"value": taxonomy.name})
    if taxonomy.kind == "pairwise-preference":
        ET.SubElement(view, "Text", {"name": "text1", "value": "$text1"})
        ET.SubElement(view, "Text", {"name": "text2", "value": "$text2"})
        target = "text1"
    else:
        ET.SubElement(view, "Text", {"name": "text", "value": "$text"})
        target = "text"
    offered = offered_labels(taxonomy.labels)
    if taxonomy.kind == "spans":
        control = ET.SubElement(view, "Labels", {"name": "label", "toName": target})
        for label in flat_offered(taxonomy, "Label Studio <Labels>"):
            ET.SubElement(control, "Label", _attributes(label, "background"))
    elif taxonomy.kind in ("single-choice", "multi-choice") and any(
        lab.children for lab in offered
    ):
        attributes = {"name": "taxonomy", "toName": target}
        if taxonomy.kind == "single-choice":
            attributes["maxUsages"] = "1"
        _nested_choices(ET.SubElement(view, "Taxonomy", attributes), offered)
    else:
        choice = "multiple" if taxonomy.kind == "multi-choice" else "single"
        control = ET.SubElement(
            view, "Choices", {"name": "choice", "toName": target, "choice": choice}
        )
        for label in offered:
            ET.SubElement(control, "Choice", _attributes(label, "color"))
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"


def _is_labels_tag(tag: str) -> bool:
    # Labels, HyperTextLabels, ParagraphLabels, RectangleLabels...
    return tag.endswith("Labels")


def import_label_studio(text: str, *, name: str | None = None) -> Taxonomy:
    root = parse_xml(text)
    if root.tag != "View":
        raise InvalidInput(problems=[Problem("a labeling config starts with <View>", path="View")])
    header = next((el.get("value") for el in root.iter("Header") if el.get("value")), None)
    control = next(
        (el for el in root.iter() if el.tag in ("Choices", "Taxonomy") or _is_labels_tag(el.tag)),
        None,
    )
    if control is None:
        raise InvalidInput(
            problems=[Problem("no <Choices>, <Taxonomy> or <Labels> in the config", path="View")]
        )
    taken: set[str] = set()

    def read(element: ET.Element, child_tag: str) -> tuple[Label, ...]:
        labels = []
        for child in element.findall(child_tag):
            value = child.get("value") or ""
            labels.append(
                Label(
                    id=import_id(child.get("alias"), value, taken),
                    name=value,
                    hint=child.get("hint") or "",
                    color=child.get("background") or child.get("color") or None,
                    children=read(child, child_tag) if child_tag == "Choice" else (),
                )
            )
        return tuple(labels)

    if control.tag == "Choices":
        kind = "multi-choice" if control.get("choice") == "multiple" else "single-choice"
        labels = read(control, "Choice")
    elif control.tag == "Taxonomy":
        kind = "single-choice" if control.get("maxUsages") == "1" else "multi-choice"
        labels = read(control, "Choice")
    else:
        kind, labels = "spans", read(control, "Label")
    return finish_import(Taxonomy(name=name or header or DEFAULT_NAME, kind=kind, labels=labels))
