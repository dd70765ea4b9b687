"""What a search asks for: user text read as words, phrases and prefixes, and the filters.

User input is never handed to a query language as syntax. ``parse_query`` reduces it
to words (``\\w+``), quoted phrases and ``word*`` prefixes; every other character
(``-``, ``NEAR``, ``OR``, ``'``, ``(``, an unbalanced ``"``) is read as text or as a
separator. ``fts5_match_text`` and ``tsquery_text`` then quote every word, so what
reaches either database is a bound parameter made of quoted word characters only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, exists
from sqlmodel import col

from guidelines_app.models import Dataset, Decision, DecisionItem, DecisionLabel, Item

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 12
MAX_PHRASES = MAX_QUERY_TERMS // 2  # a phrase has two words at least
MAX_TERM_LENGTH = 64
MIN_PREFIX_LENGTH = 2
# Both databases wrap the words that matched in these private-use characters; they are
# removed from indexed text, so after escaping they can only become our <mark> tags.
HL_OPEN, HL_CLOSE = "\ue000", "\ue001"

# PostgreSQL's 'english' configuration ignores these words; queries ignore them too
# (outside phrases) so that a query finds the same decisions on both databases.
_STOPWORD_TEXT = """a an and are as at be but by for from has have if in into is it its of on or so
such that the their then there these they this to was were will with"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_TOKEN = re.compile(r'"|\w+\*?')
_NOT_WORD = re.compile(r"[\W_]+")


def fold_text(text: str) -> str:
    """Lowercase without accents, as PostgreSQL's vectors are built (SQLite's tokenizer
    folds the same way by itself)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def vector_text(text: str) -> str:
    """Folded text whose runs of other characters are single spaces: what PostgreSQL's
    vectors are built from, so its parser sees the words SQLite's tokenizer sees (it would
    keep "loc.gpe", "a-better" or "me@example.org" whole, and a search for "gpe" fail)."""
    return _NOT_WORD.sub(" ", fold_text(text))


def searchable(text: str) -> str:
    """Text as it is indexed: without the highlight markers."""
    return text.replace(HL_OPEN, "").replace(HL_CLOSE, "")


@dataclass(frozen=True)
class ParsedQuery:
    """Lowercased words as typed; each database folds accents and stems them itself."""

    terms: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.prefixes or self.phrases)

    def words_only(self) -> ParsedQuery:
        """The same query with each phrase reduced to its words, in any order."""
        loose = [w for phrase in self.phrases for w in phrase if fold_text(w) not in STOPWORDS]
        return ParsedQuery(tuple(dict.fromkeys(self.terms + tuple(loose))), self.prefixes)


def _is_word(token: str) -> bool:
    return any(c.isalnum() for c in token)  # "_" alone is punctuation to both databases


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
                meaningful = [w for w in current if fold_text(w) not in STOPWORDS]
                if len(current) == 1 or len(meaningful) <= 1:
                    terms.extend(meaningful)
                else:
                    phrases.append(tuple(current))
            in_phrase, current = not in_phrase, []
            continue
        word = token.rstrip("*").lower()[:MAX_TERM_LENGTH]
        if not _is_word(word):
            continue
        if in_phrase:
            current.append(word)
        elif token.endswith("*") and len(word) >= MIN_PREFIX_LENGTH:
            prefixes.append(word)
        elif fold_text(word) not in STOPWORDS:
            terms.append(word)
    budget = MAX_QUERY_TERMS  # words in all: phrases first, then words, then prefixes
    kept: list[tuple[str, ...]] = []
    for phrase in dict.fromkeys(phrases):
        if budget >= 2:  # a long phrase keeps its first words: still a necessary condition
            kept.append(phrase[:budget])
            budget -= len(kept[-1])
    phrases = kept
    terms = list(dict.fromkeys(terms))[:budget]
    prefixes = list(dict.fromkeys(prefixes))[: budget - len(terms)]
    return ParsedQuery(tuple(terms), tuple(prefixes), tuple(phrases))


def _fts5_string(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def fts5_match_text(query: ParsedQuery, *, match_any: bool = False) -> str:
    """An FTS5 MATCH expression in which every user word is inside a quoted string."""
    parts = [_fts5_string((t,)) for t in query.terms]
    parts += [_fts5_string((p,)) + "*" for p in query.prefixes]
    parts += [_fts5_string(phrase) for phrase in query.phrases]
    return (" OR " if match_any else " AND ").join(parts)


def _lexeme(word: str) -> str:
    return "'" + fold_text(word).replace("'", "''") + "'"


def tsquery_text(query: ParsedQuery, *, match_any: bool = False) -> str:
    """The text given to ``to_tsquery``: quoted lexemes of word characters only."""
    parts = [_lexeme(t) for t in query.terms]
    parts += [_lexeme(p) + ":*" for p in query.prefixes]
    parts += ["(" + " <-> ".join(_lexeme(w) for w in phrase) + ")" for phrase in query.phrases]
    return (" | " if match_any else " & ").join(parts)


def marked(text: str | None) -> Markup:
    """Text with highlight markers as escaped HTML, the markers turned into <mark>."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(HL_OPEN, "<mark>").replace(HL_CLOSE, "</mark>"))


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
