"""Full-text search over decisions: one interface, SQLite FTS5 or PostgreSQL tsvector.

``decision_search`` holds, per decision, the text search sees (title, and a body made
of ruling, rationale, item texts, questions, comments, labels and tags); the services
rebuild it with ``index_decision`` whenever that text changes, in their transaction.
Each database indexes it its own way (``search_sqlite``: an FTS5 table kept by
triggers; ``search_postgres``: a weighted tsvector column with a GIN index), and
``search`` answers the same question on both: decisions matching every word (or any,
with ``match_any``), best first, with highlighted snippets. ``search_query`` reads the
user's text; nothing the user types reaches either database as query syntax.
"""

from __future__ import annotations

from sqlalchemy import delete, insert
from sqlmodel import Session

from guidelines_app.db import table_of
from guidelines_app.models import DecisionSearch
from guidelines_app.search import postgres as search_postgres
from guidelines_app.search import sqlite as search_sqlite
from guidelines_app.search.query import (
    MAX_QUERY_CHARS,
    Hit,
    ParsedQuery,
    SearchFilters,
    SearchPage,
    filter_conditions,
    fold_text,
    fts5_match_text,
    parse_query,
    searchable,
    tsquery_text,
)

__all__ = [
    "MAX_QUERY_CHARS",
    "Hit",
    "ParsedQuery",
    "SearchFilters",
    "SearchPage",
    "filter_conditions",
    "fold_text",
    "fts5_match_text",
    "index_decision",
    "is_search_index",
    "parse_query",
    "remove_decision",
    "search",
    "tsquery_text",
]


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def index_decision(session: Session, decision_id: int, *, title: str, body: str) -> None:
    """Replace what search knows of one decision (in the caller's transaction)."""
    table = table_of(DecisionSearch)
    title, body = searchable(title), searchable(body)
    session.execute(delete(table).where(table.c.decision_id == decision_id))
    values = {"decision_id": decision_id, "title": title, "body": body}
    if _is_postgres(session):
        values["document"] = search_postgres.document_value(title, body)
    session.execute(insert(table).values(**values))  # (SQLite's FTS5 index: by triggers)


def remove_decision(session: Session, decision_id: int) -> None:
    table = table_of(DecisionSearch)
    session.execute(delete(table).where(table.c.decision_id == decision_id))


def search(
    session: Session,
    raw_query: str | None,
    *,
    filters: SearchFilters | None = None,
    match_any: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Ranked decisions matching every word (or any, with ``match_any``), best first."""
    query = parse_query(raw_query)
    if query.is_empty:
        return SearchPage(query=query)
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    conditions = filter_conditions(filters or SearchFilters())
    backend = search_postgres if _is_postgres(session) else search_sqlite
    return backend.search(session, query, conditions, match_any, limit, offset)


def is_search_index(name: str, kind: str) -> bool:
    """Whether a table or index belongs to the search indexes that migration 0006 creates
    outside the models (SQLite's FTS5 table and its shadow tables, PostgreSQL's index of
    adjacent word pairs), and so is left out of the models/migrations comparison."""
    if kind == "table":
        return name in search_sqlite.FTS_TABLES
    return kind == "index" and name == search_postgres.PAIRS_INDEX
