"""Removing a batch: its annotations, figures and cached reports go, recorded in the audit log,
all at once or not at all; from the batch page, the API and the command line, for leads only.
Re-stamping a batch forgets only its guideline's reports and keeps its figures."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlmodel import col, func, select

from guidelines_app import create_app
from guidelines_app.db import session_scope, utcnow
from guidelines_app.domain.errors import NotFound
from guidelines_app.models import (
    Annotation,
    AnnotationBatch,
    AnnotationImport,
    AuditEvent,
    BatchFigures,
    ImportStatus,
    Item,
    ReportCache,
)
from guidelines_app.services import accounts, reports
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.store import Author
from guidelines_app.web import context
from guidelines_app.web.errors import status_of
from tests.app.api_world import TokenClient
from tests.app.test_annotation_import import sentiment_csv
from tests.conftest import app_config
from tests.factories import DEFAULT_PASSWORD, make_user, signed_in_client

SENTIMENT = "product-review-sentiment"
OTHER = "chatbot-preference"
LEAD = Author("Lena Lead", "lena@example.org")


def import_file(app: Flask, data: bytes, name: str, **options) -> int:
    """A batch as every import path makes it: the rows, then its figures."""
    with app.app_context(), session_scope(context.engine()) as session:
        outcome = annotation_batches.import_batch(
            session=session,
            store=context.store(),
            data=data,
            options=annotation_batches.ImportOptions(
                dataset=options.pop("dataset", "reviews"),
                file_name=name,
                guideline=options.pop("guideline", SENTIMENT),
                **options,
            ),
        )
        return outcome.batch.id or 0


def two_batches(app: Flask) -> tuple[int, int]:
    first = import_file(app, sentiment_csv(20), "first.csv")
    second = import_file(app, sentiment_csv(20, label="neutral"), "second.csv")
    return first, second


def counts(app: Flask, batch_id: int) -> dict[str, int]:
    """What the batch left in each table, and the rows every batch shares."""
    with app.app_context(), session_scope(context.engine(), write=False) as session:

        def count(model, *where) -> int:
            return int(session.exec(select(func.count()).select_from(model).where(*where)).one())

        return {
            "batch": count(AnnotationBatch, col(AnnotationBatch.id) == batch_id),
            "annotations": count(Annotation, col(Annotation.batch_id) == batch_id),
            "figures": count(BatchFigures, col(BatchFigures.batch_id) == batch_id),
            "reports": count(ReportCache, col(ReportCache.guideline) == SENTIMENT),
            "items": count(Item),
        }


def report_totals(client) -> tuple[int, int]:
    """(annotations, batches) the guideline's report.json counts over its releases."""
    response = client.get(f"/guidelines/{SENTIMENT}/agreement/report.json")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    releases = response.json["releases"]
    return (
        sum(r["totals"]["annotations"] for r in releases),
        sum(r["totals"]["batches"] for r in releases),
    )


def removals(app: Flask) -> list[AuditEvent]:
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.action == "annotations.remove"))
        )


def user_id(app: Flask, username: str) -> int | None:
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        return accounts.get_user(session, username).id


def running_job(app: Flask, *, updated_at=None) -> int:
    """An upload's row as the background import keeps it while it runs."""
    with app.app_context(), session_scope(context.engine()) as session:
        job = AnnotationImport(
            dataset="reviews",
            file_name="slow.csv",
            status=ImportStatus.RUNNING.value,
            stage=annotation_batches.COMPUTING,
        )
        if updated_at is not None:
            job.updated_at = updated_at
        session.add(job)
        session.commit()
        return job.id or 0


def finish_job(app: Flask, job_id: int) -> None:
    with app.app_context(), session_scope(context.engine()) as session:
        job = session.get(AnnotationImport, job_id)
        job.status, job.stage = ImportStatus.DONE.value, "done"
        session.commit()


def job_batch(app: Flask, job_id: int) -> int | None:
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        return session.get(AnnotationImport, job_id).batch_id


# The page ------------------------------------------------------------------------------


