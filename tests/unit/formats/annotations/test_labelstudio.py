import json
from pathlib import Path

import pandas as pd
import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats.annotations import COLUMNS, read_annotations

DATA = Path(__file__).parent / "data"


def read_export():
    path = DATA / "labelstudio_export.json"
    return read_annotations(path.read_bytes(), filename=path.name)


def task(task_id, *annotations):
    return {"id": task_id, "data": {"text": f"text {task_id}"}, "annotations": list(annotations)}


def choice(annotator, label, from_name="sentiment", **extra):
    result = [{"from_name": from_name, "to_name": "text", "type": "choices",
               "value": {"choices": [label]}}]  # fmt: skip
    return {"completed_by": annotator, "result": result, "was_cancelled": False,
            "created_at": "2024-01-01T00:00:00Z", **extra}  # fmt: skip


def read_tasks(*tasks):
    return read_annotations(json.dumps(list(tasks)).encode(), filename="export.json")


def test_export_is_detected_and_read_into_the_long_table():
    result = read_export()
    assert result.format == "labelstudio"
    assert list(result.annotations.columns) == list(COLUMNS)
    assert str(result.annotations["created_at"].dtype) == "datetime64[ns, UTC]"
    assert str(result.annotations["start"].dtype) == "Int64"


def test_one_row_per_label_with_dimension_from_the_control_tag():
    rows = read_export().annotations
    sentiment = rows[rows["dimension"] == "sentiment"]
    assert sorted(map(tuple, sentiment[["item", "annotator", "label"]].values.tolist())) == [
        ("101", "3", "Mixed"),
        ("101", "bea@example.org", "Negative"),
        ("102", "3", "Positive"),
    ]


def test_completed_by_object_gives_the_email_and_integer_gives_the_id():
    annotators = set(read_export().annotations["annotator"])
    assert annotators == {"3", "bea@example.org"}


def test_cancelled_annotations_are_skipped_and_counted():
    result = read_export()
    assert "5" not in set(result.annotations["annotator"])
    assert "skipped 1 cancelled annotations" in result.warnings


def test_predictions_are_not_read_as_annotations():
    rows = read_export().annotations
    assert not ((rows["item"] == "101") & (rows["label"] == "Positive")).any()


def test_ground_truth_sets_gold_on_every_row_of_that_annotation():
    rows = read_export().annotations
    assert rows.loc[rows["annotator"] == "3", "gold"].tolist() == [True] * 4 + [False]
    assert not rows.loc[rows["annotator"] == "bea@example.org", "gold"].any()


def test_taxonomy_label_is_the_leaf_and_label_path_the_whole_path():
    rows = read_export().annotations
    topic = rows[rows["dimension"] == "topic"]
    assert topic["label"].tolist() == ["Delay", "Service"]
    assert topic["label_path"].tolist() == ["Logistics / Shipping / Delay", "Service"]


def test_span_labels_keep_offsets_and_text():
    rows = read_export().annotations
    span = rows[rows["dimension"] == "aspects"].iloc[0]
    assert (span["label"], span["start"], span["end"], span["span_text"]) == (
        "ASPECT", 4, 12, "delivery"
    )  # fmt: skip


def test_rating_value_becomes_the_label_text():
    rows = read_export().annotations
    assert rows.loc[rows["dimension"] == "quality", "label"].tolist() == ["2"]


def test_created_at_is_parsed_as_utc():
    rows = read_export().annotations
    first = rows[(rows["item"] == "102")].iloc[0]
    assert first["created_at"] == pd.Timestamp("2024-03-01T10:20:00Z")


def test_items_snapshot_holds_the_task_data():
    items = read_export().items
    assert items["102"] == {"text": "Great value for money."}
    assert items["101"]["source"] == "reviews-2024"


def test_single_control_tag_gives_an_empty_dimension():
    result = read_tasks(task(1, choice(1, "A"), choice(2, "B")))
    assert result.annotations["dimension"].tolist() == ["", ""]


