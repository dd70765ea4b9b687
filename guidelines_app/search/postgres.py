"""Decision search on PostgreSQL: a weighted tsvector per decision with a GIN index.

``decision_search.document`` is ``setweight(title, 'A') || setweight(body, 'C')`` over
text folded in Python (``vector_text``: lowercase, no accents, words apart, as SQLite's
tokenizer reads them). Queries are ``to_tsquery('english', ...)`` of quoted lexemes,
bound parameters.

A GIN index cannot check word order, so phrases have a second one: migration 0006
indexes ``decision_search_pairs(document)``, one lexeme per pair of adjacent words
("citi stand"). A phrase is found through its pairs, then checked exactly on those
decisions only.

Only the newest ``CANDIDATES`` matches are ranked (``ts_rank`` reads every row it
ranks, and a common word is in most decisions). They are read in windows of decision
ids, newest first, the first sized from the planner's estimate of the matches, the
next ones (rarely needed) from the matches seen. Within a search PostgreSQL plans each
statement for its own values and uses bitmap scans: with a generic plan and
"ORDER BY id DESC LIMIT n" it used to walk the primary key through tens of thousands
of rows (up to 700 ms) where the GIN index finds the few hundred that match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnClause,
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    or_,
    text,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, col, select

from guidelines_app.db import table_of
from guidelines_app.models import Decision, DecisionSearch
from guidelines_app.search.query import (
    HL_CLOSE,
    HL_OPEN,
    MAX_PHRASES,
    STOPWORDS,
    Hit,
    ParsedQuery,
    SearchPage,
    fold_text,
    marked,
    tsquery_text,
    vector_text,
)

ENGLISH: ColumnClause[Any] = literal_column("'english'::regconfig")
CANDIDATES = 500
MAX_EXAMINED = 2_000  # rows the index finds for a phrase, checked for the phrase itself
# Where at least this share of decisions match, a window of ids is read whole: cheaper
# than the GIN index's long posting list, which is read whole whatever the window.
DENSE = 0.1
FIRST_WINDOW = 2 * CANDIDATES
SNIPPET_WORDS = 28
_MARKS = f"StartSel={HL_OPEN}, StopSel={HL_CLOSE}"
TITLE_HEADLINE = f"{_MARKS}, HighlightAll=true"
BODY_HEADLINE = (
    f'{_MARKS}, MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)

PAIRS_FUNCTION = "decision_search_pairs"  # created, and indexed, by migration 0006
PAIRS_INDEX = "ix_decision_search_pairs"
# The pairs of adjacent words of a phrase, as tsquery text ('citi stand' & ...).
_PAIRS = """(
    SELECT coalesce(string_agg(quote_literal(lexeme), ' & '), '')
    FROM unnest(decision_search_pairs(to_tsvector('english', :p{n})))
)"""
# Planner settings for the search's statements only (``set_config(..., true)`` lasts at
# most until the transaction ends; the search's last statement puts them back). The
# statements have one good shape: decision_search read through bitmap scans (its GIN
# index, or a range of ids), each row then looked up in decisions for the filters. The
# planner, which prices "@@" like a comparison though it costs a hundred, would rather
# walk the primary key through the whole window, or hash 30,000 filtered decisions.
SEARCH_SETTINGS = {
    "plan_cache_mode": "force_custom_plan",  # plans for these words, not generic ones
    "enable_indexscan": "off",
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",  # a worker's start-up costs more than this
}
# The newest decision id is read before the settings apply, while the primary key may
# be walked; then the settings; then each phrase's pairs of adjacent words.
_START = """
    SELECT before.*, {changes}{pairs}
    FROM (
        SELECT (SELECT max(decision_id) FROM decision_search) AS newest, {current}
        OFFSET 0
    ) AS before
"""
_STARTS = [
    text(
        _START.format(
            current=", ".join(f"current_setting('{name}') AS {name}" for name in SEARCH_SETTINGS),
            changes=", ".join(
                f"set_config('{name}', '{value}', true) AS set_{name}"
                for name, value in SEARCH_SETTINGS.items()
            ),
            pairs="".join(f", {_PAIRS.format(n=n)} AS pairs_{n}" for n in range(count)),
        )
    )
    for count in range(MAX_PHRASES + 1)
]


def document_value(title: str, body: str) -> ColumnElement[Any]:
    """The weighted vector of a decision's title and body."""
    weights: tuple[ColumnClause[Any], ColumnClause[Any]] = (
        literal_column("'A'"),
        literal_column("'C'"),
    )
    vectors = [
        func.setweight(func.to_tsvector(ENGLISH, literal(vector_text(part), Text)), weight)
        for part, weight in zip((title, body), weights, strict=True)
    ]
    return vectors[0].op("||")(vectors[1])


