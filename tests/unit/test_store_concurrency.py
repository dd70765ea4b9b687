import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from guidelines_app.store import Author, ContentStore

WRITER_SCRIPT = Path(__file__).with_name("store_writer.py")
_spec = importlib.util.spec_from_file_location("store_writer", WRITER_SCRIPT)
store_writer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(store_writer)


@pytest.fixture
def store(tmp_path):
    return ContentStore.create(
        tmp_path / "content.git",
        files=store_writer.seed_files(),
        author=Author("Seed", "seed@example.org"),
    )


def fsck_errors(store):
    proc = subprocess.run(
        ["git", f"--git-dir={store.path}", "fsck", "--strict", "--no-progress"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = (proc.stdout + proc.stderr).splitlines()
    bad = [ln for ln in lines if not ln.startswith(("dangling", "unreachable", "notice"))]
    return proc.returncode, bad


def write_ids_in_history(store):
    ids = {}
    for commit in store.history(limit=10_000):
        for marker in commit.trailer_values("Write-Id"):
            assert marker not in ids, f"{marker} committed twice"
            ids[marker] = commit.id
    return ids


def spawn_writer(store, writer, count):
    return subprocess.Popen(
        [sys.executable, str(WRITER_SCRIPT), str(store.path), str(writer), str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_threads_and_processes_writing_at_once_lose_no_write(store):
    count = 6
    processes = [spawn_writer(store, 100 + n, count) for n in range(4)]
    outcomes, errors = [], []

    def thread_writer(writer):
        try:
            outcomes.extend(store_writer.run_writer(str(store.path), writer, count))
        except Exception as exc:  # reported below, with the thread that raised it
            errors.append((writer, exc))

    threads = [threading.Thread(target=thread_writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for proc in processes:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outcomes.extend(json.loads(line) for line in out.splitlines())

    assert errors == []
    assert len(outcomes) == 12 * count
    assert {o["outcome"] for o in outcomes} <= {"ok", "conflict"}
    in_history = write_ids_in_history(store)
    accepted = {o["id"]: o for o in outcomes if o["outcome"] == "ok"}
    assert set(in_history) == set(accepted)
    for marker, outcome in accepted.items():
        assert in_history[marker] == outcome["commit"]
        assert f"{marker}\n" in store.read(outcome["path"]).text, f"{marker} was lost"
    # writers editing their own section of one file are merged; appends to HOT collide
    assert any(o.get("merged") for o in outcomes if o["path"] == store_writer.SHARED)
    assert any(o["outcome"] == "conflict" for o in outcomes if o["path"] == store_writer.HOT)
    assert fsck_errors(store) == (0, [])


def test_concurrent_releases_of_distinct_content_get_distinct_numbers(store):
    author = Author("Lead", "lead@example.org")
    revs = [
        store.write({"guidelines/g.md": f"v{i}\n".encode()}, base=None, author=author,
                    message=f"v{i}").commit.id
        for i in range(4)
    ]  # fmt: skip
    made, errors = [], []

    def release(rev):
        try:
            made.append(
                store.create_release("guidelines/g.md", rev=rev, message=rev, tagger=author)
            )
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=release, args=(rev,)) for rev in revs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(r.version for r in made) == [1, 2, 3, 4]
    assert {r.commit_id for r in store.releases("guidelines/g.md")} == set(revs)


def test_writer_killed_while_storing_an_object_leaves_no_invalid_object(store):
    proc = spawn_writer(store, 0, "die")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err
    assert fsck_errors(store) == (0, [])


@pytest.mark.slow
def test_writer_killed_at_random_points_never_breaks_the_branch(store):
    rng = random.Random(int(os.environ.get("STORE_KILL_SEED", "20261123")))
    for round_ in range(50):
        proc = spawn_writer(store, round_ % 4, "forever")
        assert proc.stdout.readline().strip() == "ready"
        threading.Event().wait(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        head = store.head()
        assert head is not None
        assert store.commit(head).id == head
        for path in store.list_files():
            assert store.read(path, head).commit_id == head
    assert store.count_history() > 1
    returncode, bad = fsck_errors(store)
    assert (returncode, bad) == (0, [])
    assert store.problems() == []
    after = store.write(
        {store_writer.HOT: b"still writable\n"},
        base=None,
        author=Author("Lead", "lead@example.org"),
        message="After the kills",
    )
    assert store.head() == after.commit.id
