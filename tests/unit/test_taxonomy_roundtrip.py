"""Form edits change only the lines of the labels concerned: comments, key order, quoting,
flow lists and folded blocks of everything else stay as a person wrote them."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from guidelines_app.domain.taxonomy import (
    Label,
    add_label,
    deprecate_label,
    merge_labels,
    move_label,
    parse_taxonomy,
    rename_label,
    split_label,
    to_yaml,
    update_yaml,
)

STARTERS = sorted((Path(__file__).resolve().parents[2] / "taxonomies").glob("*.yaml"))

HAND_WRITTEN = """\
# Topics of support tickets. Keep ids stable: dashboards read them.
name: 'Ticket topics'
description: >-
  What a support ticket is mainly about.
  One label per ticket.
kind: single-choice
labels:
  # money first, as the support team sorts them
  - id: billing
    name: "Billing"
    description: >-
      Invoices, charges,
      refunds.
    synonyms: [invoice, payment]   # as customers write them
    children:
      - id: refund
        name: Refund
      - id: invoice
        name: Invoice
  - id: account
    name: Account
    color: '#1565c0'
  - id: other
    name: Other  # anything else
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_renaming_one_label_of_a_starter_taxonomy_changes_only_its_name_line(path):
    text = path.read_text(encoding="utf-8")
    taxonomy = parse_taxonomy(text)
    for entry in list(taxonomy.iter_labels())[:3]:
        label = entry.label
        renamed = rename_label(taxonomy, label.id, f"{label.name} (renamed)")
        out = update_yaml(text, renamed)
        assert parse_taxonomy(out) == renamed
        assert changed_lines(text, out) == [
            f"-{' ' * (4 + 4 * entry.depth)}name: {_as_written(text, label)}",
            f"+{' ' * (4 + 4 * entry.depth)}name: {label.name} (renamed)",
        ]
    assert len(changed_lines(text, to_yaml(renamed))) > 20  # what a canonical rewrite costs


def _as_written(text: str, label: Label) -> str:
    lines = text.splitlines()
    start = lines.index(next(line for line in lines if line.strip() == f"- id: {label.id}"))
    return lines[start + 1].split("name: ", 1)[1]


def test_a_rename_keeps_comments_quoting_and_folded_blocks():
    out = update_yaml(HAND_WRITTEN, rename_label(parse_taxonomy(HAND_WRITTEN), "other", "Misc"))
    removed, added = changed_lines(HAND_WRITTEN, out)
    assert removed == "-    name: Other  # anything else"
    assert added.startswith("+    name: Misc ") and added.endswith("# anything else")


def test_a_move_carries_the_label_with_its_comments_and_leaves_the_rest():
    taxonomy = parse_taxonomy(HAND_WRITTEN)
    out = update_yaml(HAND_WRITTEN, move_label(taxonomy, "account", "billing"))
    assert parse_taxonomy(out) == move_label(taxonomy, "account", "billing")
    assert "synonyms: [invoice, payment]   # as customers write them" in out
    assert "# Topics of support tickets." in out and "# money first" in out
    assert "description: >-\n      Invoices, charges,\n      refunds." in out
    assert "color: '#1565c0'" in out and 'name: "Billing"' in out


def test_deprecating_adds_two_lines_to_that_label_only():
    taxonomy = parse_taxonomy(HAND_WRITTEN)
    new = deprecate_label(taxonomy, "invoice", ["refund"])
    out = update_yaml(HAND_WRITTEN, new)
    assert parse_taxonomy(out) == new
    assert changed_lines(HAND_WRITTEN, out) == [
        "+        deprecated: true",
        "+        replaced_by: [refund]",
    ]


def test_merge_split_and_add_write_new_labels_and_touch_only_the_labels_concerned():
    taxonomy = parse_taxonomy(HAND_WRITTEN)
    edits = [
        merge_labels(taxonomy, ["refund", "invoice"], "money", "Money"),
        split_label(taxonomy, "account", [("login", "Login"), ("profile", "Profile")]),
        add_label(taxonomy, "billing", "dispute", "Dispute", "A charge the customer contests."),
    ]
    for new in edits:
        out = update_yaml(HAND_WRITTEN, new)
        assert parse_taxonomy(out) == new
        assert "# Topics of support tickets." in out and "# money first" in out
        removed = [line for line in changed_lines(HAND_WRITTEN, out) if line.startswith("-")]
        assert all("id: other" not in line and "Other" not in line for line in removed)
        assert len(changed_lines(HAND_WRITTEN, out)) < 14


def test_unreadable_original_falls_back_to_the_canonical_form():
    taxonomy = parse_taxonomy(HAND_WRITTEN)
    assert update_yaml("labels: [unclosed", taxonomy) == to_yaml(taxonomy)
