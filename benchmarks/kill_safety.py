"""Kill safety under the web server: SIGKILL gunicorn workers while leads edit and import.

Starts gunicorn with 4 workers on a fresh data folder (the demo loaded), on loopback.
Client threads sign in as leads and loop: save a guideline through the edit form, upload
an annotation file through the upload page. Meanwhile a worker is killed with SIGKILL
every ``--interval`` seconds, ``--kills`` times. Then the load stops, gunicorn is stopped,
and the script prints what a lead would check afterwards:

- ``git fsck --full`` of the content repository (must be clean);
- ``guidelines check`` (the database agrees with git), then ``guidelines check --repair``
  (records the audit row of a commit whose worker died before writing it) and ``check``
  again, which must report nothing;
- batches half imported (a batch without annotations, or whose count disagrees with its
  rows) and imports left running.

Printed, not asserted (the machine is shared); exit code 1 when anything is inconsistent.

    .venv/bin/python benchmarks/kill_safety.py --kills 30
    .venv/bin/python benchmarks/kill_safety.py --kills 5 --interval 0.5 --clients 2
"""

from __future__ import annotations

import argparse
import html as html_module
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

BIN = Path(sys.executable).parent
GUIDELINE = "product-review-sentiment"
PASSWORD = "kill-safety-password-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    """A signed-in browser: cookies, CSRF tokens read from the forms, no redirects followed."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )
        page = self.get("/login")[1]
        status, _ = self.post_form(
            "/login",
            {"username": username, "password": PASSWORD, "csrf_token": _csrf(page)},
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {username} answered {status}")

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except OSError as error:
            return 0, str(error)  # the worker serving it was killed

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def post_file(self, path: str, data: dict[str, str], name: str, content: bytes) -> int:
        boundary = uuid.uuid4().hex
        head = f"--{boundary}\r\nContent-Disposition: form-data; name="
        parts = [f'{head}"{key}"\r\n\r\n{value}\r\n'.encode() for key, value in data.items()]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + path,
            data=b"".join(parts),
            method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return self._open(request)[0]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else ""


def _annotation_file(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    labels = ("positive", "negative", "neutral")
    lines = ["item,annotator,label"]
    for n in range(rows // 3):
        truth = labels[n % 3]
        for a in range(3):
            label = truth if rng.random() < 0.8 else rng.choice(labels)
            lines.append(f"kill-{seed}-{n},annotator-{a},{label}")
    return ("\n".join(lines) + "\n").encode()


def _edit(client: Client, marker: str) -> int:
    status, page = client.get(f"/guidelines/{GUIDELINE}/edit")
    if status != 200:
        return status
    base = re.search(r'name="base" value="([0-9a-f]{40})"', page)
    text = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', page, re.S)
    if not base or not text:
        return -1
    body = html_module.unescape(text.group(1)).rstrip("\n") + f"\n\nKill safety note {marker}.\n"
    data = {
        "text": body,
        "base": base.group(1),
        "message": f"Kill safety {marker}",
        "action": "save",
        "csrf_token": _csrf(page),
    }
    return client.post_form(f"/guidelines/{GUIDELINE}/edit", data)[0]


def _upload(client: Client, seed: int, rows: int) -> int:
    status, page = client.get("/agreement")
    if status != 200:
        return status
    data = {
        "csrf_token": _csrf(page),
        "dataset": "kill-safety",
        "format": "csv",
        "guideline": GUIDELINE,
        "release": "",
        "taxonomy": "",
    }
    return client.post_file(
        "/agreement/uploads", data, f"kill-{seed}.csv", _annotation_file(rows, seed)
    )


def _workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def _wait_http(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/login", timeout=5):
                return
        except OSError:  # refused while booting, or a timeout on a loaded machine
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _run(command: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def _half_imported(database: Path) -> list[str]:
    """Batches whose stored rows disagree with what the batch says it holds."""
    found = []
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT b.id, b.status, b.n_annotations, COUNT(a.id) FROM annotation_batches b "
            "LEFT JOIN annotations a ON a.batch_id = b.id GROUP BY b.id, b.status, b.n_annotations"
        ).fetchall()
        for batch_id, status, declared, stored in rows:
            if status != "imported":
                found.append(f"batch #{batch_id} left {status} with {stored} annotations")
            elif stored == 0 or declared != stored:
                found.append(f"batch #{batch_id}: says {declared}, holds {stored}")
        stuck = connection.execute(
            "SELECT id, status FROM annotation_imports WHERE status IN ('queued', 'running')"
        ).fetchall()
        found += [f"import #{job_id} still {status}" for job_id, status in stuck]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between kills")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rows", type=int, default=3000, help="annotations per uploaded file")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kill-safety-"))
    env = {**os.environ, "GUIDELINES_DATA_DIR": str(folder), "GUIDELINES_REPORT_RESAMPLES": "50"}
    env.pop("GUIDELINES_DATABASE_URL", None)
    print(f"data folder: {folder}")
    for command in (["init"], ["demo"]):
        done = _run([str(BIN / "guidelines"), *command], env)
        if done.returncode:
            print(done.stdout, done.stderr)
            return 2
    for n in range(args.clients):
        _run(
            [
                str(BIN / "guidelines"),
                "user",
                "create",
                f"killer-{n}",
                "--role",
                "lead",
                "--password-stdin",
            ],
            env,
            input=PASSWORD + "\n",
        )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "guidelines_app:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def load(n: int) -> None:
        client = Client(base, f"killer-{n}")
        step = 0
        while not stop.is_set():
            step += 1
            if step % 3 == 0:
                status, kind = _upload(client, n * 100_000 + step, args.rows), "upload"
            else:
                status, kind = _edit(client, f"{n}-{step}"), "edit"
            with lock:
                statuses[f"{kind} {status}"] += 1

    try:
        _wait_http(base)
        threads = [
            threading.Thread(target=load, args=(n,), daemon=True) for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        kills = 0
        while kills < args.kills:
            time.sleep(args.interval)
            workers = _workers(server.pid)
            if workers:
                os.kill(random.choice(workers), signal.SIGKILL)
                kills += 1
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
        time.sleep(5)  # uploads in flight on surviving workers finish or fail
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    fsck = _run(["git", "-C", str(folder / "content.git"), "fsck", "--full", "--no-progress"], env)
    check = _run([str(BIN / "guidelines"), "check"], env)
    repair = _run([str(BIN / "guidelines"), "check", "--repair"], env)
    after = _run([str(BIN / "guidelines"), "check"], env)
    half = _half_imported(folder / "guidelines.sqlite3")
    print(
        f"kills: {args.kills} SIGKILLs of {args.workers} gunicorn workers, {args.clients} clients"
    )
    print("answers: " + ", ".join(f"{key}: {count}" for key, count in sorted(statuses.items())))
    lines = (fsck.stdout + fsck.stderr).splitlines()
    # A write killed before it moved the branch leaves unreachable objects: harmless, and
    # ``git gc`` prunes them. Anything else fsck says is damage.
    dangling = [line for line in lines if line.startswith("dangling ")]
    damage = [line for line in lines if line.strip() and not line.startswith("dangling ")]
    clean = fsck.returncode == 0 and not damage
    print(f"git fsck: {'clean' if clean else 'PROBLEMS'} ({len(dangling)} dangling objects)")
    for line in damage:
        print(f"  {line}")
    print(f"guidelines check: exit {check.returncode}")
    print("  " + (check.stdout.strip() or check.stderr.strip()).replace("\n", "\n  "))
    print(
        f"guidelines check --repair: exit {repair.returncode}, then check: exit {after.returncode}"
    )
    print("  " + (after.stdout.strip() or after.stderr.strip()).replace("\n", "\n  "))
    print(f"batches left importing (hidden from every page) or imports stuck: {len(half)}")
    for line in half:
        print(f"  {line}")
    summary = {
        "fsck_clean": clean,
        "check_exit": check.returncode,
        "half": len(half),
    }
    print(json.dumps(summary))
    return 0 if clean and after.returncode == 0 and not half else 1


if __name__ == "__main__":
    sys.exit(main())
