from pathlib import Path

import pandas as pd
import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats.annotations import read_annotations

DATA = Path(__file__).parent / "data"


def read(name):
    return read_annotations((DATA / name).read_bytes(), filename=name)


def test_prodigy_is_detected():
    assert read("prodigy_textcat.jsonl").format == "prodigy"


def test_choice_view_gives_one_row_per_accepted_option():
    rows = read("prodigy_textcat.jsonl").annotations
    assert sorted(map(tuple, rows[["item", "annotator", "label"]].values.tolist())) == [
        ("t-1", "support-alex", "BILLING"),
        ("t-1", "support-sam", "BILLING"),
        ("t-1", "support-sam", "OTHER"),
    ]


def test_meta_id_is_the_item_when_every_task_has_one():
    result = read("prodigy_textcat.jsonl")
    assert set(result.items) == {"t-1", "t-2"}
    assert result.items["t-2"] == {"text": "Package arrived crushed"}


def test_rejected_choice_and_ignored_tasks_are_skipped_and_counted():
    warnings = read("prodigy_textcat.jsonl").warnings
    assert "skipped 1 rejected choice tasks (no label applied)" in warnings
    assert "skipped 1 ignored tasks (answer 'ignore')" in warnings


def test_timestamp_is_unix_seconds():
    rows = read("prodigy_textcat.jsonl").annotations
    assert rows["created_at"].iloc[0] == pd.Timestamp(1709287200, unit="s", tz="UTC")


def test_binary_task_is_a_question_named_by_its_label():
    rows = read("prodigy_mixed.jsonl").annotations
    spam = rows[rows["dimension"] == "SPAM"]
    assert sorted(map(tuple, spam[["annotator", "label"]].values.tolist())) == [
        ("spam-alex", "accept"),
        ("spam-sam", "reject"),
    ]


def test_input_hash_is_the_item_when_ids_are_missing():
    result = read("prodigy_mixed.jsonl")
    assert set(result.annotations["item"]) == {"11", "12"}
    assert "items are identified by Prodigy's _input_hash" in result.warnings


def test_manual_spans_give_offsets_and_text():
    rows = read("prodigy_mixed.jsonl").annotations
    manual = rows[rows["annotator"] == "ner-alex"]
    assert manual[["label", "start", "end", "span_text"]].values.tolist() == [
        ["ORG", 0, 5, "Apple"],
        ["PERSON", 12, 20, "Tim Cook"],
    ]


def test_binary_ner_rejection_is_kept_as_a_reject_of_that_span():
    rows = read("prodigy_mixed.jsonl").annotations
    binary = rows[rows["annotator"] == "unknown"].iloc[0]
    assert (binary["dimension"], binary["label"], binary["start"]) == ("ORG", "reject", 0)


def test_missing_annotator_falls_back_to_unknown_with_a_warning():
    warnings = read("prodigy_mixed.jsonl").warnings
    assert any("1 tasks have no _annotator_id" in w for w in warnings)


def test_accept_naming_an_unknown_option_is_an_error():
    line = (
        b'{"text":"x","_input_hash":1,"options":[{"id":"A","text":"A"}],'
        b'"accept":["B"],"answer":"accept","_annotator_id":"a"}\n'
    )
    with pytest.raises(InvalidInput) as caught:
        read_annotations(line, filename="db.jsonl")
    assert caught.value.problems[0].line == 1


def test_unknown_answer_is_an_error_naming_the_line():
    lines = (
        b'{"text":"x","_input_hash":1,"label":"A","answer":"accept","_annotator_id":"a"}\n'
        b'{"text":"x","_input_hash":1,"label":"A","answer":"maybe","_annotator_id":"b"}\n'
    )
    with pytest.raises(InvalidInput) as caught:
        read_annotations(lines, format="prodigy")
    assert caught.value.problems[0].line == 2
