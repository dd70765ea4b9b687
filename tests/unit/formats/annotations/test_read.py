import hashlib
import io
import json

import pytest

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.formats.annotations import AnnotationFile, read_annotations


def test_result_carries_format_hash_and_counts():
    data = b"item,annotator,label\n1,a,x\n1,b,y\n2,a,x\n"
    result = read_annotations(data, filename="f.csv")
    assert isinstance(result, AnnotationFile)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.warnings[-1] == "read 3 annotation rows on 2 items by 2 annotators"


def test_a_single_bad_row_returns_nothing_at_all():
    data = b"item,annotator,label\n" + b"1,a,x\n" * 1000 + b"2,,x\n"
    with pytest.raises(InvalidInput) as caught:
        read_annotations(data, filename="big.csv")
    assert [p.line for p in caught.value.problems] == [1002]


def test_binary_file_object_is_accepted():
    tasks = [{"id": 1, "data": {}, "annotations": [
        {"completed_by": 1, "result": [{"from_name": "s", "type": "choices",
                                        "value": {"choices": ["A"]}}]}]}]  # fmt: skip
    result = read_annotations(io.BytesIO(json.dumps(tasks).encode()))
    assert result.annotations["label"].tolist() == ["A"]
