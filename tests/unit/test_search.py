"""Full-text search over decisions: the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from guidelines_app import search
from guidelines_app.db import make_engine, session_scope
from guidelines_app.models import Decision
from guidelines_app.search import SearchFilters, parse_query

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
    assert parsed.terms == ("label", "x")
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
