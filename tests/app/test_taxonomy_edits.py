"""The edit forms: each writes correct YAML, keeps ids, and follows the stale-edit rules."""

from __future__ import annotations

import pytest

from guidelines_app.domain.taxonomy import parse_taxonomy
from tests.app.taxonomy_helpers import SMALL, head, read, write


def _operate(client, op, base, message="Change", slug="small", **fields):
    data = {"base": base, "message": message, **fields}
    return client.post(f"/taxonomies/{slug}/operations/{op}", data=data)


@pytest.fixture
def small(app):
    write(app, "small", SMALL)
    return head(app)


def _labels(app):
    return parse_taxonomy(read(app, "small")).by_id()


def test_rename_keeps_the_id_and_changes_the_name(app, as_lead, small):
    response = _operate(as_lead, "rename", small, "Rename beta", id="b", name="Bravo")
    assert response.status_code == 302
    assert _labels(app)["b"].name == "Bravo"


def test_add_puts_a_new_label_under_its_parent(app, as_lead, small):
    response = _operate(as_lead, "add", small, id="c2", name="Gamma two", parent="c")
    assert response.status_code == 302
    taxonomy = parse_taxonomy(read(app, "small"))
    assert taxonomy.parent_ids()["c2"] == "c"


def test_move_takes_a_label_to_the_top_level(app, as_lead, small):
    response = _operate(as_lead, "move", small, id="c1", parent="")
    assert response.status_code == 302
    assert parse_taxonomy(read(app, "small")).parent_ids()["c1"] is None


def test_deprecate_records_where_the_label_went(app, as_lead, small):
    response = _operate(as_lead, "deprecate", small, id="b", replaced_by="a")
    assert response.status_code == 302
    label = _labels(app)["b"]
    assert label.deprecated and label.replaced_by == ("a",)


def test_merge_deprecates_the_sources_into_a_new_label(app, as_lead, small):
    response = _operate(
        as_lead, "merge", small, sources_text="a, b", into_id="ab", into_name="Alpha or beta"
    )
    assert response.status_code == 302
    labels = _labels(app)
    assert labels["ab"].name == "Alpha or beta"
    assert labels["a"].replaced_by == ("ab",) and labels["b"].replaced_by == ("ab",)


def test_split_creates_the_parts_and_deprecates_the_source(app, as_lead, small):
    response = _operate(
        as_lead,
        "split",
        small,
        id="a",
        part_id=["a-upper", "a-lower", ""],
        part_name=["Upper alpha", "Lower alpha", ""],
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    labels = _labels(app)
    assert labels["a"].deprecated and labels["a"].replaced_by == ("a-upper", "a-lower")
    assert labels["a-lower"].name == "Lower alpha"


def test_an_operation_without_a_commit_message_is_refused(app, as_lead, small):
    response = _operate(as_lead, "rename", small, message=" ", id="b", name="Bravo")
    assert response.status_code == 422
    assert _labels(app)["b"].name == "Beta"


@pytest.mark.parametrize(
    ("op", "fields"),
    [
        ("rename", {"id": "nope", "name": "X"}),
        ("rename", {"id": "b", "name": ""}),
        ("add", {"id": "a", "name": "Again"}),
        ("add", {"id": "has space", "name": "Spaced"}),
        ("add", {"id": "x/y", "name": "Slashed"}),
        ("move", {"id": "c", "parent": "c1"}),
        ("deprecate", {"id": "a", "replaced_by": "a"}),
        ("merge", {"sources_text": "a", "into_id": "b"}),
        ("merge", {"sources_text": "a, b", "into_id": "new"}),
        ("split", {"id": "a", "part_id": ["b", "z"], "part_name": ["B", "Z"]}),
        ("split", {"id": "a", "part_id": ["y"], "part_name": ["Y"]}),
        ("explode", {"id": "a"}),
    ],
)
def test_misused_operations_answer_422_and_change_nothing(app, as_lead, small, op, fields):
    response = _operate(as_lead, op, small, **fields)
    assert response.status_code == 422, (op, fields)
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert head(app) == small


def test_an_operation_may_not_reuse_a_retired_id(app, as_lead, small):
    write(
        app,
        "small",
        SMALL.replace("  - id: b\n    name: Beta\n    description: The second letter.\n", ""),
    )
    response = _operate(as_lead, "add", head(app), id="b", name="Bravo")
    assert response.status_code == 422
    assert "never reused" in response.get_data(as_text=True)


def test_an_operation_on_a_stale_base_is_merged_when_it_can_be(app, as_lead, small):
    write(app, "small", SMALL.replace("The second letter.", "The second letter, B."))
    response = _operate(as_lead, "rename", small, id="a", name="Alef")
    assert response.status_code in (302, 409)
    if response.status_code == 302:
        text = read(app, "small")
        assert "Alef" in text and "The second letter, B." in text
    else:
        assert "Alef" in response.get_data(as_text=True)


def test_an_operation_on_a_conflicting_stale_base_answers_409_and_loses_nothing(
    app, as_lead, small
):
    write(app, "small", SMALL.replace("name: Alpha", "name: Alfa"))
    response = _operate(as_lead, "rename", small, id="a", name="Alef")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Alef" in page and "Alfa" in page
    assert "Alfa" in read(app, "small")


def test_an_unknown_base_revision_is_refused_with_422(as_lead, small):
    response = _operate(as_lead, "rename", "0" * 40, id="b", name="Bravo")
    assert response.status_code == 422


def test_annotators_cannot_use_the_forms(as_annotator, small):
    assert _operate(as_annotator, "rename", small, id="b", name="Bravo").status_code == 403