def test_created_at_falls_back_to_updated_at_and_may_be_missing():
    first = choice(1, "A")
    del first["created_at"]
    first["updated_at"] = "2024-05-05T05:05:05Z"
    second = choice(2, "B")
    del second["created_at"]
    rows = read_tasks(task(1, first, second)).annotations
    assert rows["created_at"].iloc[0] == pd.Timestamp("2024-05-05T05:05:05Z")
    assert pd.isna(rows["created_at"].iloc[1])


def test_two_annotations_by_one_annotator_on_one_item_are_kept_with_a_warning():
    result = read_tasks(task(1, choice(1, "A"), choice(1, "B"), choice(2, "A")))
    assert len(result.annotations) == 3
    assert any("1 (item, annotator, dimension) combinations" in w for w in result.warnings)


def test_multi_choice_in_one_annotation_is_not_a_duplicate():
    annotation = choice(1, "A")
    annotation["result"][0]["value"]["choices"] = ["A", "B"]
    result = read_tasks(task(1, annotation))
    assert result.annotations["label"].tolist() == ["A", "B"]
    assert not any("combinations" in w for w in result.warnings)


def test_missing_completed_by_is_an_error_naming_task_and_line():
    broken = choice(None, "A")
    text = json.dumps([task(1, choice(1, "A")), task(2, broken)], indent=1)
    with pytest.raises(InvalidInput) as caught:
        read_annotations(text.encode(), filename="export.json")
    (problem,) = caught.value.problems
    assert "task[1].annotations[0]" in problem.path
    assert "export.json" in problem.path
    assert problem.line == text.splitlines().index(" {", 2) + 1


def test_empty_choice_label_is_an_error():
    with pytest.raises(InvalidInput, match="label is empty"):
        read_tasks(task(1, choice(1, "")))


def test_unexpected_result_shape_is_an_error():
    annotation = choice(1, "A")
    annotation["result"][0]["value"] = {"choices": "A"}
    with pytest.raises(InvalidInput, match="unexpected shape"):
        read_tasks(task(1, annotation))


def test_a_file_of_only_cancelled_annotations_has_no_annotations():
    with pytest.raises(InvalidInput, match=r"no annotations found.*cancelled"):
        read_tasks(task(1, choice(1, "A", was_cancelled=True)))


def test_invalid_json_reports_line_and_column():
    text = b'[\n {"id": 1, "data": {}, "annotations": []},\n {"id": 2,, }\n]'
    with pytest.raises(InvalidInput) as caught:
        read_annotations(text, format="labelstudio")
    assert caught.value.problems[0].line == 3
    assert "column" in caught.value.problems[0].message


def test_relation_results_are_skipped_and_counted():
    annotation = choice(1, "A")
    annotation["result"].append({"type": "relation", "from_id": "x", "to_id": "y"})
    result = read_tasks(task(1, annotation))
    assert "skipped 1 results of unsupported type 'relation'" in result.warnings
    assert len(result.annotations) == 1


def test_result_with_an_empty_choice_list_is_skipped_and_counted():
    annotation = choice(1, "A")
    annotation["result"].append({"from_name": "topic", "type": "choices", "value": {"choices": []}})
    result = read_tasks(task(1, annotation))
    assert "skipped 1 results with no label" in result.warnings


@pytest.mark.parametrize(
    ("bad", "message"),
    [('"lead_time": NaN', "NaN is not valid JSON"), ('"id": 9, "id": 10', "duplicate key 'id'")],
)
def test_strict_json_errors_name_the_task_they_are_in(bad, message):
    good = json.dumps(task(1, choice(1, "A")))
    broken = '{"data": {}, "annotations": [{' + bad + ', "completed_by": 1, "result": []}]}'
    text = "[\n" + good + ",\n" + broken + "\n]"
    with pytest.raises(InvalidInput) as caught:
        read_annotations(text.encode(), filename="export.json")
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.line == 3


def test_blank_task_id_and_blank_annotator_are_errors():
    with pytest.raises(InvalidInput) as caught:
        read_tasks(task("  ", choice(1, "A")), task(2, choice(" ", "A")))
    assert [p.message for p in caught.value.problems] == ["item is empty", "annotator is empty"]
