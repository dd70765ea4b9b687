"""``Decision:`` trailers are read the same way by every part that asks."""

from __future__ import annotations

import pytest

from guidelines_app.domain.trailers import cited_decisions, decision_id, decision_trailers


@pytest.mark.parametrize(
    ("text", "expected"), [("12", 12), ("#12", 12), (" #12 ", 12), ("012", 12)]
)
def test_a_decision_is_cited_by_its_number_with_or_without_a_hash(text, expected):
    assert decision_id(text) == expected


@pytest.mark.parametrize("text", ["", "#", "0", "##12", "12a", "twelve", "-3", "1 2"])
def test_what_is_no_decision_number_is_not_cited(text):
    assert decision_id(text) is None


def test_a_commit_cites_each_decision_once_in_order_whatever_the_key_case():
    trailers = [
        ("Decision", "#12"),
        ("Escalation", "5"),
        ("decision", "3"),
        ("DECISION", "12"),
        ("Decision", "see the thread"),
    ]
    assert cited_decisions(trailers) == [12, 3]


def test_the_trailers_written_read_back_as_the_same_decisions():
    assert cited_decisions(decision_trailers([4, 9])) == [4, 9]
