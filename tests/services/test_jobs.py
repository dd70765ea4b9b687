"""Jobs kept in the database: one live job per key, exclusive claims, lost workers resumed."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import Session, select

from guidelines_app.db import utcnow
from guidelines_app.domain.errors import NotFound
from guidelines_app.models import Job
from guidelines_app.services import jobs

LATER = timedelta(minutes=10)
STALE = timedelta(minutes=2)


def _engine(app):
    return app.extensions["guidelines.engine"]


def _store(app):
    return app.extensions["guidelines.store"]


def test_enqueue_keeps_one_live_job_per_key(app):
    engine = _engine(app)
    first = jobs.enqueue(engine, kind="report", key="k1", payload={"n": 1})
    again = jobs.enqueue(engine, kind="report", key="k1", payload={"n": 2})
    other = jobs.enqueue(engine, kind="report", key="k2", payload={})
    assert again.id == first.id and again.payload == {"n": 1}
    assert other.id != first.id
    claimed = jobs.claim(engine, worker="w")
    assert claimed is not None and claimed.id == first.id
    assert jobs.enqueue(engine, kind="report", key="k1", payload={}).id == first.id  # running
    assert jobs.finish(engine, first.id, worker="w")
    after = jobs.enqueue(engine, kind="report", key="k1", payload={"n": 3})
    assert after.id not in (first.id, other.id) and after.status == "queued"
    assert jobs.latest(engine, "k1") == after


def test_enqueue_from_a_reading_session_writes_nothing_in_it(app):
    engine = _engine(app)
    with Session(engine) as reader:
        reader.exec(select(Job)).all()  # a snapshot is open
        job = jobs.enqueue(reader, kind="report", key="k", payload={})
        assert not reader.new and not reader.dirty
    assert jobs.get(engine, job.id).status == "queued"


def test_each_job_is_claimed_once_by_concurrent_workers(app):
    engine = _engine(app)
    queued = {jobs.enqueue(engine, kind="report", key=f"k{i}", payload={}).id for i in range(24)}
    claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    start = threading.Barrier(len(claimed))
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait()
            while (job := jobs.claim(engine, worker=name)) is not None:
                claimed[name].append(job.id)
        except BaseException as error:  # reported below, with the ids
            errors.append(error)

    threads = [threading.Thread(target=work, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    every = [i for ids in claimed.values() for i in ids]
    assert sorted(every) == sorted(queued)  # each job once, none left behind
    with Session(engine) as session:
        rows = session.exec(select(Job)).all()
    assert {row.status for row in rows} == {"running"}
    assert all(row.attempts == 1 for row in rows)
    assert {row.id: row.claimed_by for row in rows} == {
        i: name for name, ids in claimed.items() for i in ids
    }


def test_a_job_whose_heartbeat_stopped_is_resumed_by_another_worker(app):
    engine = _engine(app)
    job = jobs.enqueue(engine, kind="report", key="k", payload={})
    assert jobs.claim(engine, worker="lost") is not None
    assert jobs.progress(engine, job.id, worker="lost", stage="halfway", done=1, total=2)
    assert jobs.stuck(engine, stale_after=STALE) == []  # it beat a moment ago
    assert jobs.recover(engine, stale_after=STALE, max_attempts=3) == jobs.Recovered()

    later = utcnow() + LATER
    assert [j.id for j in jobs.stuck(engine, stale_after=STALE, now=later)] == [job.id]
    recovered = jobs.recover(engine, stale_after=STALE, max_attempts=3, now=later)
    assert recovered == jobs.Recovered(requeued=(job.id,))
    state = jobs.get(engine, job.id)
    assert state.status == "queued" and state.claimed_by is None and "resumed" in state.stage

    again = jobs.claim(engine, worker="next")
    assert again is not None and again.id == job.id and again.attempts == 2
    # the lost worker comes back: it no longer holds the job and changes nothing
    assert not jobs.finish(engine, job.id, worker="lost")
    assert not jobs.progress(engine, job.id, worker="lost", stage="late")
    assert jobs.get(engine, job.id).claimed_by == "next"
    assert jobs.finish(engine, job.id, worker="next")
    assert jobs.get(engine, job.id).status == "done"


def test_a_job_lost_too_often_fails_with_a_plain_message(app):
    engine = _engine(app)
    job = jobs.enqueue(engine, kind="report", key="k", payload={})
    for attempt in (1, 2):
        claimed = jobs.claim(engine, worker=f"lost-{attempt}")
        assert claimed is not None and claimed.attempts == attempt
        moment = utcnow() + attempt * LATER
        recovered = jobs.recover(engine, stale_after=STALE, max_attempts=2, now=moment)
    assert recovered == jobs.Recovered(failed=(job.id,))
    state = jobs.get(engine, job.id)
    assert state.status == "failed" and state.attempts == 2
    assert state.message == jobs.lost_message(2)
    assert "stopped 2 times without finishing" in state.message
    assert "Traceback" not in state.message
    # the key is free again: a new job can be queued for it
    assert jobs.enqueue(engine, kind="report", key="k", payload={}).id != job.id


def test_run_pending_runs_each_job_and_records_progress_and_refusals(app):
    engine = _engine(app)
    seen: list[tuple[str, int, int]] = []

    def counting(run: jobs.JobRun) -> None:
        for step in range(3):
            run.progress(f"step {step}", step, 3)
            row = jobs.get(run.engine, run.job.id)
            seen.append((row.stage, row.done, row.total))

    def refusing(run: jobs.JobRun) -> None:
        raise NotFound(f"no guideline named {run.payload['slug']!r}")

    kinds = {"count": counting, "refuse": refusing}
    ok = jobs.enqueue(engine, kind="count", key="a", payload={})
    bad = jobs.enqueue(engine, kind="refuse", key="b", payload={"slug": "gone"})
    odd = jobs.enqueue(engine, kind="unknown", key="c", payload={})
    ran = jobs.run_pending(engine, _store(app), worker="w", kinds=kinds)
    assert [j.id for j in ran] == [ok.id, bad.id, odd.id]
    assert seen == [("step 0", 0, 3), ("step 1", 1, 3), ("step 2", 2, 3)]
    by_id = {j.id: j for j in ran}
    assert by_id[ok.id].status == "done"
    assert by_id[bad.id].status == "failed"
    assert by_id[bad.id].message == "no guideline named 'gone'"
    assert by_id[odd.id].message == "no worker runs jobs of kind 'unknown'"
    assert jobs.run_pending(engine, _store(app), worker="w", kinds=kinds) == []


def test_a_background_worker_runs_what_is_queued(app):
    engine = _engine(app)
    ran = threading.Event()
    settings = jobs.RunnerSettings(poll_every=0.05)
    workers = jobs.Workers(engine, _store(app), settings, kinds={"note": lambda run: ran.set()})
    workers.start(1)
    try:
        job = jobs.enqueue(engine, kind="note", key="k", payload={})
        workers.wake.set()
        assert ran.wait(60)
    finally:
        workers.stop(timeout=60)
    assert not any(thread.is_alive() for thread in workers.threads)
    assert jobs.get(engine, job.id).status == "done"
