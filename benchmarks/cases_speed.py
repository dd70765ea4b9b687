"""Speed of decision search and of the lead's triage queue at scale.

Generates 100,000 decisions (with their search index) and 200,000 escalations with
bulk inserts into a fresh database, vacuumed and analysed as a live one would be, then
times the real service calls: search with one word, two words, a phrase, a prefix, two
words within one guideline's active decisions, and the first page of the triage queue
(oldest first, and sorted by how many annotators hit the same item). Prints p50/p95.

    .venv/bin/python benchmarks/cases_speed.py                      # SQLite
    .venv/bin/python benchmarks/cases_speed.py --postgres URL       # and PostgreSQL
    TEST_DATABASE_URL=... .venv/bin/python benchmarks/cases_speed.py
    ... --sqlite-file /tmp/cases.sqlite3 --schema my_bench          # keep the data
    ... --sqlite-file /tmp/cases.sqlite3 --schema my_bench --reuse  # time it again

Goals: search p95 < 20 ms, triage page < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text
from sqlmodel import Session

from guidelines_app import search
from guidelines_app.db import make_engine
from guidelines_app.search.query import vector_text
from guidelines_app.services import escalations
from guidelines_app.services.ops import schema

_WORD_TEXT = """label sarcasm review product defect battery screen praise delivery seller price star
rating emoji negation verdict entity person organisation location city government
company app title role handle hashtag nationality event work metonymy boundary
possessive nested answer refusal harmless helpful honest length code hallucination
citation tie preference turn instruction ambiguous literal irony mixed neutral positive
negative span annotator guideline section taxonomy release decision ruling rationale"""
WORDS = tuple(_WORD_TEXT.split())
SYNTHETIC = [f"w{n:04d}" for n in range(6000)]  # a long tail, as real vocabularies have
GUIDELINES = ("product-review-sentiment", "news-entities", "chatbot-preference")
LABELS = ("positive", "negative", "neutral", "org", "per", "loc.gpe", "a-better", "tie")
STATUSES = ("open", "in_review", "resolved", "dismissed", "duplicate")


def words(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        if rng.random() < 0.55:
            out.append(WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)])
        else:
            out.append(SYNTHETIC[min(int(rng.paretovariate(0.9)) * 7 % 6000, 5999)])
    return out


def generate(engine, n_decisions: int, n_escalations: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    dialect = engine.dialect.name
    now = datetime.now(UTC)
    naive = dialect == "sqlite"

    def stamp(days: float) -> datetime:
        value = now - timedelta(days=days)
        return value.replace(tzinfo=None) if naive else value

    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, created_at) "
                "VALUES (:id, :u, '', 'annotator', 'x', :t)"
            ),
            [{"id": i, "u": f"user{i}", "t": stamp(400)} for i in range(1, 51)],
        )
        c.execute(
            text("INSERT INTO datasets (id, slug, name, created_at) VALUES (1, 'bench', 'B', :t)"),
            {"t": stamp(400)},
        )
        n_items = n_escalations // 3
        c.execute(
            text(
                "INSERT INTO items (id, dataset_id, external_id, text, meta, created_at, "
                "active_reporters) VALUES (:id, 1, :e, :x, '{}', :t, 0)"
            ),
            [
                {"id": i, "e": f"item-{i}", "x": " ".join(words(rng, 20)), "t": stamp(300)}
                for i in range(1, n_items + 1)
            ],
        )
        decisions, docs = [], []
        for i in range(1, n_decisions + 1):
            title = " ".join(words(rng, 6))
            body = " ".join(words(rng, 60))
            decisions.append(
                {
                    "id": i,
                    "title": title,
                    "ruling": body[:80],
                    "rationale": body,
                    "g": GUIDELINES[i % 3],
                    "s": "active" if i % 10 else "superseded",
                    "t": stamp(rng.random() * 365),
                }
            )
            docs.append(
                {"id": i, "t": title, "b": body, "ft": vector_text(title), "fb": vector_text(body)}
            )
        c.execute(
            text(
                "INSERT INTO decisions (id, title, ruling, rationale, guideline, status, "
                "version, created_at, updated_at) VALUES (:id, :title, :ruling, :rationale, "
                ":g, :s, 1, :t, :t)"
            ),
            decisions,
        )
        # SQLite: the triggers of migration 0006 fill the FTS5 index from these rows.
        document = (
            "setweight(to_tsvector('english', :ft), 'A') || "
            "setweight(to_tsvector('english', :fb), 'C')"
        )
        c.execute(
            text(
                "INSERT INTO decision_search (decision_id, title, body, document) "
                "VALUES (:id, :t, :b, " + (document if dialect == "postgresql" else "NULL") + ")"
            ),
            docs,
        )
        rows, labels = [], []
        for i in range(1, n_escalations + 1):
            status = STATUSES[0] if rng.random() < 0.3 else rng.choice(STATUSES)
            rows.append(
                {
                    "id": i,
                    "item": rng.randint(1, n_items),
                    "g": rng.choice(GUIDELINES),
                    "q": " ".join(words(rng, 25)),
                    "s": status,
                    "r": rng.randint(1, 50),
                    "t": stamp(rng.random() * 365),
                }
            )
            labels.extend({"id": i, "l": label} for label in rng.sample(LABELS, 2))
        c.execute(
            text(
                "INSERT INTO escalations (id, item_id, guideline, question, status, reporter_id, "
                "version, created_at, updated_at) VALUES (:id, :item, :g, :q, :s, :r, 1, :t, :t)"
            ),
            rows,
        )
        c.execute(
            text("INSERT INTO escalation_labels (escalation_id, label) VALUES (:id, :l)"), labels
        )
        c.execute(
            text(
                "UPDATE items SET active_reporters = hits.n FROM (SELECT item_id, "
                "count(DISTINCT reporter_id) AS n FROM escalations "
                "WHERE status IN ('open', 'in_review') GROUP BY item_id) AS hits "
                "WHERE hits.item_id = items.id"
            )
        )
    if dialect == "postgresql":  # as autovacuum would soon after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as c:
            c.execute(text("ANALYZE"))


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()  # warm the caches once
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def measure(engine, label: str) -> None:
    rng = random.Random(11)
    common = WORDS[:20]
    queries = {
        "one word": [rng.choice(common) for _ in range(40)],
        "two words": [f"{rng.choice(common)} {rng.choice(WORDS)}" for _ in range(40)],
        "phrase": [f'"{rng.choice(common)} {rng.choice(common)}"' for _ in range(40)],
        "prefix": [rng.choice(common)[:4] + "*" for _ in range(40)],
        "filtered": [f"{rng.choice(common)} {rng.choice(WORDS)}" for _ in range(40)],
    }
    # "filtered": two words within one guideline's active decisions (the log's defaults)
    only = search.SearchFilters(guidelines=(GUIDELINES[0],), statuses=("active",))
    print(f"\n{label}")
    with Session(engine) as session:
        for kind, batch in queries.items():
            cycle = iter(batch * 3)
            filters = only if kind == "filtered" else None
            p50, p95 = timed(
                lambda c=cycle, f=filters: search.search(session, next(c), filters=f), 40
            )
            flag = "ok" if p95 < 20 else "over goal"
            print(f"  search {kind:<10} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({flag})")
        for sort in ("oldest", "hits"):
            filters = escalations.QueueFilters(sort=sort)
            p50, p95 = timed(
                lambda f=filters: escalations.queue(session=session, filters=f, page=1), 15
            )
            flag = "ok" if p95 < 100 else "over goal"
            print(f"  triage page ({sort:<6}) p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({flag})")


def postgres_url(base: str, schema_name: str, *, fresh: bool = True) -> str:
    if fresh:
        admin = make_engine(base)
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
            c.execute(text(f'CREATE SCHEMA "{schema_name}"'))
        admin.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema_name}')}"


def run(url: str, label: str, n_decisions: int, n_escalations: int, *, reuse: bool) -> None:
    engine = make_engine(url)
    if not reuse:
        schema.upgrade(engine)
        start = time.perf_counter()
        generate(engine, n_decisions, n_escalations)
        print(
            f"{label}: generated {n_decisions:,} decisions and {n_escalations:,} escalations "
            f"in {time.perf_counter() - start:.0f} s"
        )
    measure(engine, label)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--escalations", type=int, default=200_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument(
        "--schema",
        default=os.environ.get("TEST_SCHEMA_PREFIX", "") + "bench_cases",
        help="PostgreSQL schema to (re)create; TEST_SCHEMA_PREFIX prefixes the default",
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--sqlite-file", help="keep the SQLite database in this file instead of a temporary one"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the data already in --sqlite-file and --schema instead of generating it",
    )
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(args.sqlite_file or f"{folder}/bench.sqlite3")
            if not args.reuse:
                path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            run(url, "SQLite", args.decisions, args.escalations, reuse=args.reuse)
    if args.postgres:
        url = postgres_url(args.postgres, args.schema, fresh=not args.reuse)
        run(url, "PostgreSQL", args.decisions, args.escalations, reuse=args.reuse)


if __name__ == "__main__":
    main()
