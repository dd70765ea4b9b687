"""CSV and plain text lists: round trip, formula injection, malformed input."""

from __future__ import annotations

import csv
import io

import pytest

from guidelines_app.domain.errors import InvalidInput, TooLarge
from guidelines_app.domain.formats import export_csv, import_csv, import_text
from guidelines_app.domain.formats.taxonomy_csv import neutralise, restore
from guidelines_app.domain.taxonomy import Label, Taxonomy

FULL = Taxonomy(
    name="Sentiment",
    labels=(
        Label(
            "pos",
            "Positive",
            description='=HYPERLINK("http://evil")',
            examples=("Works great, would buy again.", "+1 from me"),
            counter_examples=("-not this", "@everyone ok"),
            synonyms=("pos", "good"),
            color="#2e7d32",
            hint="Satisfied, overall.\nSecond line",
            children=(Label("pos.very", "Very positive", description="'quoted start"),),
        ),
        Label("neutral", "Neutral"),
        Label("mixed", "Mixed", deprecated=True, replaced_by=("neutral", "pos")),
    ),
)
STARS = Taxonomy(
    name="Stars",
    kind="ordinal",
    labels=(
        Label("bad", "Bad", value=-1),
        Label("ok", "OK", value=0.5),
        Label("good", "Good", value=2),
    ),
)


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_round_trip_keeps_every_label_field_and_the_hierarchy():
    assert import_csv(export_csv(FULL), name="Sentiment") == FULL


def test_ordinal_values_round_trip_and_make_the_kind_ordinal():
    assert import_csv(export_csv(STARS), name="Stars") == STARS


def test_no_exported_cell_starts_with_a_formula_character():
    dangerous = [c for c in cells(export_csv(FULL)) if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []


def test_negative_numbers_are_not_mangled():
    assert "-1" in cells(export_csv(STARS))


@pytest.mark.parametrize("cell", ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "'x", "''=", "plain", ""])
def test_neutralise_then_restore_is_the_identity(cell):
    assert restore(neutralise(cell)) == cell


def test_rows_may_name_a_parent_defined_later():
    text = "id,name,parent\nchild,Child,root\nroot,Root,\n"
    back = import_csv(text)
    assert [(e.label.id, e.parent_id) for e in back.iter_labels()] == [
        ("root", None),
        ("child", "root"),
    ]


def test_unknown_parents_and_parent_cycles_are_reported_with_rows():
    text = "id,name,parent\na,A,ghost\nb,B,c\nc,C,b\n"
    with pytest.raises(InvalidInput) as caught:
        import_csv(text)
    assert sorted((p.line, p.message.split()[0]) for p in caught.value.problems) == [
        (2, "unknown"),
        (3, "'b'"),
        (4, "'c'"),
    ]


def test_ids_are_derived_from_names_when_the_id_column_is_missing_or_invalid():
    back = import_csv("name,id\nGood stuff,\nBad stuff,Bad/Stuff\n")
    assert [lab.id for lab in back.labels] == ["good-stuff", "bad-stuff"]


def test_invalid_values_are_reported():
    with pytest.raises(InvalidInput, match="not a number"):
        import_csv("name,value\nA,lots\n")


def test_a_plain_text_list_becomes_labels_and_indentation_nests_them():
    back = import_text("Sport\n  - Football\n  - Tennis\n\nPolitics\n")
    assert [(e.label.id, e.parent_id) for e in back.iter_labels()] == [
        ("sport", None),
        ("football", "sport"),
        ("tennis", "sport"),
        ("politics", None),
    ]


def test_import_csv_falls_back_to_a_plain_list_without_a_name_header():
    assert [lab.name for lab in import_csv("Positive\nNegative\n").labels] == [
        "Positive",
        "Negative",
    ]


def test_duplicate_names_in_a_plain_list_are_reported():
    with pytest.raises(InvalidInput, match="clashes"):
        import_text("Positive\npositive\n")


def test_huge_files_are_too_large():
    with pytest.raises(TooLarge):
        import_csv("name\n" + "x\n" * (6 * 1024 * 1024))
