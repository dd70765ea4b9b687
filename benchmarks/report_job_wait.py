"""How long a reader of a cold release report waits, now that it is a job.

Builds the data of ``release_report_speed.py`` (10 releases, ``--annotations`` in all, in
SQLite) and times, through the service the page calls:

- the cold answer: the report is not kept, so a report job is queued and the progress
  is returned (what the page and report.json answer with 202 at once);
- the job itself, run by ``jobs.run_pending`` as a worker thread would (the report, its
  light comparisons and each pair's full comparison, with the stage it reached written
  on the job's row as it goes);
- the answer after the job: the report read from the cache.

    python benchmarks/report_job_wait.py [--annotations 200000] [--resamples 300]

Figures are printed, not asserted.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from release_report_speed import SLUG, build_content, fill

from guidelines_app.db import make_engine, session_scope
from guidelines_app.services import jobs, reports
from guidelines_app.services.ops import schema


def state(engine, store, resamples):
    with session_scope(engine, write=False) as session:
        return reports.report_state(session=session, store=store, slug=SLUG, resamples=resamples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=200_000)
    parser.add_argument("--resamples", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = build_content(tmp / "content.git")
        engine = make_engine(f"sqlite:///{tmp / 'db.sqlite3'}")
        schema.upgrade(engine)
        fill(engine, args.annotations)
        print(f"{args.annotations:,} annotations in 10 releases, {args.resamples} resamples")

        started = time.perf_counter()
        cold = state(engine, store, args.resamples)
        print(
            f"cold answer (job #{cold.job.id} queued, progress returned): "
            f"{time.perf_counter() - started:.3f} s"
        )
        started = time.perf_counter()
        [job] = jobs.run_pending(engine, store)
        print(f"the job ({job.status}): {time.perf_counter() - started:.2f} s")
        times = []
        for _ in range(5):
            started = time.perf_counter()
            warm = state(engine, store, args.resamples)
            times.append(time.perf_counter() - started)
        assert warm.report is not None
        print(f"answer after the job (from the cache), best of 5: {min(times):.3f} s")


if __name__ == "__main__":
    main()