def _tsquery(name: str) -> ColumnElement[Any]:
    """``to_tsquery('english', :name)``: the text always comes as a bound parameter."""
    return func.to_tsquery(ENGLISH, bindparam(name, type_=Text))


_document = table_of(DecisionSearch).c.document
_decision_id = table_of(DecisionSearch).c.decision_id


def _phrase_parts(
    query: ParsedQuery, pairs: list[str], match_any: bool
) -> tuple[tuple[str, ...], dict[str, str]]:
    """What the GIN indexes find for a query with phrases, as the kinds of its parts and
    their texts: its words in ``document``, and each phrase's pairs of adjacent words in
    the pairs index (or its words, when stop words keep all of them apart)."""
    kinds, values = [], {}
    words = ParsedQuery(query.terms, query.prefixes)
    if not words.is_empty:
        kinds.append("words")
        values["words"] = tsquery_text(words, match_any=match_any)
    for n, (phrase, phrase_pairs) in enumerate(zip(query.phrases, pairs, strict=True)):
        if phrase_pairs:
            kinds.append("pairs")
            values[f"found_{n}"] = phrase_pairs
        else:
            kinds.append("apart")
            apart = tuple(w for w in phrase if fold_text(w) not in STOPWORDS)
            values[f"found_{n}"] = tsquery_text(ParsedQuery(terms=apart))
    return tuple(kinds), values


def _findable(kinds: tuple[str, ...], match_any: bool) -> ColumnElement[bool]:
    found = []
    for n, kind in enumerate(k for k in kinds if k != "words"):
        if kind == "pairs":
            pairs = cast(bindparam(f"found_{n}", type_=Text), TSQUERY)
            found.append(getattr(func, PAIRS_FUNCTION)(_document).op("@@")(pairs))
        else:
            found.append(_document.op("@@")(_tsquery(f"found_{n}")))
    if "words" in kinds:
        found.insert(0, _document.op("@@")(_tsquery("words")))
    return or_(*found) if match_any else and_(*found)


def search(
    session: Session,
    query: ParsedQuery,
    conditions: list[ColumnElement[bool]],
    match_any: bool,
    limit: int,
    offset: int,
) -> SearchPage:
    phrases = {f"p{n}": " ".join(map(fold_text, p)) for n, p in enumerate(query.phrases)}
    start = session.execute(_STARTS[len(phrases)], phrases).one()._mapping
    pairs = [start[f"pairs_{n}"] for n in range(len(phrases))]
    values = {"exact": tsquery_text(query, match_any=match_any)}
    kinds: tuple[str, ...] = ()
    if query.phrases:  # the indexes find the rows, the phrases are checked on them
        kinds, found = _phrase_parts(query, pairs, match_any)
        values.update(found)
    windows = _windows((kinds, match_any), conditions)
    ids = _newest_matches(session, start["newest"] or 0, windows, values)
    restore = {f"restore_{name}": start[name] for name in SEARCH_SETTINGS}
    page = {"ids": "{" + ",".join(map(str, ids)) + "}", "limit": limit, "offset": offset}
    rows = session.execute(_PAGE, {**values, **page, **restore}).all()
    hits = [
        Hit(
            decision_id=row.decision_id,
            score=float(row.rank),
            title_html=marked(row.title),
            snippet_html=marked(row.snippet),
        )
        for row in rows
        if row.decision_id is not None
    ]
    return SearchPage(hits=hits, has_next=len(ids) > offset + limit, query=query)


@dataclass(frozen=True)
class _Windows:
    """The statements reading a window of ids (sparse: through the GIN indexes; dense:
    read whole), the EXPLAIN that estimates the matches, and whether the rows the
    indexes find still need the phrase check."""

    matching: Select
    sparse: Select
    dense: Select
    explain: SQLCompiler | None  # compiled once when there are no filters
    checks: bool


def _windows(
    shape: tuple[tuple[str, ...], bool], conditions: list[ColumnElement[bool]]
) -> _Windows:
    # Filters are new expressions at each search; without them the statements are reused.
    return _build_windows(shape, tuple(conditions)) if conditions else _cached_windows(shape)


