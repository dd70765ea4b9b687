"""SKOS Turtle export: structure and string escaping."""

from __future__ import annotations

import re

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats import export_skos
from guidelines_app.domain.formats.taxonomy_skos import turtle_string
from guidelines_app.domain.taxonomy import Label, Taxonomy

# Turtle's STRING_LITERAL_QUOTE, from the W3C grammar.
STRING = re.compile(r'"(?:[^"\\\n\r]|\\[tbnrf"\'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*"')
ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

TOPICS = Taxonomy(
    name="Topics",
    description="What a text is about.",
    labels=(
        Label(
            "sport",
            "Sport",
            description="Games and athletes.",
            examples=("The match ended 2-1.",),
            synonyms=("sports", "athletics"),
            children=(Label("football", "Football"),),
        ),
        Label("politics", "Politics"),
        Label("old", "Old", deprecated=True, replaced_by=("politics",)),
    ),
)


def decode(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(
        r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
        lambda m: chr(int(m[1][1:], 16)) if len(m[1]) > 1 else ESCAPES[m[1]],
        body,
    )


@pytest.mark.parametrize(
    "text", ['say "hi"', "back\\slash", "two\nlines\r\n", "tab\tbell\x07", "ünïcödé ✓", ""]
)
def test_turtle_strings_follow_the_grammar_and_decode_to_the_original(text):
    literal = turtle_string(text)
    assert STRING.fullmatch(literal)
    assert decode(literal) == text


def test_the_scheme_and_each_concept_are_declared():
    ttl = export_skos(TOPICS, base_iri="https://example.org/topics")
    assert "<https://example.org/topics> a skos:ConceptScheme" in ttl
    assert ttl.count("a skos:Concept ;") == 4
    assert "skos:hasTopConcept <https://example.org/topics#sport>" in ttl


def test_concepts_carry_labels_synonyms_definitions_examples_and_broader():
    ttl = export_skos(TOPICS, base_iri="https://example.org/topics")
    football = ttl.split("<https://example.org/topics#football> a skos:Concept")[1]
    assert 'skos:altLabel "sports"' in ttl
    assert 'skos:definition "Games and athletes."' in ttl
    assert 'skos:example "The match ended 2-1."' in ttl
    assert "skos:broader <https://example.org/topics#sport>" in football.split(" .\n")[0]


def test_deprecated_concepts_carry_owl_deprecated_and_is_replaced_by():
    ttl = export_skos(TOPICS, base_iri="https://example.org/topics")
    old = ttl.split("<https://example.org/topics#old> a skos:Concept")[1]
    assert "owl:deprecated true" in old
    assert "dcterms:isReplacedBy <https://example.org/topics#politics>" in old


def test_every_statement_ends_with_a_dot_and_literals_are_well_formed():
    hostile = Taxonomy(name='The "best" \\ taxonomy', labels=(Label("a", 'A "quoted"\\'),))
    ttl = export_skos(hostile)
    without_literals = STRING.sub('""', ttl)
    assert '"' not in without_literals.replace('""', "")
    blocks = [b for b in without_literals.split("\n\n") if not b.startswith("@prefix")]
    assert all(block.rstrip().endswith(" .") for block in blocks)


def test_a_base_iri_with_spaces_is_refused():
    with pytest.raises(InvalidInput, match="IRI"):
        export_skos(TOPICS, base_iri="https://example.org/my topics")
