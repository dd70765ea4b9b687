"""Throughput and latency of the busiest pages under concurrent load, through gunicorn.

Builds a grown installation in a temporary folder: the demo (content repository, accounts,
cases, batches), plus ``--decisions`` decisions (with their search index) and
``--annotations`` annotations in one more batch of the sentiment guideline, inserted in
bulk. Starts ``gunicorn --workers 4`` on 127.0.0.1, signs in once as a lead, warms each
page, then runs each level of concurrent clients (``--clients 16,64``) for ``--duration``
seconds: every client is a thread with its own keep-alive HTTP connection (http.client,
no extra dependency) asking the pages below in turn. Prints req/s, p50/p95/p99 and errors
per page and overall, on SQLite and (with ``--postgres URL`` or TEST_DATABASE_URL) on
PostgreSQL. The client runs on the same machine and takes some of its CPU.

    .venv/bin/python benchmarks/load.py                        # 100k decisions, 1M annotations
    .venv/bin/python benchmarks/load.py --quick                # small data, 10 s per level
    .venv/bin/python benchmarks/load.py --duration 15 --postgres postgresql+psycopg://...

Goal on a 2-core machine: at least 150 req/s with p95 under 150 ms and no errors.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from guidelines_app import create_app, demo
from guidelines_app.db import make_engine, session_scope
from guidelines_app.models import Annotation, AnnotationBatch, Dataset, Item
from guidelines_app.search.query import vector_text
from guidelines_app.services.accounts import users as accounts
from guidelines_app.services.ops import schema, setup
from guidelines_app.store import ContentStore

ROOT = Path(__file__).resolve().parents[1]
SLUG = "product-review-sentiment"
USER, PASSWORD = "load-lead", "load-lead-password-1"
_WORD_TEXT = """label sarcasm review product defect battery screen praise delivery seller price
star rating emoji negation verdict entity person organisation location city mixed neutral"""
WORDS = tuple(_WORD_TEXT.split())
PAGES = {
    "guideline": f"/guidelines/{SLUG}",
    "history": f"/guidelines/{SLUG}/history",
    "diff": f"/guidelines/{SLUG}/diff?from=v1&to=v2",
    "decision search": "/decisions?q={word}",
    "escalations": "/escalations",
    "release report": f"/guidelines/{SLUG}/agreement",
    "home": "/",
}


def build(url: str, folder: Path, decisions: int, annotations: int) -> Path:
    """The demo plus the grown data; returns the content repository."""
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    repo = folder / "content.git"
    ContentStore.create(
        repo, files=setup.starter_files(), author=setup.SETUP_AUTHOR, message="Starter content"
    )
    app = create_app(config(url, folder, repo))
    engine = app.extensions["guidelines.engine"]
    start = time.perf_counter()
    with app.app_context(), session_scope(engine) as session:
        demo.load_demo(
            session=session,
            store=app.extensions["guidelines.store"],
            credentials_file=folder / "demo.json",
            profile="fast",
        )
        accounts.create_user(
            session=session, username=USER, password=PASSWORD, role="lead", profile="fast"
        )
        session.commit()
    grow_decisions(engine, decisions)
    grow_annotations(engine, annotations)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    engine.dispose()
    print(
        f"  built the demo + {decisions:,} decisions + {annotations:,} annotations "
        f"in {time.perf_counter() - start:.0f} s"
    )
    return repo


def config(url: str, folder: Path, repo: Path) -> dict:
    return {
        "SECRET_KEY": "load-benchmark-" + "k" * 40,
        "DATA_DIR": str(folder / "data"),
        "DATABASE_URL": url,
        "CONTENT_REPO": str(repo),
        "PASSWORD_HASH_PROFILE": "fast",
    }


def grow_decisions(engine, count: int) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    naive = engine.dialect.name == "sqlite"
    guidelines = ("product-review-sentiment", "news-entities", "chatbot-preference")
    with engine.begin() as c:
        first = (c.execute(text("SELECT max(id) FROM decisions")).scalar() or 0) + 1
        for offset in range(0, count, 20_000):
            rows, docs = [], []
            for i in range(first + offset, first + min(offset + 20_000, count)):
                title = " ".join(rng.choices(WORDS, k=6))
                body = " ".join(rng.choices(WORDS, k=50))
                when = now - timedelta(days=rng.random() * 365)
                rows.append(
                    {
                        "id": i,
                        "title": title,
                        "ruling": body[:80],
                        "rationale": body,
                        "g": guidelines[i % 3],
                        "s": "active" if i % 10 else "superseded",
                        "t": when.replace(tzinfo=None) if naive else when,
                    }
                )
                docs.append(
                    {
                        "id": i,
                        "t": title,
                        "b": body,
                        "ft": vector_text(title),
                        "fb": vector_text(body),
                    }
                )
            c.execute(
                text(
                    "INSERT INTO decisions (id, title, ruling, rationale, guideline, status, "
                    "version, created_at, updated_at) VALUES (:id, :title, :ruling, :rationale, "
                    ":g, :s, 1, :t, :t)"
                ),
                rows,
            )
            document = (
                "setweight(to_tsvector('english', :ft), 'A') || "
                "setweight(to_tsvector('english', :fb), 'C')"
            )
            c.execute(
                text(
                    "INSERT INTO decision_search (decision_id, title, body, document) "
                    "VALUES (:id, :t, :b, "
                    + (document if engine.dialect.name == "postgresql" else "NULL")
                    + ")"
                ),
                docs,
            )
        if engine.dialect.name == "postgresql":
            c.execute(text("SELECT setval('decisions_id_seq', (SELECT max(id) FROM decisions))"))


def grow_annotations(engine, count: int, raters: int = 5) -> None:
    """One more batch of the sentiment guideline at its latest release: ``count`` labels."""
    rng = random.Random(11)
    labels = ("positive", "negative", "neutral")
    annotators = [f"rater{n}" for n in range(12)]
    items = max(count // raters, 1)
    with engine.begin() as c:
        version = c.execute(
            text("SELECT max(guideline_version) FROM annotation_batches WHERE guideline = :g"),
            {"g": SLUG},
        ).scalar()
        t0 = datetime.now(UTC) - timedelta(days=2)
        dataset_id = c.execute(
            insert(Dataset).values(slug="grown", name="Grown reviews", created_at=t0)
        ).inserted_primary_key[0]
        batch_id = c.execute(
            insert(AnnotationBatch).values(
                dataset_id=dataset_id,
                source_format="csv",
                file_name="grown.csv",
                sha256=f"{count:064d}",
                imported_at=t0,
                guideline=SLUG,
                guideline_version=version,
                release_rule="given",
                first_annotated_at=t0,
                last_annotated_at=t0 + timedelta(hours=20),
                taxonomy=SLUG,
                n_annotations=items * raters,
                n_items=items,
                n_annotators=len(annotators),
                notes=[],
                status="imported",
            )
        ).inserted_primary_key[0]
        for start in range(0, items, 50_000):
            part = range(start, min(start + 50_000, items))
            c.execute(
                insert(Item),
                [
                    {"dataset_id": dataset_id, "external_id": f"g{n}", "meta": {}, "created_at": t0}
                    for n in part
                ],
            )
        ids = c.execute(
            select(Item.id).where(Item.dataset_id == dataset_id).order_by(Item.id)
        ).scalars()
        rows = []
        for n, item_id in enumerate(ids):
            truth = labels[n % 3]
            for annotator in rng.sample(annotators, raters):
                label = truth if rng.random() < 0.8 else rng.choice(labels)
                rows.append({
                    "batch_id": batch_id, "item_id": item_id, "annotator": annotator,
                    "label": label, "dimension": "", "gold": False,
                    "created_at": t0 + timedelta(seconds=n % 72_000),
                })  # fmt: skip
            if len(rows) >= 100_000:
                c.execute(insert(Annotation), rows)
                rows = []
        if rows:
            c.execute(insert(Annotation), rows)


class Server:
    """gunicorn with ``workers`` workers on 127.0.0.1, stopped on exit."""

    def __init__(self, url: str, folder: Path, repo: Path, workers: int, port: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for key, value in config(url, folder, repo).items():
            env[f"GUIDELINES_{key}"] = value
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.port = port
        self.log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115 (closed in stop)
        command = [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        self.proc = subprocess.Popen(
            [*command, "--timeout", "600", "guidelines_app:create_app()"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = request(http.client.HTTPConnection("127.0.0.1", port), "/login")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start: see {folder / 'gunicorn.log'}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far."""
        total = 0
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        for pid in children.read_text().split() if children.exists() else []:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def request(
    conn: http.client.HTTPConnection, path: str, cookie: str = "", body: dict | None = None
) -> tuple[int, http.client.HTTPResponse]:
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST", path, body=urlencode(body), headers=headers)
    else:
        conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, response


