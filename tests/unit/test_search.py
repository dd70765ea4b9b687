"""Full-text search over decisions: the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text
from sqlmodel import col

from guidelines_app import search
from guidelines_app.db import make_engine, session_scope
from guidelines_app.models import Decision
from guidelines_app.search import SearchFilters, parse_query
from guidelines_app.search import query as search_query

DOCUMENTS = [
    (
        "Brand names used as verbs",
        "Label org when the company is meant. Googling something is not an entity mention.",
        "news-entities",
    ),
    (
        "Sarcastic praise of a broken product",
        "Obvious sarcasm counts as negative sentiment; the literal words are positive.",
        "product-review-sentiment",
    ),
    (
        "Cities standing for governments",
        "Brussels said: when a city stands for its own government keep loc.gpe, "
        "when it stands for the European Union use org.",
        "news-entities",
    ),
    (
        "Emoji-only reviews",
        "A review made only of a thumbs up emoji is positive sentiment.",
        "product-review-sentiment",
    ),
    (
        "Words in the wrong order",
        "The government said Brussels, a city, was wrong; this text mentions city and "
        "government but never the phrase.",
        "news-entities",
    ),
]


@pytest.fixture
def session(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for title, body, guideline in DOCUMENTS:
            decision = Decision(title=title, ruling=body, guideline=guideline)
            session.add(decision)
            session.flush()
            search.index_decision(session, decision.id, title=title, body=body)
        session.commit()
        yield session
    engine.dispose()


def _titles(page):
    return [DOCUMENTS[hit.decision_id - 1][0] for hit in page.hits]


def test_one_word_finds_the_decisions_that_contain_it(session):
    assert set(_titles(search.search(session, "sentiment"))) == {
        "Sarcastic praise of a broken product",
        "Emoji-only reviews",
    }


def test_all_words_must_match_by_default(session):
    assert _titles(search.search(session, "sarcasm negative")) == [
        "Sarcastic praise of a broken product"
    ]


def test_match_any_widens_to_either_word(session):
    titles = _titles(search.search(session, "sarcasm emoji", match_any=True))
    assert set(titles) == {"Sarcastic praise of a broken product", "Emoji-only reviews"}


def test_plural_and_singular_match_each_other(session):
    assert "Cities standing for governments" in _titles(search.search(session, "government"))


def test_title_matches_rank_above_body_matches(session):
    titles = _titles(search.search(session, "governments"))
    assert titles[0] == "Cities standing for governments"


def test_exact_phrase_requires_the_words_in_order(session):
    assert _titles(search.search(session, '"city stands for its own government"')) == [
        "Cities standing for governments"
    ]
    assert _titles(search.search(session, '"government city"')) == []


def test_prefix_query_matches_word_beginnings(session):
    assert _titles(search.search(session, "sarcas*")) == ["Sarcastic praise of a broken product"]


def test_snippets_escape_text_and_mark_matches(session):
    decision = Decision(title="<script>x</script>", ruling="r", guideline="news-entities")
    session.add(decision)
    session.flush()
    search.index_decision(
        session, decision.id, title="<script>alert(1)</script> tricky", body="<b>tricky</b> one"
    )
    session.commit()
    hit = search.search(session, "tricky").hits[0]
    assert "<script>" not in hit.title_html
    assert "&lt;script&gt;" in hit.title_html
    assert "<mark>tricky</mark>" in hit.snippet_html
    assert "<b>" not in hit.snippet_html


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '"unbalanced phrase',
        "sarcasm*",
        "*",
        "NEAR(sarcasm negative)",
        "sarcasm -negative",
        "' OR 1=1 --",
        "'; DROP TABLE decisions; --",
        "a:* & !b | (c",
        "\\",
        "-",
        "AND OR NOT",
        "sarcasm\x00negative",
        "x" * 5000,
        "🙂 emoji",
    ],
)
def test_syntax_characters_are_text_and_never_raise(session, hostile):
    page = search.search(session, hostile)
    assert isinstance(page.hits, list)
    assert session.get(Decision, 1) is not None


def test_or_one_equals_one_matches_nothing_special(session):
    assert search.search(session, "' OR 1=1 --").hits == []


def test_near_is_a_word_not_an_operator(session):
    assert search.search(session, "NEAR sarcasm").hits == []


def test_filters_narrow_by_guideline(session):
    filters = SearchFilters(guidelines=("news-entities",))
    assert "Emoji-only reviews" not in _titles(
        search.search(session, "positive sentiment org", filters=filters, match_any=True)
    )


def test_reindexing_replaces_the_old_text(session):
    search.index_decision(session, 4, title="Emoji-only reviews", body="now about stickers")
    session.commit()
    assert "Emoji-only reviews" not in _titles(search.search(session, "thumbs"))
    assert _titles(search.search(session, "stickers")) == ["Emoji-only reviews"]


def test_pages_do_not_overlap(session):
    first = search.search(session, "government city", match_any=True, limit=1)
    second = search.search(session, "government city", match_any=True, limit=1, offset=1)
    assert first.has_next
    assert first.hits[0].decision_id != second.hits[0].decision_id


def test_parse_query_reads_phrases_prefixes_and_words():
    parsed = parse_query('labels "brand name" goo* -x')
    assert parsed.terms == ("labels", "x")
    assert parsed.prefixes == ("goo",)
    assert parsed.phrases == (("brand", "name"),)


def test_parse_query_of_only_stopwords_or_symbols_is_empty():
    assert parse_query("the of and").is_empty
    assert parse_query('"" * -- ()').is_empty


def test_tsquery_text_holds_only_quoted_word_lexemes():
    text = search.tsquery_text(parse_query("it's \"a b's\" go* d'e | !x:*"))
    assert text == "'s' & 'd' & 'e' & 'x' & 'go':* & ('a' <-> 'b' <-> 's')"


def test_phrase_matches_accented_text_typed_without_accents(session):
    decision = Decision(title="Accents", ruling="r", guideline="news-entities")
    session.add(decision)
    session.flush()
    search.index_decision(
        session, decision.id, title="Accents", body="Le Café de Flore is a loc.facility."
    )
    session.commit()
    assert [h.decision_id for h in search.search(session, '"cafe de flore"').hits] == [decision.id]


def test_phrase_with_an_underscore_is_matched_literally(session):
    decision = Decision(title="Handles", ruling="r", guideline="news-entities")
    session.add(decision)
    session.flush()
    search.index_decision(session, decision.id, title="Handles", body="the user_name field")
    session.commit()
    assert len(search.search(session, '"user_name field"').hits) == 1
    assert search.search(session, '"userXname field"').hits == []


def _add(session, title: str, body: str, guideline: str = "news-entities") -> int:
    decision = Decision(title=title, ruling="r", guideline=guideline)
    session.add(decision)
    session.flush()
    search.index_decision(session, decision.id, title=title, body=body)
    session.commit()
    return decision.id


def test_sqlite_searches_through_an_fts5_table_kept_by_triggers(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's index")
    sql = session.execute(
        text("SELECT sql FROM sqlite_master WHERE name = 'decision_search_fts'")
    ).scalar_one()
    assert "fts5" in sql and "porter unicode61 remove_diacritics 2" in sql
    found = session.execute(
        text("SELECT rowid FROM decision_search_fts WHERE decision_search_fts MATCH 'sarcasm'")
    ).all()
    assert found == [(2,)]
    search.index_decision(session, 2, title="Sarcastic praise", body="now about irony")
    session.execute(delete(Decision).where(col(Decision.id) == 4))  # cascades to its text
    session.commit()
    session.execute(
        text(
            "INSERT INTO decision_search_fts (decision_search_fts, rank) "
            "VALUES ('integrity-check', 1)"
        )
    )  # the index agrees with the text
    assert search.search(session, "sarcasm").hits == []
    assert search.search(session, "thumbs").hits == []
    assert [h.decision_id for h in search.search(session, "irony").hits] == [2]
    session.execute(
        text("INSERT INTO decision_search_fts (decision_search_fts) VALUES ('delete-all')")
    )
    assert search.search(session, "irony").hits == []  # nothing is found but through FTS5


def test_more_occurrences_rank_higher(session):
    once = _add(session, "One", "the hedgehog crossed a road and then went home to sleep")
    thrice = _add(session, "Three", "hedgehog hedgehog hedgehog")
    assert [h.decision_id for h in search.search(session, "hedgehog").hits] == [thrice, once]


def test_rare_word_outweighs_a_common_one_in_the_ranking(session):
    common = [_add(session, f"Filler {n}", "otter otter river") for n in range(6)]
    rare = _add(session, "Rare", "otter kingfisher kingfisher")
    hits = search.search(session, "otter kingfisher", match_any=True).hits
    assert hits[0].decision_id == rare
    assert {h.decision_id for h in hits[1:]} == set(common)


def test_dotted_and_hyphenated_labels_are_words_on_both_databases(session):
    labelled = _add(session, "Labels", "use evt.sports or b-better, mail me@example.org")
    for query in ("sports", "evt.sports", '"evt sports"', "better", "example"):
        assert [h.decision_id for h in search.search(session, query).hits] == [labelled], query


def test_phrase_in_the_title_and_three_word_phrases(session):
    title_hit = _add(session, "Brand names used as verbs again", "see the older ruling")
    assert {h.decision_id for h in search.search(session, '"names used as verbs"').hits} == {
        1,
        title_hit,
    }
    assert search.search(session, '"names as used verbs"').hits == []


def test_phrase_and_words_and_prefix_combine(session):
    hits = search.search(session, '"own government" bruss* union')
    assert [h.decision_id for h in hits.hits] == [3]
    assert search.search(session, '"own government" bruss* emoji').hits == []


def test_prefix_matches_several_words_and_highlights_them(session):
    hits = search.search(session, "gov*").hits
    assert {h.decision_id for h in hits} == {3, 5}
    assert "<mark>government</mark>" in str(
        next(h for h in hits if h.decision_id == 3).snippet_html
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"sarcasm" OR "emoji"', []),  # OR is a word (and a stop word), quotes make phrases
        ("sarcasm -negative", [2]),  # "-" does not exclude
        ("entity NOT googling", [1]),  # NOT does not exclude
        ("title:sarcasm", []),  # no column filter: "title" is a word
        ("{title}: sarcasm", []),
        ("^sarcasm", [2]),  # no "first token" operator
        ("sarcasm + negative", [2]),
        ('NEAR("sarcasm" "negative", 2)', []),  # NEAR and 2 are words
        ("sarcas* OR emoji", []),
    ],
)
def test_fts_and_tsquery_operators_are_read_as_words(session, raw, expected):
    assert [h.decision_id for h in search.search(session, raw).hits] == expected


def test_fts5_match_text_quotes_every_word():
    parsed = parse_query('labels "brand name" goo* NEAR(x) AND -y')
    assert search.fts5_match_text(parsed) == (
        '"labels" AND "near" AND "x" AND "y" AND "goo"* AND "brand name"'
    )
    assert search.fts5_match_text(parse_query("a b c"), match_any=True) == '"b" OR "c"'


def test_index_text_cannot_forge_highlight_markers(session):
    forged = _add(session, "Marker \ue000forged\ue001", "plain \ue000text\ue001 here")
    hit = search.search(session, "plain").hits[0]
    assert hit.decision_id == forged
    assert str(hit.snippet_html).count("<mark>") == 1
    assert "<mark>forged</mark>" not in str(hit.title_html)


def test_a_long_query_of_many_words_is_cut_not_refused(session):
    page = search.search(session, " ".join(f"word{n}" for n in range(200)), match_any=True)
    assert page.hits == []
    assert len(page.query.terms) == search_query.MAX_QUERY_TERMS


def test_postgres_search_puts_its_planner_settings_back(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner settings")
    names = ("plan_cache_mode", "enable_indexscan", "jit")

    def settings():
        return [session.execute(text(f"SHOW {name}")).scalar() for name in names]

    before = settings()
    for raw in ("sentiment", '"city stands"', "nothingmatchesthis"):
        search.search(session, raw)
        assert settings() == before, raw


def test_many_phrases_are_cut_to_the_word_budget(session):
    raw = " ".join(f'"w{n} x{n}"' for n in range(20)) + ' "city stands"'
    page = search.search(session, raw)
    assert page.hits == []
    assert len(page.query.phrases) == search_query.MAX_PHRASES
    assert sum(len(p) for p in page.query.phrases) <= search_query.MAX_QUERY_TERMS


def test_a_long_quoted_sentence_is_searched_by_its_first_words(session):
    raw = '"when a city stands for its own government keep loc gpe when it stands for"'
    parsed = parse_query(raw)
    assert len(parsed.phrases[0]) == search_query.MAX_QUERY_TERMS
    assert [h.decision_id for h in search.search(session, raw).hits] == [3]
