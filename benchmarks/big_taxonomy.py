"""Speed of a 10,000-label taxonomy's pages, and of /taxonomies with it present.

Writes the starter content and a taxonomy of ``--labels`` labels three levels deep (16 top
labels, 24 under each, the rest below those; each with a description and a synonym, about
1.7 MB of YAML) into a fresh content repository, releases it, renames one label in the
draft, then times through Flask's test client, signed in as a lead: ``/taxonomies``, the
taxonomy page (first and third page of the tree), a leaf's permalink, the diff of the
release against the draft, the history and the releases. The first request of each page
is the cold one (it parses the YAML once per blob); the median of the next ``--repeat``
is the warm figure.

    .venv/bin/python benchmarks/big_taxonomy.py [--labels 10000] [--repeat 20]

Goals: every warm page under 300 ms; /taxonomies as fast as without the big taxonomy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guidelines_app import create_app
from guidelines_app.db import make_engine, session_scope
from guidelines_app.services.accounts import users as accounts
from guidelines_app.services.ops import schema, setup
from guidelines_app.store import ContentStore
from tests.app.taxonomy_helpers import deep_taxonomy, release, write

PAGES = (
    "/taxonomies",
    "/taxonomies/deep",
    "/taxonomies/deep?page=3",
    "/taxonomies/deep/labels/t15-m23-l24",
    "/taxonomies/deep/diff",
    "/taxonomies/deep/history",
    "/taxonomies/deep/releases",
)


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    start = time.perf_counter()
    response = client.get(url)
    cold = (time.perf_counter() - start) * 1000
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return cold, statistics.median(samples), response.status_code


def app_for(folder: Path, with_big: bool, labels: int):
    repo = folder / ("big.git" if with_big else "plain.git")
    ContentStore.create(repo, files=setup.starter_files(), author=setup.SETUP_AUTHOR)
    url = f"sqlite:///{folder / ('big' if with_big else 'plain')}.sqlite3"
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATA_DIR": str(folder / "data"),
            "DATABASE_URL": url,
            "CONTENT_REPO": str(repo),
            "PASSWORD_HASH_PROFILE": "fast",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        with session_scope(app.extensions["guidelines.engine"]) as session:
            accounts.create_user(
                session=session, username="lead", password="bench-pass-1", role="lead"
            )
            session.commit()
        if with_big:
            text = deep_taxonomy(labels)
            write(app, "deep", text, f"{labels:,} labels")
            release(app, "deep")
            write(app, "deep", text.replace("Leaf 3.4.5\n", "Leaf 3.4.5 renamed\n"), "Rename")
    client = app.test_client()
    client.post("/login", data={"username": "lead", "password": "bench-pass-1"})
    return app, client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="big-taxonomy-") as tmp:
        folder = Path(tmp)
        _plain_app, plain = app_for(folder, False, args.labels)
        _cold, without, _ = timed(plain, "/taxonomies", args.repeat)
        _big_app, client = app_for(folder, True, args.labels)
        print(f"a taxonomy of {args.labels:,} labels, 3 levels deep (cold: first request)")
        print(f"  {'page':<40} {'cold ms':>9} {'warm ms':>9}")
        for url in PAGES:
            cold, warm, status = timed(client, url, args.repeat)
            flag = "ok" if warm < 300 and status == 200 else f"over goal ({status})"
            print(f"  {url:<40} {cold:9.1f} {warm:9.1f}   {flag}")
        print(f"  {'/taxonomies without it':<40} {'':>9} {without:9.1f}")


if __name__ == "__main__":
    main()
