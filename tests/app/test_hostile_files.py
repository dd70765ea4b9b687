"""Files built to break a reader are refused with a message, in taxonomy and annotation imports.

Every taxonomy import format and every annotation format meets JSON nested 100,000 deep,
an entity bomb, a field larger than the CSV module reads, UTF-16 without a byte
order mark, invalid UTF-8 and binary: the page answers 422 saying the file was not
imported, the command exits 2 with a sentence, and nothing was written.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func
from sqlmodel import select

from guidelines_app.db import session_scope
from guidelines_app.domain.formats.annotations.registry import FORMATS
from guidelines_app.domain.formats.taxonomy_formats import IMPORT_KEYS
from guidelines_app.models import Annotation

DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<View><Choices name="c" toName="t"><Choice value="&c;"/></Choices>'
    b'<Text name="t" value="$t"/></View>'
)
HOSTILE_FILES = {
    "deep-json": DEEP_JSON,
    "deep-json-object": b'{"labels": ' + DEEP_JSON + b"}",
    "huge-field": b"name\n" + b'"' + b"x" * 300_000 + b'"\n',
    "one-huge-line": b"x" * 300_000 + b"\n",
    "utf-16-without-bom": "name\npositive\nnegative\n".encode("utf-16-le"),
    "invalid-utf-8": b"name\npos\xff\xfeitive\n",
    "binary": bytes(range(256)) * 8,
}


@pytest.mark.parametrize("fmt", IMPORT_KEYS)
def test_taxonomy_import_refuses_hostile_files_for_every_format(app, as_lead, fmt):
    store = app.extensions["guidelines.store"]
    head = store.head()
    files = dict(HOSTILE_FILES)
    if fmt == "labelstudio":
        files["entity-bomb"] = ENTITY_BOMB
    for name, data in files.items():
        response = as_lead.post(
            "/taxonomies/import",
            data={"slug": f"hostile-{fmt}", "format": fmt, "file": (io.BytesIO(data), name)},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (fmt, name, response.status_code, html[-500:])
        assert "not imported" in html, (fmt, name)
    assert store.head() == head


@pytest.mark.parametrize("fmt", ("auto", *FORMATS))
def test_annotation_import_refuses_hostile_files_for_every_format(app, runner, tmp_path, fmt):
    files = {
        "deep.json": b'[{"id": 1, "annotations": ' + DEEP_JSON + b"}]",
        "deep.jsonl": b'{"item": "r1", "annotator": "a", "label": ' + DEEP_JSON + b"}\n",
        "bare-deep.json": DEEP_JSON,
        "huge-field.csv": b"item,annotator,label\nr1,a," + b"x" * 300_000 + b"\n",
        "utf-16.csv": "item,annotator,label\nr1,a,positive\n".encode("utf-16-le"),
        "invalid.csv": b"item,annotator,label\nr1,a,pos\xffitive\nr1,b,positive\n",
        "binary.json": bytes(range(256)) * 8,
    }
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["import", str(path), "--dataset", "reviews", "--format", fmt])
        assert result.exit_code == 2, (fmt, name, result.output, result.exception)
        assert "Traceback" not in result.output
        assert "Error:" in result.output, (fmt, name, result.output)
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        assert session.exec(select(func.count()).select_from(Annotation)).one() == 0


def test_a_label_name_is_one_short_line(as_lead):
    long_name = "word " * 100
    response = as_lead.post(
        "/taxonomies/import",
        data={
            "slug": "long-names",
            "format": "text",
            "file": (io.BytesIO(f"short\n{long_name}\n".encode()), "labels.txt"),
        },
    )
    assert response.status_code == 422
    assert "at most 300 characters" in response.get_data(as_text=True)
