"""The agreement pages: batches, background upload with progress, the batch figures."""

from __future__ import annotations

import io
import threading
import time

from sqlmodel import select

from guidelines_app.db import session_scope
from guidelines_app.models import AnnotationImport, BatchFigures
from guidelines_app.services.annotations import importing as annotations
from guidelines_app.web import context
from tests.app.test_annotation_import import run_import, sentiment_csv, table_counts

SENTIMENT = "product-review-sentiment"


def upload(client, data: bytes, name: str = "upload.csv", **fields):
    form = {"dataset": "reviews", "format": "auto", **fields, "file": (io.BytesIO(data), name)}
    return client.post("/agreement/uploads", data=form, content_type="multipart/form-data")


def join_import_threads(timeout: float = 20.0) -> None:
    """Let background imports close their database sessions before the app is torn down."""
    for thread in threading.enumerate():
        if thread.name.startswith("annotation-import-"):
            thread.join(timeout)


def wait_for(client, location: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(location)
        page = response.get_data(as_text=True)
        if "Importing" in page and ("Imported as" in page or "Not imported" in page):
            join_import_threads()
            return response
        if time.monotonic() > deadline:
            raise AssertionError(f"the import did not finish: {page}")
        time.sleep(0.1)


def test_lead_uploads_a_file_and_is_led_to_the_batch(app, as_lead):
    response = upload(as_lead, sentiment_csv(), guideline=SENTIMENT)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/agreement/uploads/")
    done = wait_for(as_lead, location)
    assert done.status_code == 200
    assert "batch #1" in done.get_data(as_text=True)
    page = as_lead.get("/agreement/batches/1").get_data(as_text=True)
    for expected in (
        "Coefficients",
        "Krippendorff&#39;s alpha (nominal)",  # the catalogue's titles
        "Fleiss&#39; kappa (",  # the form the data called for, classic or generalised
        "Per label",
        "<svg",
        "Annotators",
    ):
        assert expected in page
    assert 'style="' not in page
    index = as_lead.get("/agreement").get_data(as_text=True)
    assert "upload.csv" in index and 'enctype="multipart/form-data"' in index


def test_failed_upload_shows_the_problems_with_the_error_status(app, as_lead):
    response = upload(as_lead, b"item,item,label\n1,2,3\n", name="dup.csv")
    done = wait_for(as_lead, response.headers["Location"])
    assert done.status_code == 422
    page = done.get_data(as_text=True)
    assert "dup.csv (line 1)" in page and "duplicate column" in page
    assert table_counts(app) == (0, 0, 0)


def test_uploading_the_same_file_twice_ends_with_409(app, as_lead):
    wait_for(as_lead, upload(as_lead, sentiment_csv()).headers["Location"])
    second = wait_for(as_lead, upload(as_lead, sentiment_csv(), name="b.csv").headers["Location"])
    assert second.status_code == 409
    assert "already imported" in second.get_data(as_text=True)
    assert table_counts(app)[0] == 1


def test_progress_fragment_polls_while_running_and_redirects_htmx_when_done(app, as_lead):
    with app.app_context(), session_scope(context.engine()) as session:
        job = AnnotationImport(dataset="reviews", file_name="big.csv", status="running")
        job.stage, job.done, job.total = "writing annotations", 500, 1000
        session.add(job)
        session.commit()
        job_id = job.id
    fragment = as_lead.get(f"/agreement/uploads/{job_id}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in text and "500 of 1,000" in text
    assert "<html" not in text
    full = as_lead.get(f"/agreement/uploads/{job_id}").get_data(as_text=True)
    assert "<html" in full and "Refresh this page" in full
    batch = run_import(app, sentiment_csv()).batch
    with app.app_context(), session_scope(context.engine()) as session:
        row = session.get(AnnotationImport, job_id)
        row.status, row.batch_id = "done", batch.id
        session.commit()
    finished = as_lead.get(f"/agreement/uploads/{job_id}", headers={"HX-Request": "true"})
    assert finished.headers["HX-Redirect"] == f"/agreement/batches/{batch.id}"


def test_bad_upload_form_answers_422_and_keeps_the_fields(app, as_lead):
    response = upload(as_lead, sentiment_csv(), dataset="Not A Slug!", release="seven")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "dataset" in page and "release" in page and "seven" in page
    empty = upload(as_lead, b"", name="empty.csv")
    assert empty.status_code == 422 and "empty" in empty.get_data(as_text=True)
    missing = as_lead.post("/agreement/uploads", data={"dataset": "reviews"})
    assert missing.status_code == 422


def test_annotators_table_is_for_leads_only(app, as_viewer):
    run_import(app, sentiment_csv())
    page = as_viewer.get("/agreement/batches/1").get_data(as_text=True)
    assert "Coefficients" in page and "Annotators" not in page
    assert "Import a batch" not in as_viewer.get("/agreement").get_data(as_text=True)
    assert upload(as_viewer, sentiment_csv()).status_code == 403


def test_batch_figures_are_computed_once_and_cached(app, as_viewer):
    run_import(app, sentiment_csv())
    as_viewer.get("/agreement/batches/1")
    as_viewer.get("/agreement/batches/1")
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        rows = session.exec(select(BatchFigures)).all()
    assert len(rows) == 1
    assert rows[0].figures["coefficients"]["percent_agreement"]["value"] is not None


def test_missing_batch_is_404_and_unknown_dimension_422(app, as_viewer):
    assert as_viewer.get("/agreement/batches/99").status_code == 404
    run_import(app, sentiment_csv())
    assert as_viewer.get("/agreement/batches/1?dimension=nope").status_code == 422


def test_navigation_shows_agreement(app, as_viewer):
    assert 'href="/agreement"' in as_viewer.get("/agreement").get_data(as_text=True)


def test_list_batches_is_newest_first(app):
    run_import(app, sentiment_csv(3))
    run_import(app, sentiment_csv(4), file_name="two.csv")
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        ids = [batch.id for batch, _dataset in annotations.list_batches(session)]
    assert ids == [2, 1]


def test_an_upload_that_stopped_long_ago_is_shown_as_interrupted(app, as_lead):
    from datetime import timedelta

    from guidelines_app.db import utcnow

    with app.app_context(), session_scope(context.engine()) as session:
        job = AnnotationImport(dataset="reviews", file_name="lost.csv", status="running")
        job.updated_at = utcnow() - timedelta(hours=2)
        session.add(job)
        session.commit()
        job_id = job.id
    page = as_lead.get(f"/agreement/uploads/{job_id}").get_data(as_text=True)
    assert "Not imported" in page and "upload it again" in page
    assert 'hx-trigger="every 1s"' not in page


def test_batch_page_shows_gold_accuracy(app, as_lead):
    rows = ["item,annotator,label,gold"]
    for i in range(6):
        rows += [
            f"r{i},ann,positive,false",
            f"r{i},bob,{'positive' if i % 3 else 'negative'},false",
        ]
        rows.append(f"r{i},expert,positive,true")
    run_import(app, ("\n".join(rows) + "\n").encode(), file_name="gold.csv")
    page = as_lead.get("/agreement/batches/1").get_data(as_text=True)
    assert "Gold items" in page
    assert "6 items have a gold label; 12 ratings compared; accuracy <strong>0.833</strong>" in page
