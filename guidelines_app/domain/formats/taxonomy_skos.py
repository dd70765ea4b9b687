"""SKOS in Turtle: the taxonomy as a ``skos:ConceptScheme``, each label a ``skos:Concept``.

Carried (export only): name (``skos:prefLabel``), id (``skos:notation`` and the concept
IRI), synonyms (``skos:altLabel``), parent (``skos:broader``, with ``skos:narrower`` and
``skos:topConceptOf``), description (``skos:definition``), examples (``skos:example``),
hint (``skos:scopeNote``), counter-examples (``skos:scopeNote`` starting "Counter-example:"),
ordinal value (``rdf:value``), deprecation (``owl:deprecated true``,
``dcterms:isReplacedBy``). Deprecated labels are kept, so links from older data resolve.
"""

from __future__ import annotations

import re

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.taxonomy_model import Taxonomy, slug_id

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
}
_ECHAR = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f", '"': '\\"', "\\": "\\\\"}
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def turtle_string(text: str) -> str:
    """A Turtle STRING_LITERAL_QUOTE: escapes for quote, backslash and line breaks;
    other control characters as \\uXXXX."""
    out = []
    for char in text:
        if char in _ECHAR:
            out.append(_ECHAR[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def export_skos(taxonomy: Taxonomy, *, base_iri: str | None = None) -> str:
    base = base_iri or f"urn:x-guidelines:taxonomy:{slug_id(taxonomy.name)}"
    if _IRI_FORBIDDEN.search(base):
        raise InvalidInput(problems=[Problem(f"not usable as an IRI: {base!r}", path="base_iri")])
    scheme = f"<{base}>"

    def concept(label_id: str) -> str:
        return f"<{base}#{label_id}>"

    entries = list(taxonomy.iter_labels())
    lines = [f"@prefix {prefix}: <{iri}> ." for prefix, iri in PREFIXES.items()]
    lines += [
        "",
        f"{scheme} a skos:ConceptScheme ;",
        f"    skos:prefLabel {turtle_string(taxonomy.name)}",
    ]
    if taxonomy.description:
        lines[-1] += " ;"
        lines.append(f"    skos:definition {turtle_string(taxonomy.description)}")
    tops = [concept(label.id) for label in taxonomy.labels]
    if tops:
        lines[-1] += " ;"
        lines.append(f"    skos:hasTopConcept {', '.join(tops)}")
    lines[-1] += " ."
    for entry in entries:
        label = entry.label
        facts = ["a skos:Concept", f"skos:inScheme {scheme}"]
        facts.append(f"skos:notation {turtle_string(label.id)}")
        facts.append(f"skos:prefLabel {turtle_string(label.name)}")
        facts += [f"skos:altLabel {turtle_string(s)}" for s in label.synonyms]
        if entry.parent_id is None:
            facts.append(f"skos:topConceptOf {scheme}")
        else:
            facts.append(f"skos:broader {concept(entry.parent_id)}")
        facts += [f"skos:narrower {concept(child.id)}" for child in label.children]
        if label.description:
            facts.append(f"skos:definition {turtle_string(label.description)}")
        facts += [f"skos:example {turtle_string(e)}" for e in label.examples]
        if label.hint:
            facts.append(f"skos:scopeNote {turtle_string(label.hint)}")
        facts += [
            f"skos:scopeNote {turtle_string('Counter-example: ' + e)}"
            for e in label.counter_examples
        ]
        if label.value is not None:
            facts.append(f"rdf:value {label.value!r}")
        if label.deprecated:
            facts.append("owl:deprecated true")
        facts += [f"dcterms:isReplacedBy {concept(t)}" for t in label.replaced_by]
        lines += ["", f"{concept(label.id)} " + " ;\n    ".join(facts) + " ."]
    return "\n".join(lines) + "\n"