def test_lead_removes_a_batch_from_its_page_and_the_report_no_longer_counts_it(app, as_lead):
    first, second = two_batches(app)
    assert report_totals(as_lead) == (120, 2)
    before = counts(app, first)
    assert before["annotations"] == 60 and before["figures"] >= 1 and before["reports"] >= 1
    page = as_lead.get(f"/agreement/batches/{first}").get_data(as_text=True)
    assert f'action="/agreement/batches/{first}/remove"' in page
    assert 'name="confirm" value="yes"' in page and 'name="csrf_token"' in page

    response = as_lead.post(f"/agreement/batches/{first}/remove", data={"confirm": "yes"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/agreement")
    overview = as_lead.get("/agreement").get_data(as_text=True)
    assert f"Removed batch #{first} (first.csv) from reviews" in overview
    assert "60 annotations" in overview

    after = counts(app, first)
    assert (after["batch"], after["annotations"], after["figures"], after["reports"]) == (0,) * 4
    assert after["items"] == before["items"] == 20  # items belong to the dataset
    assert counts(app, second)["annotations"] == 60
    assert report_totals(as_lead) == (60, 1)
    assert as_lead.get(f"/agreement/batches/{first}").status_code == 404
    assert as_lead.get(f"/agreement/batches/{second}").status_code == 200
    assert as_lead.get("/datasets/reviews/items/review-1").status_code == 200


def test_without_the_confirmation_box_the_page_answers_422_and_nothing_is_removed(app, as_lead):
    first, _second = two_batches(app)
    report_totals(as_lead)
    before = counts(app, first)
    for data in ({}, {"confirm": "no"}):
        response = as_lead.post(f"/agreement/batches/{first}/remove", data=data)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "Nothing was removed: tick the box to confirm" in page
        assert f"Batch #{first}: first.csv" in page  # the batch page, with its form again
    assert counts(app, first) == before
    assert removals(app) == []


@pytest.mark.parametrize("role", ["annotator", "viewer"])
def test_annotators_and_viewers_may_not_remove_a_batch_nor_see_the_form(app, role):
    first, _second = two_batches(app)
    client = signed_in_client(app, role, f"a-{role}")
    before = counts(app, first)
    page = client.get(f"/agreement/batches/{first}").get_data(as_text=True)
    assert "Remove this batch" not in page
    response = client.post(f"/agreement/batches/{first}/remove", data={"confirm": "yes"})
    assert response.status_code == 403
    assert counts(app, first) == before


def test_removing_an_unknown_batch_is_404_on_the_page(app, as_lead):
    response = as_lead.post("/agreement/batches/999/remove", data={"confirm": "yes"})
    assert response.status_code == 404
    assert "no annotation batch #999" in response.get_data(as_text=True)


def test_the_form_carries_the_csrf_token_it_needs(tmp_path, database_url, content_repo):
    app = create_app(app_config(tmp_path, database_url, content_repo, WTF_CSRF_ENABLED=True))
    try:
        first, _second = two_batches(app)
        make_user(app, "ada", "lead")
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        signed_in = {"username": "ada", "password": DEFAULT_PASSWORD, "csrf_token": token}
        assert client.post("/login", data=signed_in).status_code == 302
        refused = client.post(f"/agreement/batches/{first}/remove", data={"confirm": "yes"})
        assert refused.status_code == 400
        assert counts(app, first)["batch"] == 1
        page = client.get(f"/agreement/batches/{first}").get_data(as_text=True)
        form = page[page.index(f'action="/agreement/batches/{first}/remove"') :]
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        data = {"confirm": "yes", "csrf_token": token}
        assert client.post(f"/agreement/batches/{first}/remove", data=data).status_code == 303
        assert counts(app, first)["batch"] == 0
    finally:
        app.extensions["guidelines.engine"].dispose()


# The audit log and the transaction -----------------------------------------------------


def test_a_removal_is_recorded_with_the_batch_name_dataset_and_annotation_count(app, as_lead):
    first, _second = two_batches(app)
    as_lead.post(f"/agreement/batches/{first}/remove", data={"confirm": "yes"})
    (event,) = removals(app)
    assert event.actor_id == user_id(app, "lena")
    assert (event.object_type, event.object_id) == ("annotation_batch", str(first))
    assert "first.csv" in event.summary and "reviews" in event.summary
    assert "60 annotations" in event.summary
    assert event.detail["file_name"] == "first.csv"
    assert event.detail["dataset"] == "reviews"
    assert event.detail["annotations"] == 60
    assert event.detail["guideline"] == SENTIMENT
    assert len(event.detail["sha256"]) == 64


def test_a_failure_midway_leaves_the_batch_whole(app, as_lead, monkeypatch):
    first, _second = two_batches(app)
    report_totals(as_lead)
    before = counts(app, first)

    def refuse(*_args, **_kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr("guidelines_app.services.audit.record", refuse)
    with (
        app.app_context(),
        session_scope(context.engine()) as session,
        pytest.raises(RuntimeError),
    ):
        annotation_batches.remove_batch(session=session, batch_id=first)
    assert counts(app, first) == before  # annotations, figures and reports all still there


def test_of_two_removals_at_once_the_second_finds_no_batch_and_records_nothing(app):
    first, _second = two_batches(app)
    engine = app.extensions["guidelines.engine"]
    outcome: list[BaseException | None] = []

    def second_removal() -> None:
        with session_scope(engine) as session:
            try:
                annotation_batches.remove_batch(session=session, batch_id=first)
                outcome.append(None)
            except BaseException as error:  # the answer is checked below
                outcome.append(error)

    with session_scope(engine) as session:  # the first removal, not yet committed
        session.execute(delete(Annotation).where(col(Annotation.batch_id) == first))
        session.execute(delete(BatchFigures).where(col(BatchFigures.batch_id) == first))
        session.execute(delete(AnnotationBatch).where(col(AnnotationBatch.id) == first))
        waiting = threading.Thread(target=second_removal)
        waiting.start()
        time.sleep(0.5)  # let it wait for the batch (if it has not started, it finds none)
        session.commit()
    waiting.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], NotFound)
    assert removals(app) == []


# A batch still being imported ----------------------------------------------------------


def test_a_batch_whose_upload_is_still_running_is_refused_with_409_everywhere(app, as_lead, runner):
    job_id = running_job(app)
    batch_id = import_file(app, sentiment_csv(20), "slow.csv", job_id=job_id)
    assert job_batch(app, job_id) == batch_id  # named by the batch's own transaction
    before = counts(app, batch_id)

    page = as_lead.post(f"/agreement/batches/{batch_id}/remove", data={"confirm": "yes"})
    assert page.status_code == 409
    assert "still being imported" in page.get_data(as_text=True)
    api = TokenClient(app, "apilead", "lead").delete(f"/api/v1/annotation-batches/{batch_id}")
    assert api.status_code == 409
    assert "still being imported" in api.json["error"]["message"]
    cli = runner.invoke(args=["batch", "remove", str(batch_id), "--yes"])
    assert cli.exit_code == 2 and "still being imported" in cli.output
    assert counts(app, batch_id) == before

    finish_job(app, job_id)
    assert (
        as_lead.post(f"/agreement/batches/{batch_id}/remove", data={"confirm": "yes"}).status_code
        == 303
    )
    assert counts(app, batch_id)["batch"] == 0
    assert job_batch(app, job_id) is None  # the upload's row stays, without its batch


def test_an_upload_that_stopped_long_ago_does_not_keep_its_batch(app, as_lead):
    job_id = running_job(app, updated_at=utcnow() - timedelta(hours=2))
    batch_id = import_file(app, sentiment_csv(20), "lost.csv", job_id=job_id)
    response = as_lead.post(f"/agreement/batches/{batch_id}/remove", data={"confirm": "yes"})
    assert response.status_code == 303
    assert counts(app, batch_id)["batch"] == 0


def test_a_background_upload_names_its_batch_and_the_batch_can_go_once_done(app, tmp_path):
    path = tmp_path / "upload.csv"
    path.write_bytes(sentiment_csv(20))
    options = annotation_batches.ImportOptions(
        dataset="reviews", file_name="upload.csv", guideline=SENTIMENT
    )
    with app.app_context(), session_scope(context.engine()) as session:
        job_id = annotation_batches.create_job(session=session, options=options).id or 0
    with app.app_context():
        annotation_batches.run_job(
            engine=context.engine(),
            store=context.store(),
            job_id=job_id,
            path=path,
            options=options,
            status_of=status_of,
        )
    batch_id = job_batch(app, job_id)
    assert batch_id is not None and counts(app, batch_id)["figures"] >= 1
    with app.app_context(), session_scope(context.engine()) as session:
        removed = annotation_batches.remove_batch(session=session, batch_id=batch_id)
    assert (removed.n_annotations, removed.file_name) == (60, "upload.csv")
    assert counts(app, batch_id)["batch"] == 0


# The API -------------------------------------------------------------------------------


def test_api_removes_a_batch_for_leads_with_204_and_no_body(app):
    first, second = two_batches(app)
    lead = TokenClient(app, "apilead", "lead")
    for role in ("annotator", "viewer"):
        refused = TokenClient(app, f"api{role}", role).delete(f"/api/v1/annotation-batches/{first}")
        assert refused.status_code == 403
    assert counts(app, first)["batch"] == 1
    response = lead.delete(f"/api/v1/annotation-batches/{first}")
    assert response.status_code == 204
    assert response.data == b"" and "Content-Type" not in response.headers
    assert lead.delete(f"/api/v1/annotation-batches/{first}").status_code == 404
    assert lead.delete("/api/v1/annotation-batches/abc").status_code == 404
    listed = lead.get("/api/v1/annotation-batches").json["batches"]
    assert [b["id"] for b in listed] == [second]
    (event,) = removals(app)
    assert event.actor_id == user_id(app, "apilead")


def test_the_openapi_document_declares_the_removal(client):
    document = client.get("/api/v1/openapi.json").json
    removal = document["paths"]["/api/v1/annotation-batches/{batch_id}"]["delete"]
    assert removal["x-least-role"] == "lead"
    assert set(removal["responses"]) >= {"204", "401", "403", "404", "409"}
    assert "content" not in removal["responses"]["204"]


# The command line ----------------------------------------------------------------------


def test_cli_removes_a_batch_with_yes_recording_the_actor(app, runner, as_lead):
    first, _second = two_batches(app)
    report_totals(as_lead)
    result = runner.invoke(args=["batch", "remove", str(first), "--yes", "--actor", "lena"])
    assert result.exit_code == 0, result.output
    assert f"removed batch #{first} (first.csv) from reviews" in result.output
    assert "60 annotations" in result.output and "of stored figures and" in result.output
    assert counts(app, first)["batch"] == 0
    assert report_totals(as_lead) == (60, 1)
    (event,) = removals(app)
    assert event.actor_id == user_id(app, "lena")


def test_cli_refuses_without_yes_unknown_ids_and_actors_who_are_not_leads(app, runner):
    first, _second = two_batches(app)
    make_user(app, "anna", "annotator")
    asked = runner.invoke(args=["batch", "remove", str(first)])
    assert asked.exit_code == 2 and "confirm with --yes" in asked.output
    unknown = runner.invoke(args=["batch", "remove", "999", "--yes"])
    assert unknown.exit_code == 2 and "no annotation batch #999" in unknown.output
    annotator = runner.invoke(args=["batch", "remove", str(first), "--yes", "--actor", "anna"])
    assert annotator.exit_code == 2 and "needs the lead role" in annotator.output
    nobody = runner.invoke(args=["batch", "remove", str(first), "--yes", "--actor", "nobody"])
    assert nobody.exit_code == 2 and "no user named 'nobody'" in nobody.output
    not_a_number = runner.invoke(args=["batch", "remove", "first", "--yes"])
    assert not_a_number.exit_code == 2
    assert counts(app, first)["batch"] == 1 and removals(app) == []


# Cached reports ------------------------------------------------------------------------


def test_a_batch_imported_after_a_removal_never_meets_the_removed_batchs_key(app):
    """SQLite gives the new batch the removed one's id; its file and figures differ."""
    first = import_file(app, sentiment_csv(20), "first.csv")
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        before, _releases = reports.fingerprint(
            session=session, store=context.store(), slug=SENTIMENT
        )
    with app.app_context(), session_scope(context.engine()) as session:
        annotation_batches.remove_batch(session=session, batch_id=first)
    import_file(app, sentiment_csv(20, label="neutral"), "other.csv")
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        after, _releases = reports.fingerprint(
            session=session, store=context.store(), slug=SENTIMENT
        )
    assert after != before


def test_forget_drops_one_guidelines_reports_only(app, as_viewer):
    two_batches(app)
    report_totals(as_viewer)
    assert as_viewer.get(f"/guidelines/{OTHER}/agreement/report.json").status_code == 200
    with app.app_context(), session_scope(context.engine()) as session:
        forgotten = reports.forget(session, guideline=SENTIMENT)
        session.commit()
    assert forgotten >= 1
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        kept = set(session.exec(select(ReportCache.guideline)).all())
    assert kept == {OTHER}


# Re-stamping ---------------------------------------------------------------------------


def _figures_rows(app: Flask, batch_id: int) -> list[tuple]:
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        rows = session.exec(
            select(BatchFigures).where(col(BatchFigures.batch_id) == batch_id)
        ).all()
        return sorted((r.dimension, r.figures_version, r.computed_at, r.figures) for r in rows)


def test_restamping_forgets_only_its_guidelines_reports_and_keeps_the_figures(app, as_lead):
    store = app.extensions["guidelines.store"]
    store.create_release(
        f"guidelines/{SENTIMENT}.md", rev=store.head(), message="First release.", tagger=LEAD
    )
    first, _second = two_batches(app)
    figures = _figures_rows(app, first)
    assert figures  # computed at import
    report_totals(as_lead)
    assert as_lead.get(f"/guidelines/{OTHER}/agreement/report.json").status_code == 200
    assert counts(app, first)["reports"] >= 1

    response = as_lead.post(f"/agreement/batches/{first}/release", data={"release": "v1"})
    assert response.status_code == 302
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        batch = session.get(AnnotationBatch, first)
        assert (batch.guideline_version, batch.release_rule) == (1, "given")
        kept = set(session.exec(select(ReportCache.guideline)).all())
    assert kept == {OTHER}  # the re-stamped guideline's reports went, no other's
    assert as_lead.get(f"/agreement/batches/{first}").status_code == 200
    report_totals(as_lead)
    assert _figures_rows(app, first) == figures  # the same rows: never computed again
