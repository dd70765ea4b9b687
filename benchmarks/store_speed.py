"""Speed of the content store on a repository with a long history.

Builds (in a temporary directory, with `git fast-import`) a bare repository of
5,000 commits in which one 200 KB guideline has 1,000 revisions, then times
through the ContentStore API: reading the latest guideline, one history page of
50, the diff between its first and last revision, and a save. Each is timed
before and after `maintain()` (commit-graph with changed-path filters).

    python benchmarks/store_speed.py [--commits 5000] [--revisions 1000] [--repeat 30]

Goals: reads under 30 ms median, a save under 100 ms. Figures are printed, not asserted.
"""

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guidelines_app.store import Author, ContentStore

BIG = "guidelines/sentiment.md"
SMALL_FILES = 50
LINE = "Annotators label the overall sentiment of the text, not of individual entities: {}.\n"


def big_document(rng, lines=2300):
    return [LINE.format(f"rule {i} {rng.randrange(10**6):06d}") for i in range(lines)]


def fast_import_stream(commits, revisions, rng):
    """Yield the fast-import input: every (commits // revisions)-th commit edits BIG."""
    doc = big_document(rng)
    every = max(commits // revisions, 1)
    edits = 0
    for n in range(commits):
        if n % every == 0 and edits < revisions:
            for _ in range(3):
                doc[rng.randrange(len(doc))] = LINE.format(f"revised {n} {rng.random():.6f}")
            path, data = BIG, "".join(doc).encode()
            edits += 1
        else:
            path = f"guidelines/small-{n % SMALL_FILES}.md"
            data = f"# Small {n % SMALL_FILES}\n\nRevision {n}.\n".encode()
        message = f"Revision {n} of {path}\n".encode()
        when = 1_700_000_000 + n * 60
        yield b"commit refs/heads/main\n"
        yield b"committer Bench <bench@example.org> %d +0000\n" % when
        yield b"data %d\n%s" % (len(message), message)
        yield b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def build_repository(path, commits, revisions):
    subprocess.run(["git", "init", "--bare", "--quiet", "--initial-branch=main", str(path)],
                   check=True)  # fmt: skip
    proc = subprocess.Popen(
        ["git", f"--git-dir={path}", "fast-import", "--quiet"], stdin=subprocess.PIPE
    )
    for chunk in fast_import_stream(commits, revisions, random.Random(7)):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[-1]


def measure(store, repeat):
    revisions = store.count_history(BIG)
    first = store.history(BIG, limit=1, offset=revisions - 1)[0].id
    last = store.history(BIG, limit=1)[0].id
    author = Author("Bench", "bench@example.org")
    counter = iter(range(10**6))

    def save():
        head = store.head()
        text = store.read(BIG, head).data + b"Saved %d.\n" % next(counter)
        store.write(
            {BIG: text}, base=head, author=author, message="Save", trailers=[("Decision", "1")]
        )

    return {
        "read latest guideline": timed(lambda: store.read(BIG), repeat),
        "history page (50)": timed(lambda: store.history(BIG, limit=50), repeat),
        "history page 10 (offset 450)": timed(lambda: store.history(BIG, offset=450), repeat),
        "count history": timed(lambda: store.count_history(BIG), repeat),
        "diff first..last revision": timed(lambda: store.diff(first, last, BIG), repeat),
        "save (read + write)": timed(save, repeat),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--revisions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="store-speed-") as tmp:
        path = Path(tmp) / "content.git"
        start = time.perf_counter()
        build_repository(path, args.commits, args.revisions)
        store = ContentStore(path)
        size = len(store.read(BIG).data)
        took = time.perf_counter() - start
        commits, revisions = store.count_history(), store.count_history(BIG)
        print(f"built {commits} commits, {revisions} revisions of a {size // 1024} KB guideline")
        print(f"(git fast-import) in {took:.1f} s")
        results = {"without maintain()": measure(store, args.repeat)}
        start = time.perf_counter()
        store.maintain()
        print(f"maintain() took {time.perf_counter() - start:.2f} s")
        results["with maintain()"] = measure(store, args.repeat)
    print(f"\n{'operation':32} {'':20} {'median ms':>10} {'p95 ms':>10}")
    for label, figures in results.items():
        for name, (median, p95) in figures.items():
            print(f"{name:32} {label:20} {median:10.1f} {p95:10.1f}")
    print("\ngoals: reads under 30 ms median, save under 100 ms median")


if __name__ == "__main__":
    main()
