"""Big imports never block the team: short transactions, invisible until whole, all or nothing.

An import is driven with small chunks and a hook between them (no sleeps): another
connection writes while the import is halfway, every read misses the half-written batch,
a failure in the last chunk leaves nothing, and a process killed midway leaves a batch
that ``discard_abandoned`` deletes.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from guidelines_app.db import make_engine, session_scope
from guidelines_app.domain.errors import InvalidInput, NotFound
from guidelines_app.models import Annotation, AnnotationBatch, Dataset, Item
from guidelines_app.services import annotations
from guidelines_app.web import context
from tests.app.api_world import TokenClient, finished_import
from tests.factories import signed_in_client

SENTIMENT = "product-review-sentiment"
CHUNK = 10


def sentiment_csv(n_items: int = 20, *, prefix: str = "review", last_label: str = "") -> bytes:
    lines = ["item,annotator,label,created_at"]
    for i in range(n_items):
        for annotator in ("ann", "bob", "cat"):
            label = "positive" if (i + ord(annotator[0])) % 4 else "negative"
            lines.append(f"{prefix}-{i},{annotator},{label},")
    if last_label:
        lines.append(f"{prefix}-last,ann,{last_label},")
    return ("\n".join(lines) + "\n").encode()


def run_import(app, data: bytes, *, after_chunk=None, **options):
    extra = {"after_chunk": after_chunk} if after_chunk else {}
    with app.app_context(), session_scope(context.engine()) as session:
        return annotations.import_batch(
            session=session,
            store=context.store(),
            data=data,
            options=annotations.ImportOptions(
                dataset=options.pop("dataset", "reviews"),
                file_name=options.pop("file_name", "big.csv"),
                **options,
            ),
            chunk_size=CHUNK,
            **extra,
        )


def counts(app) -> dict[str, int]:
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (AnnotationBatch, Annotation, Item, Dataset)
        }


def test_another_writer_goes_ahead_while_an_import_is_between_chunks(app):
    impatient = make_engine(app.config["DATABASE_URL"], busy_timeout_ms=200)
    seen: list[int] = []

    def write_beside(done: int, total: int) -> None:
        if not done or done == total:
            return
        with session_scope(impatient) as session:  # "database is locked" after 200 ms
            session.add(Dataset(slug=f"other-{done}", name="written beside the import"))
            session.commit()
        seen.append(done)

    outcome = run_import(app, sentiment_csv(), after_chunk=write_beside)
    impatient.dispose()
    assert seen == [10, 20, 30, 40, 50]
    assert outcome.batch.n_annotations == 60
    assert counts(app) == {"AnnotationBatch": 1, "Annotation": 60, "Item": 20, "Dataset": 6}


def item_page(client, external_id: str) -> list[str]:
    """The item page's lines but those that carry the form token (new per request)."""
    page = client.get(f"/datasets/reviews/items/{external_id}").get_data(as_text=True)
    return [line for line in page.splitlines() if "csrf" not in line.lower()]


def test_a_batch_being_written_is_invisible_to_every_read(app):
    lead = signed_in_client(app, "lead", "lena")
    api = TokenClient(app, "tom", "viewer")
    run_import(app, sentiment_csv(5, prefix="early"), guideline=SENTIMENT, file_name="early.csv")
    item_page(lead, "early-0")  # shows the sign-in's flash message once
    before = {
        "report": lead.get(f"/guidelines/{SENTIMENT}/agreement/report.json").get_json(),
        "item": item_page(lead, "early-0"),
    }
    looked: list[int] = []

    def look(done: int, total: int) -> None:
        if done != 30:
            return
        with session_scope(context.engine(), write=False) as session:
            assert [b.file_name for b, _ in annotations.list_batches(session)] == ["early.csv"]
            assert annotations.count_batches(session) == 1
            half = session.exec(
                select(AnnotationBatch).where(AnnotationBatch.file_name == "big.csv")
            ).one()
            assert half.status == annotations.IMPORTING
            with pytest.raises(NotFound):
                annotations.get_batch(session, half.id or 0)
        overview = lead.get("/agreement").get_data(as_text=True)
        assert "early.csv" in overview and "big.csv" not in overview
        assert lead.get(f"/agreement/batches/{half.id}").status_code == 404
        listed = api.get("/api/v1/annotation-batches").get_json()["batches"]
        assert [b["file_name"] for b in listed] == ["early.csv"]
        assert api.get(f"/api/v1/annotation-batches/{half.id}").status_code == 404
        report = lead.get(f"/guidelines/{SENTIMENT}/agreement/report.json").get_json()
        assert report == before["report"]
        assert item_page(lead, "early-0") == before["item"]
        looked.append(done)

    data = sentiment_csv(5, prefix="early") + sentiment_csv(20).split(b"\n", 1)[1]
    run_import(app, data, guideline=SENTIMENT, after_chunk=look)
    assert looked == [30]
    assert "big.csv" in lead.get("/agreement").get_data(as_text=True)


