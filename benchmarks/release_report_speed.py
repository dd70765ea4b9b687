"""Speed of the release-by-release report through the service layer and its cache.

Builds, in a temporary folder, a content repository whose guideline has 10 releases a
week apart, and a SQLite database with one batch per release: ``--annotations`` in all
(default 2,000,000), each item rated by 3 of 8 annotators over 3 labels, agreement rising
a little with each release; half the batches name their release, the others are stamped
from their timestamps. Then times:

- the report cold (every release's coefficients with bootstrap intervals, each release
  against the previous, weekly timelines, drift, hotspots), which is computed once;
- the report warm: what every later page view costs (read from the cache, keyed by the
  batches and releases it depends on);
- one comparison of two releases, cold, with ``--resamples`` bootstrap resamples and as
  many permutations (it reads only the annotations of those two releases).

    python benchmarks/release_report_speed.py [--annotations 2000000] [--resamples 1000]

Goals: the timeline (the report) under 1 s warm, a comparison under 5 s cold. Figures are
printed, not asserted.
"""

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from guidelines_app.db import make_engine, session_scope
from guidelines_app.models import Annotation, AnnotationBatch, Dataset, Item
from guidelines_app.services import reports
from guidelines_app.services.ops import schema, setup
from guidelines_app.store import Author, ContentStore

SLUG = "product-review-sentiment"
PATH = f"guidelines/{SLUG}.md"
LABELS = ("positive", "negative", "neutral")
RELEASES = 10
RATERS = 3
ANNOTATORS = [f"annotator-{n}" for n in range(8)]
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
WHO = Author("Bench", "bench@example.org")


def build_content(path: Path) -> ContentStore:
    store = ContentStore.create(path, files=setup.starter_files(), author=WHO)
    for version in range(1, RELEASES + 1):
        when = T0 + timedelta(weeks=version - 1)
        if version > 1:
            text = store.read(PATH).text + f"\nClarification {version}.\n"
            store.write(
                {PATH: text.encode()}, base=None, author=WHO, message=f"r{version}", when=when
            )
        store.create_release(PATH, rev=store.head(), message=f"v{version}", tagger=WHO, when=when)
    return store


def fill(engine, annotations: int) -> None:
    rng = random.Random(7)
    per_release = annotations // RELEASES
    items_per_release = per_release // RATERS
    with session_scope(engine) as session:
        dataset_id = session.execute(
            insert(Dataset).values(slug="bench", name="bench", created_at=T0)
        ).inserted_primary_key[0]
        item_id = 0
        for version in range(1, RELEASES + 1):
            batch_id = session.execute(
                insert(AnnotationBatch).values(
                    dataset_id=dataset_id,
                    source_format="csv",
                    file_name=f"v{version}.csv",
                    sha256=f"{version:064d}",
                    imported_at=T0,
                    guideline=SLUG,
                    guideline_version=version,
                    # half the batches named their release at import, half were stamped
                    # from their timestamps (read through the release windows)
                    release_rule="given" if version % 2 else "timestamps",
                    first_annotated_at=T0 + timedelta(weeks=version - 1, hours=1),
                    last_annotated_at=T0 + timedelta(weeks=version - 1, hours=1, seconds=600_000),
                    taxonomy=SLUG,
                    n_annotations=per_release,
                    n_items=items_per_release,
                    n_annotators=len(ANNOTATORS),
                    notes=[],
                    status="imported",
                )
            ).inserted_primary_key[0]
            items = [
                {
                    "dataset_id": dataset_id,
                    "external_id": f"i{item_id + n}",
                    "meta": {},
                    "created_at": T0,
                }
                for n in range(items_per_release)
            ]
            session.execute(insert(Item), items)
            accuracy = 0.70 + 0.02 * version
            rows = []
            start = T0 + timedelta(weeks=version - 1, hours=1)
            for n in range(items_per_release):
                truth = LABELS[n % 3]
                for annotator in rng.sample(ANNOTATORS, RATERS):
                    label = truth if rng.random() < accuracy else rng.choice(LABELS)
                    rows.append({
                        "batch_id": batch_id, "item_id": item_id + n + 1, "annotator": annotator,
                        "label": label, "dimension": "", "gold": False,
                        "created_at": start + timedelta(seconds=(n * 600_000) // items_per_release),
                    })  # fmt: skip
                if len(rows) >= 200_000:
                    session.execute(insert(Annotation), rows)
                    rows = []
            if rows:
                session.execute(insert(Annotation), rows)
            item_id += items_per_release
        session.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=2_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = build_content(tmp / "content.git")
        engine = make_engine(f"sqlite:///{tmp / 'db.sqlite3'}")
        schema.upgrade(engine)
        started = time.perf_counter()
        fill(engine, args.annotations)
        print(
            f"{args.annotations:,} annotations in {RELEASES} releases stored "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with session_scope(engine) as session:

            def report():
                return reports.guideline_report(
                    session=session, store=store, slug=SLUG, resamples=args.resamples
                )

            started = time.perf_counter()
            cold = report()
            print(f"report cold (computed and cached): {time.perf_counter() - started:.2f} s")
            warm = []
            for _ in range(5):
                started = time.perf_counter()
                report()
                warm.append(time.perf_counter() - started)
            print(
                f"report warm (the timeline page's data), best of 5: {min(warm):.3f} s, "
                f"worst {max(warm):.3f} s"
            )
            started = time.perf_counter()
            compared = reports.compare(
                session=session,
                store=store,
                slug=SLUG,
                old="v2",
                new="v9",
                resamples=args.resamples,
            )
            print(
                f"comparison v2 -> v9 cold, {args.resamples} resamples + permutations: "
                f"{time.perf_counter() - started:.2f} s"
            )
            alpha = compared.change(reports.HEADLINE)
            if alpha is not None and alpha.difference is not None:
                print(
                    f"  alpha {alpha.before:.3f} -> {alpha.after:.3f}, "
                    f"difference {alpha.difference:+.3f} "
                    f"[{alpha.ci_low:.3f}, {alpha.ci_high:.3f}], {alpha.verdict}"
                )
            print(
                f"releases in the report: {len(cold.releases)}; "
                f"weekly points: {len(cold.timeline.weekly)}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