def _build_windows(
    shape: tuple[tuple[str, ...], bool], conditions: tuple[ColumnElement[bool], ...]
) -> _Windows:
    kinds, match_any = shape
    exact = _document.op("@@")(_tsquery("exact"))
    found = _findable(kinds, match_any) if kinds else exact

    def window(where: ColumnElement[bool], hit: ColumnElement[Any]) -> Select:
        statement = select(_decision_id, hit).where(where)
        if conditions:
            statement = statement.join(Decision, col(Decision.id) == _decision_id).where(
                *conditions
            )
        return statement

    matching = window(found, exact if kinds else literal(True))
    # pairs are not worth computing row by row: a dense window checks the phrase itself
    dense = window(exact.is_(true()), literal(True))
    explain = None if conditions else _compiled(matching)
    bounded = [
        statement.where(_decision_id > bindparam("low"), _decision_id <= bindparam("high"))
        .order_by(_decision_id.desc())
        .limit(bindparam("rows"))
        for statement in (matching, dense)
    ]
    return _Windows(matching, bounded[0], bounded[1], explain, bool(kinds))


_cached_windows = lru_cache(maxsize=64)(lambda shape: _build_windows(shape, ()))


def _compiled(statement: Select) -> SQLCompiler:
    """``statement`` compiled for PostgreSQL (a SELECT always compiles to an SQLCompiler)."""
    compiled = statement.compile(dialect=postgresql.dialect())
    assert isinstance(compiled, SQLCompiler)
    return compiled


def _newest_matches(session: Session, high: int, windows: _Windows, values: dict) -> list[int]:
    """The ids of the newest CANDIDATES matches, read window by window: the first sized
    from the planner's estimate, the next ones (rarely needed) from the matches seen."""
    estimate = _estimated_rows(session, windows, values)
    statement = windows.dense if estimate >= DENSE * high else windows.sparse
    budget = MAX_EXAMINED if windows.checks else CANDIDATES
    window = _ids_for(CANDIDATES, estimate, high)
    ids: list[int] = []
    examined = 0
    while high > 0 and len(ids) < CANDIDATES and examined < budget:
        low = max(0, high - window)
        bounds = {"low": low, "high": high, "rows": budget - examined}
        rows = session.execute(statement, {**values, **bounds}).all()
        examined += len(rows)
        ids += [row[0] for row in rows if row[1]]
        per_match = examined / max(len(ids), 1)  # rows found per row that passes the check
        wanted = min(budget - examined, (CANDIDATES - len(ids)) * per_match)
        window = max(window, _ids_for(wanted, len(rows), high - low))
        high = low
    return ids[:CANDIDATES]


def _ids_for(wanted: float, rows: float, span: int) -> int:
    """Ids likely to hold ``wanted`` matches, when ``span`` ids hold ``rows`` (x1.25)."""
    if rows <= 0:
        return span * 16
    return max(FIRST_WINDOW, int(wanted * span / rows * 1.25))


def _estimated_rows(session: Session, windows: _Windows, values: dict) -> float:
    """The planner's estimate of the matches (it costs a plan, under a millisecond)."""
    compiled = windows.explain or _compiled(windows.matching)
    expanded = compiled.construct_expanded_state(values)  # filters' "IN" lists written out
    explain = "EXPLAIN (FORMAT JSON) " + expanded.statement
    plan = session.connection().exec_driver_sql(explain, expanded.parameters).scalar_one()
    return float(plan[0]["Plan"]["Plan Rows"])


def _page_statement() -> Select:
    """The candidates ranked (ts_rank reads each row: only they are ranked), the page's
    title and snippet with the matches marked; and the settings put back, in the same
    statement (planned before they change back; an error rolls them back anyway). The
    one row of "restored" comes even when the page is empty."""
    table = table_of(DecisionSearch)
    exact = _tsquery("exact")
    ids = cast(bindparam("ids", type_=Text), ARRAY(Integer))
    ranked = (
        select(_decision_id, func.ts_rank(_document, exact).label("rank"))
        .where(_decision_id == any_(ids))
        .order_by(literal_column("rank").desc(), _decision_id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("ranked")
    )
    headline = literal(TITLE_HEADLINE, Text), literal(BODY_HEADLINE, Text)
    page = (
        select(
            ranked.c.decision_id,
            ranked.c.rank,
            func.ts_headline(ENGLISH, table.c.title, exact, headline[0]).label("title"),
            func.ts_headline(ENGLISH, table.c.body, exact, headline[1]).label("snippet"),
        )
        .join_from(ranked, table, table.c.decision_id == ranked.c.decision_id)
        .subquery("page")
    )
    restored = select(
        *(
            func.set_config(name, bindparam(f"restore_{name}", type_=Text), True)
            for name in SEARCH_SETTINGS
        )
    ).subquery("restored")
    return (
        select(*page.c)
        .select_from(restored.outerjoin(page, literal(True)))
        .order_by(page.c.rank.desc(), page.c.decision_id.desc())
    )


_PAGE = _page_statement()
