from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session, select

from guidelines_app.db import session_scope, utcnow
from guidelines_app.models import Annotation, AnnotationBatch, AnnotationImport, AuditEvent, Job
from guidelines_app.services import guidelines, jobs
from guidelines_app.store import Author

WHO = Author("Outside", "outside@example.org")


def test_check_is_clean_on_the_starter_content(runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output


def test_check_reports_unreadable_and_inconsistent_content(app, runner):
    store = app.extensions["guidelines.store"]
    text = store.read("guidelines/news-entities.md").text
    store.write(
        {
            "guidelines/news-entities.md": (text + "\nSee [[label:unicorn]].\n").encode(),
            "guidelines/broken.md": b"no front matter at all\n",
            "taxonomies/bad.yaml": (
                b"name: Bad\nkind: single-choice\nlabels:\n  - id: a/b\n    name: A\n"
            ),
        },
        base=None,
        author=WHO,
        message="Pushed by hand",
    )
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "guidelines/news-entities.md: text: unknown label [[label:unicorn]]" in result.output
    assert "guidelines/broken.md" in result.output
    assert "taxonomies/bad.yaml" in result.output


def _engine(app):
    return app.extensions["guidelines.engine"]


def test_check_finds_a_job_whose_worker_died_and_repair_requeues_it(app, runner):
    engine = _engine(app)
    job = jobs.enqueue(engine, kind="report", key="report:k", payload={"slug": "x"})
    assert jobs.claim(engine, worker="host:123:dead") is not None
    with Session(engine) as session:
        row = session.get(Job, job.id)
        row.heartbeat_at = utcnow() - timedelta(hours=1)
        session.add(row)
        session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"jobs: job #{job.id} (report) has been running since" in result.output
    assert "its worker host:123:dead is gone (fixable with --repair)" in result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert f"repaired: requeued 1 stuck jobs: #{job.id}" in repaired.output
    assert jobs.get(engine, job.id).status == "queued"
    assert runner.invoke(args=["check"]).exit_code == 0


def test_check_finds_an_import_left_running_by_a_dead_process(app, runner):
    long_ago = utcnow() - timedelta(hours=3)
    with Session(_engine(app)) as session:
        stuck = AnnotationImport(
            dataset="reviews",
            file_name="big.csv",
            status="running",
            stage="writing annotations",
            created_at=long_ago,
            updated_at=long_ago,
        )
        alive = AnnotationImport(dataset="reviews", file_name="new.csv", status="running")
        session.add_all([stuck, alive])
        session.commit()
        stuck_id, alive_id = stuck.id, alive.id
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"imports: import #{stuck_id} of 'big.csv' is still running" in result.output
    assert "new.csv" not in result.output  # it moved a moment ago
    repaired = runner.invoke(args=["check", "--repair"])
    assert f"repaired: marked 1 interrupted imports as failed: #{stuck_id}" in repaired.output
    with Session(_engine(app)) as session:
        assert session.get(AnnotationImport, stuck_id).status == "failed"
        assert session.get(AnnotationImport, stuck_id).stage == "interrupted"
        assert session.get(AnnotationImport, alive_id).status == "running"


def test_check_finds_a_batch_left_half_written_and_repair_deletes_it(app, runner, tmp_path):
    path = tmp_path / "half.csv"
    path.write_text("item,annotator,label\nr1,a,positive\nr1,b,negative\nr2,a,neutral\n")
    assert runner.invoke(args=["import", str(path), "--dataset", "reviews"]).exit_code == 0
    with Session(_engine(app)) as session:  # as a process killed between two chunks leaves it
        batch = session.exec(select(AnnotationBatch)).one()
        batch.status, batch.imported_at = "importing", utcnow() - timedelta(hours=2)
        session.add(batch)
        session.commit()
        batch_id = batch.id
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"imports: batch #{batch_id} of 'half.csv' has been importing since" in result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert f"deleted 1 half-written batches: #{batch_id}" in repaired.output
    with Session(_engine(app)) as session:
        assert session.get(AnnotationBatch, batch_id) is None
        assert session.exec(select(Annotation)).all() == []
    assert runner.invoke(args=["check"]).exit_code == 0


def test_check_finds_uploads_no_import_will_read_and_repair_deletes_them(app, runner):
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    folder.mkdir(parents=True)
    orphan, fresh = folder / "a.upload", folder / "b.upload"
    orphan.write_bytes(b"x" * 3072)
    fresh.write_bytes(b"y" * 10)  # may be an import's whose row is being written
    an_hour_ago = time.time() - 3600
    os.utime(orphan, (an_hour_ago, an_hour_ago))
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"uploads: 1 uploaded file in {folder} (3.0 KiB) belong to no import" in result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert "repaired: deleted 1 orphaned uploads (3.0 KiB)" in repaired.output
    assert not orphan.exists() and fresh.exists()


def test_check_finds_a_commit_of_the_app_whose_audit_row_is_missing(app, runner):
    store = app.extensions["guidelines.store"]
    slug = "news-entities"
    text = store.read(f"guidelines/{slug}.md").text
    with app.app_context(), session_scope(_engine(app)) as session:
        outcome = guidelines.save_guideline(
            session=session,
            store=store,
            slug=slug,
            text=text + "\nOne more line.\n",
            base=store.head(),
            author=WHO,
            message="Clarify the scope",
        )
    commit = outcome.result.commit
    assert commit.trailer_values("Audit-Action") == ["guideline.save"]
    store.write({"notes.txt": b"by hand\n"}, base=None, author=WHO, message="Pushed by hand")
    assert runner.invoke(args=["check"]).exit_code == 0  # the audit row is there
    with Session(_engine(app)) as session:
        session.execute(delete(AuditEvent))
        session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"audit: commit {commit.short_id} (guideline.save by Outside" in result.output
    assert "'Clarify the scope') has no audit row" in result.output
    assert "Pushed by hand" not in result.output  # not the app's: no trailer
    repaired = runner.invoke(args=["check", "--repair"])
    assert f"recorded 1 audit rows from their commits: {commit.short_id}" in repaired.output
    with Session(_engine(app)) as session:
        event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.object_type, event.object_id) == (
        "guideline.save",
        "guideline",
        slug,
    )
    assert event.detail["commit"] == commit.id and event.detail["recovered"] is True
    assert event.summary == "Clarify the scope"
    assert runner.invoke(args=["check"]).exit_code == 0


def test_check_with_an_unreachable_database_says_so_in_one_sentence(tmp_path, content_repo):
    data = tmp_path / "data"
    data.mkdir()
    environment = {
        **os.environ,
        "GUIDELINES_DATA_DIR": str(data),
        "GUIDELINES_CONTENT_REPO": str(content_repo),
        "GUIDELINES_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x",
    }
    command = Path(sys.executable).with_name("guidelines")
    done = subprocess.run(
        [str(command), "check"], env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "Error: cannot reach the database postgresql+psycopg://nobody@127.0.0.1:1/x "
        "(OperationalError): is it running, and is GUIDELINES_DATABASE_URL right?"
    ]
