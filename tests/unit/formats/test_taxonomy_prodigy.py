"""Prodigy label lists."""

from __future__ import annotations

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats import export_prodigy, import_text, prodigy_label_argument
from guidelines_app.domain.taxonomy import Label, Taxonomy

TOPICS = Taxonomy(
    name="Topics",
    labels=(
        Label("sport", "Sport", children=(Label("football", "Football"),)),
        Label("politics", "Politics"),
        Label("old", "Old", deprecated=True),
    ),
)


def test_one_label_per_line_lists_active_labels_depth_first():
    assert export_prodigy(TOPICS) == "Sport\nFootball\nPolitics\n"


def test_ids_can_be_used_instead_of_names():
    assert export_prodigy(TOPICS, use="id") == "sport\nfootball\npolitics\n"


def test_comma_separated_argument():
    assert prodigy_label_argument(TOPICS) == "Sport,Football,Politics"


def test_comma_separated_argument_refuses_a_name_with_a_comma():
    commas = Taxonomy(name="T", labels=(Label("a", "Yes, mostly"),))
    with pytest.raises(InvalidInput, match="comma"):
        prodigy_label_argument(commas)
    assert export_prodigy(commas) == "Yes, mostly\n"


def test_the_list_reads_back_as_plain_text_with_the_same_names():
    back = import_text(export_prodigy(TOPICS))
    assert [lab.name for lab in back.active_labels()] == ["Sport", "Football", "Politics"]
