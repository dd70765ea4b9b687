"""A writer for the store's concurrency tests, run in threads or as a process.

    python store_writer.py REPO WRITER COUNT   write COUNT times, print one JSON line each
    python store_writer.py REPO WRITER forever print "ready", then write until killed
    python store_writer.py REPO WRITER die      die by SIGKILL while storing a commit

Each write carries a unique marker (a line in the file and a `Write-Id` trailer), so the
test can tell whether every write answered "ok" really is in the history.
"""

import io
import json
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gitdb.base import IStream

from guidelines_app.store import Author, ContentStore, WriteConflict

SHARED = "guidelines/shared.md"
HOT = "guidelines/hot.md"
SECTIONS = 16


def seed_files() -> dict[str, bytes]:
    """Files a writer expects: one section per writer id in SHARED, and HOT."""
    sections = "".join(
        f"## w{k}\n\nfiller one\nfiller two\nfiller three\n\n" for k in range(SECTIONS)
    )
    return {SHARED: sections.encode(), HOT: b"# Hot\n"}


def _edit(path: str, text: str, writer: int, marker: str) -> str:
    if path == SHARED:
        header = f"## w{writer % SECTIONS}\n"
        return text.replace(header, f"{header}{marker}\n", 1)
    return f"{text}{marker}\n"


def write_once(store: ContentStore, writer: int, i: int) -> dict:
    path = [f"guidelines/w{writer}.md", SHARED, HOT][i % 3]
    marker = f"w{writer}-{i}"
    base = store.head()
    current = store.read(path, base).text if store.exists(path, base) else ""
    new = _edit(path, current, writer, marker)
    try:
        result = store.write(
            {path: new.encode()},
            base=base,
            author=Author(f"Writer {writer}", f"w{writer}@example.org"),
            message=f"Write {marker}",
            trailers=[("Write-Id", marker)],
        )
    except WriteConflict:
        return {"id": marker, "path": path, "outcome": "conflict"}
    return {
        "id": marker,
        "path": path,
        "outcome": "ok",
        "commit": result.commit.id,
        "merged": result.merged,
    }


def run_writer(repo: str, writer: int, count: int) -> list[dict]:
    store = ContentStore(repo)
    return [write_once(store, writer, i) for i in range(count)]


class _DiesWhenRead(io.BytesIO):
    """The writer is killed once the object's header is written, before its content."""

    def read(self, size: int | None = -1) -> bytes:
        os.kill(os.getpid(), signal.SIGKILL)
        return b""


def die_while_storing_a_commit(store: ContentStore) -> None:
    """Reach below the public API on purpose: the object database the store writes with."""
    body = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
    body += b"author A <a@example.org> 0 +0000\ncommitter A <a@example.org> 0 +0000\n\n"
    with store._open() as repo:
        repo.odb.store(IStream("commit", len(body), _DiesWhenRead(body)))


def main(argv: list[str]) -> int:
    repo, writer, count = argv[0], int(argv[1]), argv[2]
    store = ContentStore(repo)
    if count == "die":
        die_while_storing_a_commit(store)
        return 1
    if count == "forever":
        print("ready", flush=True)
        i = 0
        while True:
            write_once(store, writer, i)
            i += 1
    for i in range(int(count)):
        print(json.dumps(write_once(store, writer, i)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