def sign_in(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"username": USER, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    status, answer = request(conn, "/login", "; ".join(cookies), form)
    cookies += [c.split(";")[0] for c in answer.headers.get_all("Set-Cookie") or []]
    if status != 302:
        raise SystemExit(f"signing in answered {status}")
    jar = dict(c.split("=", 1) for c in cookies if "=" in c)  # the newest value of each
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def page_url(name: str, rng: random.Random) -> str:
    return PAGES[name].replace("{word}", quote(rng.choice(WORDS)))


def warm(port: int, cookie: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    rng = random.Random(1)
    for _ in range(8):  # each of the 4 workers warms its own caches
        for name in PAGES:
            status, _ = request(conn, page_url(name, rng), cookie)
            deadline = time.monotonic() + 600
            while status == 202 and time.monotonic() < deadline:  # a cold report is a job
                time.sleep(1)
                status, _ = request(conn, page_url(name, rng), cookie)
            if status != 200:
                raise SystemExit(f"warming {name} answered {status}")


def load(port: int, cookie: str, clients: int, seconds: float) -> dict[str, list[float]]:
    """{page: latencies in ms}; errors under the key (page, "errors")."""
    results: dict[str, list[float]] = {name: [] for name in PAGES}
    errors: dict[str, int] = dict.fromkeys(PAGES, 0)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    names = list(PAGES)

    def client(number: int) -> None:
        rng = random.Random(number)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: dict[str, list[float]] = {name: [] for name in PAGES}
        failed: dict[str, int] = dict.fromkeys(PAGES, 0)
        turn = number
        while time.monotonic() < stop_at:
            name = names[turn % len(names)]
            turn += 1
            start = time.perf_counter()
            try:
                status, _ = request(conn, page_url(name, rng), cookie)
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            if status == 200:
                mine[name].append((time.perf_counter() - start) * 1000)
            else:
                failed[name] += 1
        with lock:
            for name in PAGES:
                results[name].extend(mine[name])
                errors[name] += failed[name]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**results, **{f"{name} errors": [float(n)] for name, n in errors.items()}}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(
    label: str, clients: int, seconds: float, found: dict[str, list[float]], cpu: float
) -> None:
    load_average = os.getloadavg()[0]
    print(f"\n  {label}, {clients} clients, {seconds:.0f} s (load average {load_average:.1f})")
    print(f"    {'page':<16} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    every: list[float] = []
    failures = 0
    for name in PAGES:
        times, errors = found[name], int(found[f"{name} errors"][0])
        every += times
        failures += errors
        print(
            f"    {name:<16} {len(times) / seconds:7.1f} {statistics.median(times or [0]):8.1f} "
            f"{percentile(times, 0.95):8.1f} {percentile(times, 0.99):8.1f} {errors:7d}"
        )
    rate, p95 = len(every) / seconds, percentile(every, 0.95)
    flag = "ok" if rate >= 150 and p95 < 150 and failures == 0 else "under goal"
    print(
        f"    {'all':<16} {rate:7.1f} {statistics.median(every or [0]):8.1f} {p95:8.1f} "
        f"{percentile(every, 0.99):8.1f} {failures:7d}   ({flag})"
    )
    if every:
        per_request = cpu * 1000 / len(every)
        print(
            f"    workers' CPU per request {per_request:.1f} ms: {os.cpu_count()} free cores "
            f"would serve about {(os.cpu_count() or 1) * 1000 / per_request:.0f} req/s"
        )


def run(label: str, url: str, args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="guidelines-load-"))
    try:
        if url.startswith("sqlite"):
            url = f"sqlite:///{folder / 'guidelines.sqlite3'}"
        print(f"\n{label}")
        repo = build(url, folder, args.decisions, args.annotations)
        server = Server(url, folder, repo, args.workers, args.port)
        try:
            cookie = sign_in(args.port)
            start = time.perf_counter()
            warm(args.port, cookie)
            print(f"  warmed every page on every worker in {time.perf_counter() - start:.0f} s")
            for clients in args.clients:
                cpu = server.cpu_seconds()
                found = load(args.port, cookie, clients, args.duration)
                report(label, clients, args.duration, found, server.cpu_seconds() - cpu)
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postgres_url(base: str, schema_name: str) -> str:
    admin = make_engine(base)
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
        c.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema_name}')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--clients", default="16,64", help="levels of concurrent clients")
    parser.add_argument("--duration", type=float, help="seconds per level (60; 10 with --quick)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--quick", action="store_true", help="2,000 decisions, 20,000 annotations, 10 s per level"
    )
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--schema", default=os.environ.get("TEST_SCHEMA_PREFIX", "") + "bench_load")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.decisions, args.annotations = min(args.decisions, 2_000), min(args.annotations, 20_000)
    if args.duration is None:
        args.duration = 10.0 if args.quick else 60.0
    args.clients = [int(n) for n in args.clients.split(",") if n.strip()]
    print(
        f"load: {args.workers} gunicorn workers, {os.cpu_count()} CPUs, clients {args.clients}, "
        f"{args.duration:.0f} s per level"
    )
    if not args.no_sqlite:
        run("SQLite", "sqlite://", args)
    if args.postgres:
        run("PostgreSQL", postgres_url(args.postgres, args.schema), args)
        admin = make_engine(args.postgres)
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