def test_a_failure_in_the_last_chunk_leaves_no_batch_annotations_or_items(app):
    run_import(app, sentiment_csv(5), file_name="first.csv")
    kept = counts(app)

    def fail_last(done: int, total: int) -> None:
        if done == total:
            raise OSError("disk full")

    with pytest.raises(OSError):
        run_import(app, sentiment_csv(30), after_chunk=fail_last)
    assert counts(app) == kept == {"AnnotationBatch": 1, "Annotation": 15, "Item": 5, "Dataset": 1}
    with pytest.raises(OSError):
        run_import(app, sentiment_csv(30, prefix="new"), dataset="fresh", after_chunk=fail_last)
    assert counts(app) == kept  # the dataset it created is gone too


def test_a_bad_row_at_the_end_of_the_file_writes_nothing(app):
    with pytest.raises(InvalidInput) as refused:
        run_import(app, sentiment_csv(200, last_label="no-such-label"), guideline=SENTIMENT)
    assert "no-such-label" in refused.value.message
    assert counts(app) == {"AnnotationBatch": 0, "Annotation": 0, "Item": 0, "Dataset": 0}


KILLED_MIDWAY = """
import json, os, sys
from guidelines_app import create_app
from guidelines_app.db import session_scope
from guidelines_app.services import annotations
from guidelines_app.web import context

app = create_app(json.loads(sys.argv[1]))

def killed(done, total):
    if done >= 30:
        os._exit(9)  # no exception handler runs: as when the worker is killed

with app.app_context(), session_scope(context.engine()) as session, open(sys.argv[2], "rb") as f:
    options = annotations.ImportOptions(dataset="reviews", file_name="killed.csv")
    annotations.import_batch(
        session=session, store=context.store(), data=f, options=options,
        chunk_size=10, after_chunk=killed,
    )
"""


def test_an_import_killed_midway_is_found_and_discarded(app, tmp_path: Path):
    run_import(app, sentiment_csv(5, prefix="kept"), file_name="kept.csv")
    kept = counts(app)
    path = tmp_path / "killed.csv"
    path.write_bytes(sentiment_csv(30))
    config = {
        key: app.config[key]
        for key in ("TESTING", "SECRET_KEY", "DATA_DIR", "DATABASE_URL", "CONTENT_REPO")
    }
    done = subprocess.run(
        [sys.executable, "-c", KILLED_MIDWAY, json.dumps(config), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 9, done.stderr
    left = counts(app)
    assert left["AnnotationBatch"] == 2 and left["Annotation"] >= 15 + 30
    engine = app.extensions["guidelines.engine"]
    with session_scope(engine, write=False) as session:
        assert annotations.abandoned_imports(session) == []  # it began just now
        (abandoned,) = annotations.abandoned_imports(session, older_than=timedelta(0))
        assert [b.file_name for b, _ in annotations.list_batches(session)] == ["kept.csv"]
    assert annotations.discard_abandoned(engine) == []
    assert annotations.discard_abandoned(engine, older_than=timedelta(0)) == [abandoned.id]
    assert counts(app) == kept
    with app.app_context(), session_scope(context.engine()) as session:
        again = annotations.import_batch(
            session=session,
            store=context.store(),
            data=path.read_bytes(),
            options=annotations.ImportOptions(dataset="reviews", file_name="killed.csv"),
        )
    assert again.batch.n_annotations == 90


def big_csv(megabytes: float) -> bytes:
    """A CSV with a text column, so that 20 MB stays a few tens of thousands of rows."""
    out = io.StringIO()
    out.write("item,annotator,label,text\n")
    filler = "The product arrived on time and works as described; " * 6
    i = 0
    while out.tell() < megabytes * 1024 * 1024:
        for annotator in ("ann", "bob", "cat"):
            label = "positive" if (i + ord(annotator[0])) % 4 else "negative"
            out.write(f"review-{i},{annotator},{label},{filler}{i}\n")
        i += 1
    return out.getvalue().encode()


def test_a_20_mb_upload_through_the_api_is_accepted_and_imported(app):
    lead = TokenClient(app, "lena", "lead")
    data = big_csv(20)
    assert len(data) > 20 * 1024 * 1024
    # Encoded here in memory: the test client would spool a large body to a temporary
    # file it never closes.
    boundary, body = encode_multipart(
        {
            "dataset": "reviews",
            "guideline": SENTIMENT,
            "file": FileStorage(io.BytesIO(data), filename="big.csv", content_type="text/csv"),
        }
    )
    accepted = lead.post(
        "/api/v1/annotation-batches",
        json=None,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert accepted.json["status"] in ("queued", "running", "done"), accepted.json
    job = finished_import(lead, accepted).json
    assert (job["status"], job["stage"]) == ("done", "done"), job
    rows = data.count(b"\n") - 1
    batch = lead.get(job["batch_url"]).json
    assert batch["counts"]["annotations"] == rows
    assert batch["figures"]["counts"]["items"] == rows // 3
