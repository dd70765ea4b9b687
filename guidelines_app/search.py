"""Full-text search over decisions, the same interface on SQLite and PostgreSQL.

User input is never handed to a query language as syntax. ``parse_query`` reduces it
to words (``\\w+``), quoted phrases and ``word*`` prefixes; every other character
(``-``, ``NEAR``, ``OR``, ``'``, ``(``, an unbalanced ``"``) is read as text or as a
separator, and what reaches the database is a bound parameter built from word
characters only.

* PostgreSQL: a weighted ``tsvector`` (``decision_search.document``, GIN index),
  ``to_tsquery('english', ...)`` built from quoted lexemes, ``ts_rank`` over the newest
  ``CANDIDATES`` matches, and ``ts_headline``.
* SQLite: an inverted index (``decision_search_terms``) kept by ``index_decision``,
  with stored BM25 term weights; the rarest word's best ``CANDIDATES`` postings are
  ranked. Phrases are checked against the stored text, snippets are cut in Python.
  (An FTS5 virtual table would create shadow tables that no model can describe, and
  the schema test requires models and migrations to agree without filters.)
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Text,
    delete,
    exists,
    func,
    literal,
    literal_column,
    or_,
    text,
    union_all,
)
from sqlmodel import Session, col, select

from guidelines_app.models import (
    Dataset,
    Decision,
    DecisionItem,
    DecisionLabel,
    DecisionSearch,
    DecisionSearchTerm,
    Item,
)

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 12
MAX_TERM_LENGTH = 64
MIN_PREFIX_LENGTH = 2
TITLE_WEIGHT = 3  # a word in the title counts as three in the body (SQLite)
BM25_K1 = 1.2
BM25_B = 0.75
SNIPPET_WORDS = 28
AVERAGE_LENGTH = 80  # terms per decision, title counted thrice; fixed so weights are stored
CANDIDATES = 1_000  # ranked at most: best postings of the rarest word, or newest matches
DF_CAP = 20_000
MAX_EXPANSIONS = 50  # words a prefix stands for (SQLite)
_HL_OPEN, _HL_CLOSE = "\ue000", "\ue001"
_MARKS = f"StartSel={_HL_OPEN}, StopSel={_HL_CLOSE}"
TITLE_HEADLINE = f"{_MARKS}, HighlightAll=true"
BODY_HEADLINE = (
    f'{_MARKS}, MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)

ENGLISH = literal_column("'english'::regconfig")
_STOPWORD_TEXT = """a an and are as at be but by for from has have if in into is it its of on or so
such that the their then there these they this to was were will with"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'"|\w+\*?')


