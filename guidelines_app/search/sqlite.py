"""Decision search on SQLite: an FTS5 table over ``decision_search``.

``decision_search_fts`` is an external-content FTS5 table (``title``, ``body``;
``porter unicode61 remove_diacritics 2``; prefix indexes for 2 to 4 characters) whose
rowid is the decision id. Triggers on ``decision_search`` keep it in step, in the
transaction that writes the text. Migration 0006 creates both, on SQLite only.

Ranking is FTS5's ``bm25()`` (a title word weighs three body words) over the newest
``CANDIDATES`` matches: ``MATCH ... ORDER BY rowid DESC LIMIT n`` reads the index
backwards and stops early, so a common word costs no more than a rare one. What costs
is bm25's first step: it counts, over the whole index, the decisions holding each part
of the query, walking the part's whole position list. So the ranking query may differ
from the query: a word in at least half of the decisions is left out (FTS5 floors its
idf, it would add nothing; it still selects the rows), and a phrase ranks as itself or
by its words, whichever is cheaper to count. When every word is that common, the rarest
ranks.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnClause,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    table,
)
from sqlmodel import Session, col, select

from guidelines_app.models import Decision, DecisionSearch
from guidelines_app.search.query import (
    HL_CLOSE,
    HL_OPEN,
    MAX_QUERY_TERMS,
    Hit,
    ParsedQuery,
    SearchPage,
    fts5_match_text,
    marked,
)

FTS_TABLE = "decision_search_fts"
# FTS5 keeps a virtual table's data in these tables; no model describes them.
FTS_SHADOW_SUFFIXES = ("data", "idx", "content", "docsize", "config")
FTS_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in FTS_SHADOW_SUFFIXES)})
CANDIDATES = 500
TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0
COMMON = 0.5  # a word in at least this share of decisions is left out of the ranking
PROBE = 32  # matches read to judge how common a part is
SNIPPET_TOKENS = 28
NEAR_IDS = 10_000  # a phrase's page ids within this span are highlighted in one pass

fts = table(FTS_TABLE, column("rowid", Integer), column(FTS_TABLE))
_fts_name: ColumnClause[Any] = literal_column(FTS_TABLE)
# "+": a row-by-row check, not an FTS5 lookup
_plain_rowid: ColumnClause[int] = literal_column("+rowid")


def _match(name: str) -> ColumnElement[bool]:
    return fts.c[FTS_TABLE].match(bindparam(name))


def search(
    session: Session,
    query: ParsedQuery,
    conditions: list[ColumnElement[bool]],
    match_any: bool,
    limit: int,
    offset: int,
) -> SearchPage:
    exact = fts5_match_text(query, match_any=match_any)
    ranking = _ranking_query(session, query, match_any)
    as_found = ranking == exact
    statement = _ranked(conditions, as_found=as_found) if conditions else _UNFILTERED[as_found]
    values = {"exact": exact, "ranking": ranking, "limit": limit, "offset": offset}
    rows = session.execute(statement, values).all()
    texts = _highlights(session, exact, [row.id for row in rows], phrases=bool(query.phrases))
    hits = [
        Hit(
            decision_id=row.id,
            score=float(row.score),
            title_html=marked(texts.get(row.id, ("", ""))[0]),
            snippet_html=marked(texts.get(row.id, ("", ""))[1]),
        )
        for row in rows
    ]
    has_next = bool(rows) and rows[0].total > offset + limit
    return SearchPage(hits=hits, has_next=has_next, query=query)


_BM25 = func.bm25(_fts_name, TITLE_WEIGHT, BODY_WEIGHT)


def _ranked(conditions: list[ColumnElement[bool]], *, as_found: bool) -> Select:
    """One statement: the newest matches, their bm25 scores, the page in score order.

    ``as_found``: each match is scored as the scan finds it (the ranking query is the
    query itself). Otherwise the ranking query scores the candidates' rowid range, which
    FTS5 seeks to, each row checked against the candidates ("+rowid"): FTS5 asked for
    the ids one by one would redo bm25's counting for each.
    """
    columns = [fts.c.rowid.label("id")] + ([(-_BM25).label("score")] if as_found else [])
    newest = select(*columns).where(_match("exact"))
    if conditions:  # a correlated EXISTS keeps the FTS5 scan outermost, newest first
        newest = newest.where(exists().where(col(Decision.id) == fts.c.rowid, *conditions))
    candidates = (
        newest.order_by(fts.c.rowid.desc())
        .limit(CANDIDATES)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    if as_found:
        score = candidates.c.score
        source: Any = candidates
    else:
        scored = (
            select(fts.c.rowid.label("id"), _BM25.label("bm25"))
            .where(
                _match("ranking"),
                fts.c.rowid.between(
                    select(func.min(candidates.c.id)).scalar_subquery(),
                    select(func.max(candidates.c.id)).scalar_subquery(),
                ),
                _plain_rowid.in_(select(candidates.c.id)),
            )
            .cte("scored")
            .prefix_with("MATERIALIZED")
        )
        score = func.coalesce(-scored.c.bm25, 0.0).label("score")
        source = candidates.outerjoin(scored, scored.c.id == candidates.c.id)
    return (
        select(candidates.c.id, score, func.count().over().label("total"))
        .select_from(source)
        .order_by(score.desc(), candidates.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


_UNFILTERED = {flag: _ranked([], as_found=flag) for flag in (False, True)}


@lru_cache(maxsize=MAX_QUERY_TERMS)
def _probes(count: int) -> Select:
    """The newest decision id, and for each of ``count`` parts its PROBE-th newest match."""
    found = [
        select(fts.c.rowid)
        .where(_match(f"p{n}"))
        .order_by(fts.c.rowid.desc())
        .limit(1)
        .offset(PROBE - 1)
        .scalar_subquery()
        for n in range(count)
    ]
    return select(func.max(DecisionSearch.decision_id), *found)


def _shares(session: Session, parts: list[str]) -> tuple[int, dict[str, float]]:
    """The newest decision id, and how common each part is among the newest decisions
    (0 when it matches fewer than PROBE)."""
    values = {f"p{n}": part for n, part in enumerate(parts)}
    newest, *found = session.execute(_probes(len(parts)), values).one()
    return newest or 0, {
        part: 0.0 if at is None else PROBE / (newest - at + 1)
        for part, at in zip(parts, found, strict=True)
    }


def _word(word: str) -> str:
    return fts5_match_text(ParsedQuery(terms=(word,)))


def _ranks_itself(phrase: float, words: list[float], decisions: int) -> bool:
    """Whether counting a phrase for bm25 should cost less than ranking by its rarest word.

    Counting a phrase checks the positions in every decision holding all its words
    (about three times the cost of reading a posting); ranking by a word reads its
    postings once for the count, and again, each checked against the candidates (about
    2.5 times), over the candidates' span of ids.
    """
    holding_all = decisions * math.prod(words)
    span = decisions if phrase == 0 else min(decisions, CANDIDATES / phrase)
    rarest = min(words)
    return 3 * holding_all < decisions * rarest + 2.5 * span * rarest


def _ranking_query(session: Session, query: ParsedQuery, match_any: bool) -> str:
    """The query bm25 scores with.

    Words in at least half of the decisions are left out (if every word is, the rarest
    ranks); a phrase ranks as itself or by its words, whichever is cheaper to count.
    """
    singles = [_word(t) for t in query.terms]
    singles += [fts5_match_text(ParsedQuery(prefixes=(p,))) for p in query.prefixes]
    if not query.phrases and len(singles) == 1:
        return singles[0]
    phrases = {fts5_match_text(ParsedQuery(phrases=(p,))): p for p in query.phrases}
    phrase_words = [_word(w) for w in ParsedQuery(phrases=query.phrases).words_only().terms]
    newest, shares = _shares(session, list(dict.fromkeys([*singles, *phrases, *phrase_words])))
    whole = [
        text
        for text, phrase in phrases.items()
        if _ranks_itself(
            shares[text],
            [shares[_word(w)] for w in ParsedQuery(phrases=(phrase,)).words_only().terms],
            newest,
        )
    ]
    split = ParsedQuery(phrases=tuple(p for text, p in phrases.items() if text not in whole))
    words = list(dict.fromkeys(singles + [_word(w) for w in split.words_only().terms]))
    kept = whole + [word for word in words if shares[word] < COMMON]
    if not kept:
        kept = [min(words, key=shares.__getitem__)]
    return (" OR " if match_any else " AND ").join(kept)


def _highlighting(*, near: bool) -> Select:
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    statement = select(
        fts.c.rowid,
        func.highlight(_fts_name, 0, HL_OPEN, HL_CLOSE),
        func.snippet(_fts_name, 1, HL_OPEN, HL_CLOSE, "…", SNIPPET_TOKENS),
    ).where(_match("exact"))
    if near:  # one pass over a short range of the index
        return statement.where(
            fts.c.rowid.between(bindparam("low"), bindparam("high")), _plain_rowid.in_(ids)
        )
    return statement.where(fts.c.rowid.in_(ids))  # one seek per id: no long walk


_HIGHLIGHT_NEAR, _HIGHLIGHT_APART = _highlighting(near=True), _highlighting(near=False)


def _highlights(
    session: Session, match: str, ids: list[int], *, phrases: bool
) -> dict[int, tuple[str, str]]:
    """Highlighted title and snippet of each id. Walking the ids' range of the index costs
    at most what finding the candidates cost, except for a phrase, whose every decision
    holding its words is checked: a phrase's ids far apart are sought one by one."""
    if not ids:
        return {}
    low, high = min(ids), max(ids)
    walk = not phrases or high - low <= NEAR_IDS
    statement = _HIGHLIGHT_NEAR if walk else _HIGHLIGHT_APART
    values = {"exact": match, "ids": ids, "low": low, "high": high}
    return {row[0]: (row[1], row[2]) for row in session.execute(statement, values)}
