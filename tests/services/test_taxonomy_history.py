"""Ids ever used, from history: parsed once per version, and pushes from outside are seen."""

from __future__ import annotations

import pytest

from guidelines_app.domain.taxonomy import parse_taxonomy
from guidelines_app.services.taxonomies import exchange as taxonomy_exchange
from guidelines_app.services.taxonomies import history as taxonomy_history
from guidelines_app.services.taxonomies import parsed as parsed_taxonomies
from guidelines_app.store import ContentStore
from tests.app.taxonomy_helpers import AUTHOR, SMALL, store_of, write

WITHOUT_B = SMALL.replace("  - id: b\n    name: Beta\n    description: The second letter.\n", "")


@pytest.fixture
def parses(monkeypatch):
    calls: list[int] = []
    real = parsed_taxonomies.parse_taxonomy_lenient

    def counting(text):
        calls.append(1)
        return real(text)

    taxonomy_history.clear_caches()
    monkeypatch.setattr(parsed_taxonomies, "parse_taxonomy_lenient", counting)
    yield calls
    taxonomy_history.clear_caches()


def test_ids_ever_keeps_removed_ids_with_their_last_name(app, parses):
    write(app, "small", SMALL)
    write(app, "small", SMALL.replace("name: Beta", "name: Bravo"))
    write(app, "small", WITHOUT_B)
    ids = taxonomy_history.ids_ever(store_of(app), "small")
    assert ids["b"] == "Bravo" and set(ids) == {"a", "b", "c", "c1"}


def test_each_version_is_parsed_once_and_a_commit_from_outside_costs_one_parse(app, parses):
    write(app, "small", SMALL)
    write(app, "small", WITHOUT_B)
    store = store_of(app)
    taxonomy_history.ids_ever(store, "small")
    first = len(parses)
    taxonomy_history.ids_ever(store, "small")
    assert len(parses) == first
    outside = ContentStore(store.path)  # another process, another store object
    outside.write(
        {"taxonomies/small.yaml": (WITHOUT_B + "  - id: z\n    name: Zeta\n").encode()},
        base=None,
        author=AUTHOR,
        message="Pushed from outside",
    )
    assert "z" in taxonomy_history.ids_ever(store, "small")
    assert len(parses) == first + 1


def test_overlay_keeps_deprecated_labels_and_fields_the_format_cannot_carry():
    existing = parse_taxonomy(
        SMALL + "  - id: old\n    name: Old\n    deprecated: true\n    replaced_by: [a]\n"
    )
    imported = parse_taxonomy(
        "name: Small\nlabels:\n  - {id: a, name: Alpha}\n  - {id: x, name: Beta}\n"
    )
    result = taxonomy_exchange.overlay(existing, imported).by_id()
    assert result["a"].description == "The first letter."
    assert "x" not in result and result["b"].name == "Beta"  # matched by name
    assert result["old"].deprecated and result["old"].replaced_by == ("a",)