def fold_text(text: str) -> str:
    """Lowercase without accents: what both the index and the query compare."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


fold = lru_cache(maxsize=50_000)(fold_text)  # for single words, which repeat a lot


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A deliberately light English plural stemmer (label/labels, entity/entities)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [fold(w)[:MAX_TERM_LENGTH] for w in _WORD.findall(text)]


def index_terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.prefixes or self.phrases)

    def highlight_words(self) -> set[str]:
        found = {t for t in self.terms} | {stem(w) for p in self.phrases for w in p}
        return {w for w in found if w not in STOPWORDS}


def parse_query(raw: str | None) -> ParsedQuery:
    """Words, "exact phrases" and word* prefixes; anything else is text. Never raises."""
    source = (raw or "")[:MAX_QUERY_CHARS]
    if source.count('"') % 2:  # an unbalanced quote is just a character
        last = source.rfind('"')
        source = source[:last] + " " + source[last + 1 :]
    terms: list[str] = []
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    in_phrase = False
    current: list[str] = []
    for token in _TOKEN.findall(source):
        if token == '"':
            if in_phrase and current:
                kept = [w for w in current if w not in STOPWORDS]
                if len(current) == 1 or len(kept) <= 1:
                    terms.extend(stem(w) for w in kept)
                else:
                    phrases.append(tuple(current))
            in_phrase, current = not in_phrase, []
            continue
        word = fold(token.rstrip("*"))[:MAX_TERM_LENGTH]
        if in_phrase:
            current.append(word)
        elif token.endswith("*") and len(word) >= MIN_PREFIX_LENGTH:
            prefixes.append(word)
        elif word not in STOPWORDS:
            terms.append(stem(word))
    budget = MAX_QUERY_TERMS
    phrases = phrases[:budget]
    budget -= sum(len(p) for p in phrases)
    terms = list(dict.fromkeys(terms))[: max(budget, 0)]
    prefixes = list(dict.fromkeys(prefixes))[: max(budget - len(terms), 0)]
    return ParsedQuery(tuple(terms), tuple(prefixes), tuple(phrases))


@dataclass(frozen=True)
class SearchFilters:
    guidelines: tuple[str, ...] = ()
    section: str | None = None
    label: str | None = None
    statuses: tuple[str, ...] = ()
    dataset: str | None = None
    author_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Hit:
    decision_id: int
    score: float
    title_html: Markup
    snippet_html: Markup


@dataclass
class SearchPage:
    hits: list[Hit] = field(default_factory=list)
    has_next: bool = False
    query: ParsedQuery = field(default_factory=ParsedQuery)


def filter_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """Conditions on ``Decision`` shared by search and plain listing."""
    found: list[ColumnElement[bool]] = []
    if filters.guidelines:
        found.append(col(Decision.guideline).in_(filters.guidelines))
    if filters.section:
        found.append(col(Decision.section_id) == filters.section)
    if filters.statuses:
        found.append(col(Decision.status).in_(filters.statuses))
    if filters.author_id is not None:
        found.append(col(Decision.author_id) == filters.author_id)
    if filters.since is not None:
        found.append(col(Decision.created_at) >= filters.since)
    if filters.until is not None:
        found.append(col(Decision.created_at) < filters.until)
    if filters.label:
        found.append(
            exists().where(
                col(DecisionLabel.decision_id) == Decision.id,
                col(DecisionLabel.label) == filters.label,
            )
        )
    if filters.dataset:
        found.append(
            exists()
            .where(col(DecisionItem.decision_id) == Decision.id)
            .where(col(Item.id) == DecisionItem.item_id)
            .where(col(Dataset.id) == Item.dataset_id)
            .where(col(Dataset.slug) == filters.dataset)
        )
    return found


# --- maintaining the index ---------------------------------------------------------------


def term_weight(frequency: int, length: int) -> float:
    """BM25's term-frequency part, normalised against a fixed average length."""
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / AVERAGE_LENGTH)
    return frequency * (BM25_K1 + 1) / (frequency + norm)


def index_decision(session: Session, decision_id: int, *, title: str, body: str) -> None:
    """Replace what search knows of one decision (in the caller's transaction)."""
    dialect = session.get_bind().dialect.name
    session.execute(delete(DecisionSearch).where(col(DecisionSearch.decision_id) == decision_id))
    if dialect != "postgresql":
        session.execute(
            delete(DecisionSearchTerm).where(col(DecisionSearchTerm.decision_id) == decision_id)
        )
    counts = Counter(index_terms(body))
    for term in index_terms(title):
        counts[term] += TITLE_WEIGHT
    session.add(
        DecisionSearch(decision_id=decision_id, title=title, body=body, length=sum(counts.values()))
    )
    session.flush()
    if dialect == "postgresql":
        session.execute(
            text(
                "UPDATE decision_search SET document = "
                "setweight(to_tsvector('english', :title), 'A') || "
                "setweight(to_tsvector('english', :body), 'C') WHERE decision_id = :id"
            ).bindparams(id=decision_id, title=fold_text(title), body=fold_text(body))
        )
        return
    length = sum(counts.values())
    session.add_all(
        DecisionSearchTerm(
            term=term, decision_id=decision_id, frequency=n, weight=term_weight(n, length)
        )
        for term, n in counts.items()
    )


def remove_decision(session: Session, decision_id: int) -> None:
    session.execute(
        delete(DecisionSearchTerm).where(col(DecisionSearchTerm.decision_id) == decision_id)
    )
    session.execute(delete(DecisionSearch).where(col(DecisionSearch.decision_id) == decision_id))


# --- searching ---------------------------------------------------------------------------


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
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgres(session, query, conditions, match_any, limit, offset)
    return _search_sqlite(session, query, conditions, match_any, limit, offset)


