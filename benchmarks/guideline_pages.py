"""Speed of the guideline pages on a long history, through the whole request path.

Builds (with `git fast-import`, in a temporary folder) a content repository of
5,000 commits in which one 200 KB guideline (front matter, ~120 sections, label
mentions) has 1,000 revisions, then times through Flask's test client, signed in
as a lead: the guideline page, the first history page, the diff between the first
and the last revision, and a save (POST of an edited text).

    python benchmarks/guideline_pages.py [--commits 5000] [--revisions 1000] [--repeat 30]

Goals: show, history and diff under 30 ms median; a save under 100 ms. The
figures are printed, not asserted. `maintain()` (commit-graph with changed-path
Bloom filters) is run once before timing, as `guidelines check --repair` would.
"""

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guidelines_app import create_app
from guidelines_app.db import make_engine, session_scope
from guidelines_app.services.accounts import users as accounts
from guidelines_app.services.ops import schema
from guidelines_app.store import ContentStore

SLUG = "big"
PATH = f"guidelines/{SLUG}.md"
ROOT = Path(__file__).resolve().parents[1]
TAXONOMY = (ROOT / "taxonomies/product-review-sentiment.yaml").read_bytes()
FRONT = b"---\ntitle: A long guideline\ntaxonomy: product-review-sentiment\nowners: [ada]\n---\n"


def section(i, rng):
    words = " ".join(
        rng.choice(["review", "product", "label", "sarcasm", "rule", "case"]) for _ in range(180)
    )
    return (
        f"## Rule {i} {{#rule-{i}}}\n\nUse [[label:positive]] or [[label:negative]]: {words}.\n\n"
        f'> Example {i}: "{words[:80]}" -> [[label:neutral]]\n\n'
    )


def document(sections):
    return FRONT + "".join(sections).encode()


def stream(commits, revisions, rng):
    sections = [section(i, rng) for i in range(130)]
    every = max(commits // revisions, 1)
    edits = 0
    for n in range(commits):
        if n % every == 0 and edits < revisions:
            for _ in range(2):
                sections[rng.randrange(len(sections))] = section(rng.randrange(10**6), rng)
            files = [(PATH, document(sections))]
            if n == 0:
                files.append(("taxonomies/product-review-sentiment.yaml", TAXONOMY))
            edits += 1
        else:
            files = [
                (
                    f"guidelines/small-{n % 40}.md",
                    f"---\ntitle: S\ntaxonomy: t\n---\nRevision {n}.\n".encode(),
                )
            ]
        message = f"Revision {n}\n".encode()
        yield b"commit refs/heads/main\ncommitter Bench <bench@example.org> %d +0000\n" % (
            1_700_000_000 + n * 60
        )
        yield b"data %d\n%s" % (len(message), message)
        for path, data in files:
            yield b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def build(path, commits, revisions):
    subprocess.run(["git", "init", "--bare", "-q", "--initial-branch=main", str(path)], check=True)
    proc = subprocess.Popen(
        ["git", f"--git-dir={path}", "fast-import", "--quiet"], stdin=subprocess.PIPE
    )
    for chunk in stream(commits, revisions, random.Random(3)):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait():
        raise SystemExit("git fast-import failed")


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--revisions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        build(tmp / "content.git", args.commits, args.revisions)
        store = ContentStore(tmp / "content.git")
        store.maintain()
        size = len(store.read(PATH).data)
        print(
            f"built {args.commits} commits, {args.revisions} revisions of a "
            f"{size // 1000} KB guideline in {time.perf_counter() - started:.1f} s"
        )
        url = f"sqlite:///{tmp / 'db.sqlite3'}"
        schema.upgrade(make_engine(url))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "DATA_DIR": str(tmp),
                "DATABASE_URL": url,
                "CONTENT_REPO": str(tmp / "content.git"),
                "PASSWORD_HASH_PROFILE": "fast",
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
            accounts.create_user(
                session=session,
                username="ada",
                password="benchmark-password",
                role="lead",
                profile="fast",
            )
        client = app.test_client()
        client.post("/login", data={"username": "ada", "password": "benchmark-password"})
        first = store.history(PATH, limit=1, offset=args.revisions - 1)[0].id

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        def save():
            html = client.get(f"/guidelines/{SLUG}/edit").get_data(as_text=True)
            base = re.search(r'name="base" value="([0-9a-f]{40})"', html).group(1)
            text = store.read(PATH, base).text + f"\nEdited {time.perf_counter()}.\n"
            response = client.post(
                f"/guidelines/{SLUG}/edit",
                data={"text": text, "base": base, "message": "Bench", "action": "save"},
            )
            assert response.status_code == 302, response.status_code

        def save_only():
            base = store.head()
            text = store.read(PATH, base).text + f"\nEdited {time.perf_counter()}.\n"
            response = client.post(
                f"/guidelines/{SLUG}/edit",
                data={"text": text, "base": base, "message": "Bench", "action": "save"},
            )
            assert response.status_code == 302, response.status_code

        rows = [
            ("show (draft, warm render cache)", lambda: get(f"/guidelines/{SLUG}")),
            ("show (an old revision)", lambda: get(f"/guidelines/{SLUG}?rev={first}")),
            ("history page 1", lambda: get(f"/guidelines/{SLUG}/history")),
            (
                "diff first..last revision",
                lambda: get(f"/guidelines/{SLUG}/diff?from={first}&to=draft"),
            ),
            ("save (POST only)", save_only),
            ("open editor + save", save),
        ]
        print(f"{'request':<40} {'median ms':>10} {'p95 ms':>10}")
        for name, fn in rows:
            fn()  # warm-up
            median, p95 = timed(fn, args.repeat)
            print(f"{name:<40} {median:>10.1f} {p95:>10.1f}")


if __name__ == "__main__":
    main()
