import json
from pathlib import Path

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats.annotations import read_annotations

DATA = Path(__file__).parent / "data"


def read_min(**kwargs):
    path = DATA / "labelstudio_min.json"
    return read_annotations(path.read_bytes(), filename=path.name, **kwargs)


def test_json_min_is_detected():
    assert read_min().format == "labelstudio-min"


def test_control_tags_between_id_and_annotator_are_dimensions():
    rows = read_min().annotations
    assert set(rows["dimension"]) == {"sentiment", "aspects", "topic"}


def test_data_fields_go_to_the_item_snapshot_not_the_table():
    result = read_min()
    assert result.items["101"]["source"] == "reviews-2024"
    assert "reviews-2024" not in set(result.annotations["label"])


def test_single_choice_string_and_multi_choice_object_both_give_labels():
    rows = read_min().annotations
    sentiment = rows[rows["dimension"] == "sentiment"]
    assert sorted(map(tuple, sentiment[["annotator", "label"]].values.tolist())) == [
        ("3", "Mixed"),
        ("bea@example.org", "Mixed"),
        ("bea@example.org", "Negative"),
    ]


def test_spans_and_taxonomy_lists_are_read_like_the_full_export():
    rows = read_min().annotations
    span = rows[rows["dimension"] == "aspects"].iloc[0]
    assert (span["start"], span["end"], span["span_text"]) == (4, 12, "delivery")
    topic = rows[rows["dimension"] == "topic"].iloc[0]
    assert (topic["label"], topic["label_path"]) == ("Delay", "Logistics / Shipping / Delay")


def test_columns_name_the_control_tags_explicitly():
    rows = read_min(columns={"label": "sentiment"}).annotations
    assert set(rows["label"]) == {"Mixed", "Negative"}


def test_record_without_annotator_is_an_error():
    records = [{"text": "x", "id": 1, "sentiment": "A", "annotator": None}]
    with pytest.raises(InvalidInput, match="'annotator'"):
        read_annotations(json.dumps(records).encode(), format="labelstudio-min")