def _quoted(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def tsquery_text(query: ParsedQuery, *, match_any: bool = False) -> str:
    """The text given to ``to_tsquery``: quoted lexemes of word characters only."""
    parts = [_quoted(t) for t in query.terms]
    parts += [_quoted(p) + ":*" for p in query.prefixes]
    parts += ["(" + " <-> ".join(_quoted(w) for w in phrase) + ")" for phrase in query.phrases]
    return (" | " if match_any else " & ").join(parts)


def _search_postgres(
    session: Session,
    query: ParsedQuery,
    conditions: list[ColumnElement[bool]],
    match_any: bool,
    limit: int,
    offset: int,
) -> SearchPage:
    tsquery = func.to_tsquery(ENGLISH, literal(tsquery_text(query, match_any=match_any), Text))
    document = DecisionSearch.__table__.c.document
    # The newest CANDIDATES matches are ranked: for a rare word that is every match (the
    # GIN index finds them), for a very common one the planner walks the primary key
    # backwards and stops early instead of ranking tens of thousands of vectors.
    # A phrase's words (without their order) choose the candidates, since the planner
    # misjudges how rare a phrase is; the phrase itself is checked on those only.
    words_only = ParsedQuery(
        terms=query.terms + tuple(w for p in query.phrases for w in p if w not in STOPWORDS),
        prefixes=query.prefixes,
    )
    loose = func.to_tsquery(ENGLISH, literal(tsquery_text(words_only, match_any=match_any), Text))
    candidates = (
        select(DecisionSearch.decision_id, document.label("document"))
        .join(Decision, col(Decision.id) == DecisionSearch.decision_id)
        .where(document.op("@@")(loose if query.phrases else tsquery), *conditions)
        .order_by(col(DecisionSearch.decision_id).desc())
        .limit(CANDIDATES)
        .subquery("candidates")
    )
    rank = func.ts_rank(candidates.c.document, tsquery).label("rank")
    statement = (
        select(candidates.c.decision_id, rank)
        .where(candidates.c.document.op("@@")(tsquery))
        .order_by(rank.desc(), candidates.c.decision_id.desc())
        .limit(limit + 1)
        .offset(offset)
    )
    rows = session.exec(statement).all()  # type: ignore[call-overload]
    page = rows[:limit]
    ids = [row[0] for row in page]
    snippets: dict[int, tuple[str, str]] = {}
    if ids:
        headline = select(
            DecisionSearch.decision_id,
            func.ts_headline(ENGLISH, DecisionSearch.title, tsquery, literal(TITLE_HEADLINE, Text)),
            func.ts_headline(ENGLISH, DecisionSearch.body, tsquery, literal(BODY_HEADLINE, Text)),
        ).where(col(DecisionSearch.decision_id).in_(ids))
        snippets = {row[0]: (row[1], row[2]) for row in session.exec(headline).all()}  # type: ignore[call-overload]
    hits = [
        Hit(
            decision_id=decision_id,
            score=float(score),
            title_html=_marked(snippets.get(decision_id, ("", ""))[0]),
            snippet_html=_marked(snippets.get(decision_id, ("", ""))[1]),
        )
        for decision_id, score in page
    ]
    return SearchPage(hits=hits, has_next=len(rows) > limit, query=query)


def _marked(headline: str) -> Markup:
    """ts_headline output (sentinels around matches) as escaped HTML with <mark>."""
    escaped = str(escape(headline))
    return Markup(escaped.replace(_HL_OPEN, "<mark>").replace(_HL_CLOSE, "</mark>"))


def _search_sqlite(
    session: Session,
    query: ParsedQuery,
    conditions: list[ColumnElement[bool]],
    match_any: bool,
    limit: int,
    offset: int,
) -> SearchPage:
    """BM25 over the term table, driven by the rarest word's best postings.

    Each group (a word, a prefix, a phrase word) scores ``idf * weight``; the rarest
    group supplies at most ``CANDIDATES`` postings in weight order (an index scan), and
    the other groups are looked up per candidate. ``match_any`` unions the best postings
    of every group instead (the suggestions beside the escalation form).
    """
    table = DecisionSearchTerm.__table__
    words_of: list[tuple[str, ...]] = [(t,) for t in query.terms]
    words_of += [_expand(session, table, p) for p in query.prefixes]
    phrase_words = [stem(w) for phrase in query.phrases for w in phrase if w not in STOPWORDS]
    words_of += [(w,) for w in dict.fromkeys(phrase_words) if w not in query.terms]
    # N and df only set idf: the highest id stands for N, and df is counted up to a cap,
    # so a very common word costs an index probe instead of a scan of its postings.
    total = session.exec(select(func.coalesce(func.max(DecisionSearch.decision_id), 0))).one()
    groups = []  # (df, idf, words), rarest first
    for group in words_of:
        sample = select(table.c.decision_id).where(_has(table, group)).limit(DF_CAP)
        df = session.exec(select(func.count()).select_from(sample.subquery())).one()
        groups.append((df, math.log((total - df + 0.5) / (df + 0.5) + 1.0), group))
    if not match_any and any(df == 0 for df, *_ in groups):
        return SearchPage(query=query)
    groups.sort(key=lambda g: g[0])
    drivers = [g for g in groups if g[0]] if match_any else groups[:1]
    branches = []
    for _df, _idf, group in drivers:
        per_word = max(100, (200 if match_any else CANDIDATES) // len(group))
        for word in group:  # each word's best postings: an index range in weight order
            best = (
                select(table.c.decision_id, table.c.weight)
                .where(table.c.term == word)
                .order_by(table.c.weight.desc())
                .limit(per_word)
            )
            if conditions:
                best = best.join(Decision, col(Decision.id) == table.c.decision_id).where(
                    *conditions
                )
            wrapped = best.subquery()  # SQLite takes ORDER BY/LIMIT in a union only inside one
            branches.append(select(wrapped.c.decision_id, wrapped.c.weight))
    if not branches:
        return SearchPage(query=query)
    union_all_of = branches[0] if len(branches) == 1 else union_all(*branches)
    rows_of = union_all_of.subquery("postings")
    pool = (
        select(rows_of.c.decision_id, func.max(rows_of.c.weight).label("weight"))
        .group_by(rows_of.c.decision_id)
        .subquery("pool")
    )
    scored = groups if match_any else groups[1:]
    parts = [
        _best_weight(table, group, pool.c.decision_id).label(f"w{n}")
        for n, (_df, _idf, group) in enumerate(scored)
    ]
    # Materialised so each per-candidate lookup runs once, for the score and the filter.
    lookups = (
        select(pool.c.decision_id, pool.c.weight, *parts).cte("lookups").prefix_with("MATERIALIZED")
    )
    score = sum(
        (idf * lookups.c[f"w{n}"] for n, (_df, idf, _g) in enumerate(scored)),
        start=literal(0.0) if match_any else groups[0][1] * lookups.c.weight,
    ).label("score")
    statement = select(lookups.c.decision_id, score)
    if not match_any:
        statement = statement.where(*(lookups.c[f"w{n}"] > 0 for n in range(len(scored))))
    pool = lookups
    for phrase in query.phrases:
        pattern = _like_pattern(phrase)
        if pattern is not None:  # a cheap necessary condition; the exact check follows
            statement = statement.where(
                exists().where(
                    col(DecisionSearch.decision_id) == pool.c.decision_id,
                    or_(
                        col(DecisionSearch.body).like(pattern, escape="\\"),
                        col(DecisionSearch.title).like(pattern, escape="\\"),
                        col(DecisionSearch.body).op("GLOB")(_NON_ASCII),
                        col(DecisionSearch.title).op("GLOB")(_NON_ASCII),
                    ),
                )
            )
    statement = statement.order_by(score.desc(), pool.c.decision_id.desc())
    if not query.phrases:
        rows = session.exec(statement.limit(limit + 1).offset(offset)).all()
        texts = _texts(session, [row[0] for row in rows[:limit]])
    else:
        rows, texts = _with_phrases(session, statement, query, match_any, limit, offset)
    hits = [
        Hit(
            decision_id=decision_id,
            score=float(value),
            title_html=highlight(texts[decision_id][0], query, whole=True),
            snippet_html=highlight(texts[decision_id][1], query),
        )
        for decision_id, value in rows[:limit]
    ]
    return SearchPage(hits=hits, has_next=len(rows) > limit, query=query)


_NON_ASCII = "*[^\t\n\r -~]*"  # texts LIKE cannot judge (accents) go to the exact check


def _like_pattern(phrase: tuple[str, ...]) -> str | None:
    """``%w1%w2%`` for an ASCII phrase (SQLite's LIKE folds ASCII case only), else None."""
    if not all(w.isascii() for w in phrase):
        return None
    return "%" + "%".join(w.replace("_", "\\_") for w in phrase) + "%"


def _expand(session: Session, table: Any, prefix: str) -> tuple[str, ...]:
    """The indexed words starting with ``prefix`` (at most MAX_EXPANSIONS), one seek each."""
    found: list[str] = []
    end = prefix + "\U0010ffff"
    last = prefix
    while len(found) < MAX_EXPANSIONS:
        condition = table.c.term >= last if not found else table.c.term > last
        word = session.exec(
            select(func.min(table.c.term)).where(condition, table.c.term < end)
        ).one()
        if word is None:
            break
        found.append(word)
        last = word
    return tuple(found)


def _has(table: Any, group: tuple[str, ...]) -> ColumnElement[bool]:
    if not group:
        return literal(False)
    return table.c.term == group[0] if len(group) == 1 else table.c.term.in_(group)


def _best_weight(table: Any, group: tuple[str, ...], decision_id: Any) -> ColumnElement[float]:
    """The weight of a group in one decision (0 when absent), via the (decision_id, term) index."""
    inner = table.alias()
    found = (
        select(func.max(inner.c.weight))
        .where(inner.c.decision_id == decision_id, _has(inner, group))
        .scalar_subquery()
    )
    return func.coalesce(found, 0.0)


def _texts(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(DecisionSearch.decision_id, DecisionSearch.title, DecisionSearch.body).where(
            col(DecisionSearch.decision_id).in_(wanted)
        )
    ).all()  # type: ignore[call-overload]
    return {row[0]: (row[1], row[2]) for row in rows}


def _contains_phrase(text: str, phrase: tuple[str, ...]) -> bool:
    sequence = [stem(fold(w)) for w in _WORD.findall(text)]
    wanted = [stem(w) for w in phrase]
    size = len(wanted)
    return any(sequence[i : i + size] == wanted for i in range(len(sequence) - size + 1))


def _with_phrases(
    session: Session,
    statement: Any,
    query: ParsedQuery,
    match_any: bool,
    limit: int,
    offset: int,
) -> tuple[list, dict[int, tuple[str, str]]]:
    """Walk candidates in rank order, keeping those holding the phrases, to one past the page.

    The candidates (at most a few thousand ids) are ranked once; their texts are read in
    batches, and reading stops as soon as the page is full.
    """
    ranked = session.exec(statement).all()
    kept: list = []
    texts: dict[int, tuple[str, str]] = {}
    batch = 100
    for start in range(0, len(ranked), batch):
        if len(kept) >= offset + limit + 1:
            break
        rows = ranked[start : start + batch]
        found = _texts(session, [row[0] for row in rows])
        for row in rows:
            title, body = found.get(row[0], ("", ""))
            checks = [
                _contains_phrase(title, p) or _contains_phrase(body, p) for p in query.phrases
            ]
            if any(checks) if match_any else all(checks):
                kept.append(row)
                texts[row[0]] = (title, body)
    return kept[offset:], texts


def highlight(text_value: str, query: ParsedQuery, *, whole: bool = False) -> Markup:
    """Escaped ``text_value`` (or a window of it) with the matching words in <mark>."""
    wanted = query.highlight_words()
    spans = [m.span() for m in _WORD.finditer(text_value)]
    if not spans:
        return Markup(escape(text_value[:300]))

    def is_hit(index: int) -> bool:
        start, stop = spans[index]
        word = fold(text_value[start:stop])
        return stem(word) in wanted or any(word.startswith(p) for p in query.prefixes)

    if whole or len(spans) <= SNIPPET_WORDS:
        first, last = 0, len(spans)
    else:
        centre = next((i for i in range(len(spans)) if is_hit(i)), 0)
        first = max(0, centre - SNIPPET_WORDS // 3)
        last = min(len(spans), first + SNIPPET_WORDS)
    begin = 0 if first == 0 else spans[first][0]
    end = len(text_value) if last == len(spans) else spans[last - 1][1]
    out, cursor = [], begin
    for index in range(first, last):
        if is_hit(index):
            start, stop = spans[index]
            out.append(str(escape(text_value[cursor:start])))
            out.append(f"<mark>{escape(text_value[start:stop])}</mark>")
            cursor = stop
    out.append(str(escape(text_value[cursor:end])))
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text_value) else ""
    return Markup(prefix + "".join(out) + suffix)
