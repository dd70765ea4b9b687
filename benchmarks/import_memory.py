"""Import a generated CSV of about 100 MB into a new SQLite database, as `guidelines import` does.

    .venv/bin/python benchmarks/import_memory.py [--megabytes 100] [--chunk 10000]

Prints the file size, the wall time, the peak RSS of this process, and the longest single
write transaction of the import (what another writer, a sign-in or a comment, may wait
for at most). The write transactions are timed from SQLite's BEGIN IMMEDIATE to COMMIT
through SQLAlchemy's events, so the figure is what the database lock was held for.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from guidelines_app import create_app
from guidelines_app.db import session_scope
from guidelines_app.services import annotations, ops
from guidelines_app.web import context

LABELS = ("positive", "negative", "neutral", "mixed")


def write_csv(path: Path, megabytes: float) -> int:
    """item,annotator,label,created_at rows until the file has ``megabytes``; the row count."""
    rng = random.Random(7)
    limit = int(megabytes * 1024 * 1024)
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("item,annotator,label,created_at\n")
        size = 0
        item = 0
        while size < limit:
            item += 1
            for annotator in range(5):
                line = (
                    f"review-{item:08d},annotator-{annotator:02d},{rng.choice(LABELS)},"
                    f"2024-03-{1 + item % 28:02d}T10:{annotator:02d}:00Z\n"
                )
                out.write(line)
                size += len(line)
                rows += 1
    return rows


class TransactionClock:
    """The longest BEGIN IMMEDIATE .. COMMIT/ROLLBACK on the engine, in seconds."""

    def __init__(self, engine: Any) -> None:
        self.began: dict[int, float] = {}
        self.times: list[float] = []
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _begin(self, connection: Any) -> None:
        if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            self.began[id(connection)] = time.perf_counter()

    def _end(self, connection: Any) -> None:
        started = self.began.pop(id(connection), None)
        if started is not None:
            self.times.append(time.perf_counter() - started)

    def summary(self) -> str:
        """The longest, the median and the 99th percentile, in milliseconds."""
        ordered = sorted(self.times) or [0.0]
        median = ordered[len(ordered) // 2]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"{ordered[-1] * 1000:,.0f} ms (median {median * 1000:,.0f} ms, "
            f"99th percentile {p99 * 1000:,.0f} ms, {len(self.times):,} write transactions)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--chunk", type=int, default=annotations.CHUNK)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir()
        csv_path = Path(folder) / "big.csv"
        rows = write_csv(csv_path, args.megabytes)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        app = create_app({"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "benchmark"})
        with app.app_context():
            ops.upgrade(context.engine())
            clock = TransactionClock(context.engine())
            options = annotations.ImportOptions(dataset="reviews", file_name=csv_path.name)
            started = time.perf_counter()
            with session_scope(context.engine()) as session, csv_path.open("rb") as handle:
                outcome = annotations.import_batch(
                    session=session,
                    store=context.store(),
                    data=handle,
                    options=options,
                    chunk_size=args.chunk,
                )
            elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = csv_path.stat().st_size / 1024 / 1024
        print(f"file: {size:.1f} MiB, {rows:,} annotation rows (batch #{outcome.batch.id})")
        print(f"wall time: {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
        print(f"peak RSS: {peak:,.0f} MiB (before the import: {before:,.0f} MiB)")
        print(f"longest write transaction: {clock.summary()}, chunks of {args.chunk:,} rows")
        print(f"user CPU: {resource.getrusage(resource.RUSAGE_SELF).ru_utime:.1f} s")


if __name__ == "__main__":
    main()
