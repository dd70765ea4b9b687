"""Time read_annotations on a generated Label Studio export (default 200k tasks x 5 annotators).

    .venv/bin/python benchmarks/import_speed.py [--tasks N] [--annotators K] [--gzip]

Prints the file size, seconds, rows per second and peak RSS. The file is written
task by task into a temporary directory, so generating it costs little memory and
the peak RSS reported is the reader's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guidelines_app.domain.formats.annotations import read_annotations

LABELS = ("Positive", "Negative", "Neutral", "Mixed")


def _task(task_id: int, annotators: int, rng: random.Random) -> dict:
    annotations = []
    for k in range(annotators):
        annotations.append(
            {
                "id": task_id * annotators + k,
                "completed_by": {"id": k + 1, "email": f"annotator{k + 1}@example.org"},
                "result": [
                    {
                        "value": {"choices": [rng.choice(LABELS)]},
                        "id": f"r{task_id}-{k}",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "origin": "manual",
                    }
                ],
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": f"2024-03-{1 + k % 28:02d}T10:{k % 60:02d}:00.123456Z",
                "updated_at": f"2024-03-{1 + k % 28:02d}T10:{k % 60:02d}:30.654321Z",
                "lead_time": round(rng.uniform(2, 60), 3),
                "task": task_id,
                "project": 1,
            }
        )
    return {
        "id": task_id,
        "data": {"text": f"Review number {task_id}: the product arrived on time and works."},
        "annotations": annotations,
        "predictions": [],
        "meta": {},
        "created_at": "2024-02-01T09:00:00.000000Z",
        "project": 1,
    }


def write_export(path: Path, tasks: int, annotators: int, compress: bool) -> None:
    rng = random.Random(42)
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write("[")
        for task_id in range(1, tasks + 1):
            if task_id > 1:
                out.write(",")
            out.write(json.dumps(_task(task_id, annotators, rng), separators=(",", ":")))
        out.write("]")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--annotators", type=int, default=5)
    parser.add_argument("--gzip", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("export.json.gz" if args.gzip else "export.json")
        started = time.perf_counter()
        write_export(path, args.tasks, args.annotators, args.gzip)
        size = os.path.getsize(path)
        print(f"generated {path.name}: {size / 2**20:,.1f} MiB in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        before = peak_rss_mib()
        started = time.perf_counter()
        with open(path, "rb") as handle:
            result = read_annotations(handle, filename=path.name)
        seconds = time.perf_counter() - started
    rows = len(result.annotations)
    print(f"format: {result.format}, rows: {rows:,}, items: {len(result.items):,}")
    print(f"read in {seconds:.2f} s, {rows / seconds:,.0f} rows/s")
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB (before reading: {before:,.0f} MiB)")


if __name__ == "__main__":
    main()
