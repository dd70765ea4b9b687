from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidelines_app.domain.errors import InvalidInput, TooLarge
from guidelines_app.domain.guideline import (
    MAX_GUIDELINE_BYTES,
    Guideline,
    check_slug,
    label_mentions,
    parse_guideline,
    readable_guideline,
    removed_section_ids,
    render_template_guideline,
    section_ids,
    section_problems,
    sections,
    serialize_front_matter,
    serialize_guideline,
    unknown_label_mentions,
)

VALID = """---
title: Sentiment of product reviews
taxonomy: product-review-sentiment
owners: [ada, grace]
summary: One paragraph shown on the index.
archived: false
---
# Sentiment

## Sarcasm {#sarcasm}

Label [[label:negative]] when praise contradicts the rating.
"""


def guideline_file(front, body="# Body\n"):
    return f"---\n{front}---\n{body}"


def problems_of(text):
    with pytest.raises(InvalidInput) as caught:
        parse_guideline(text)
    return caught.value.problems


def by_path(problems):
    return {p.path: p for p in problems}


# --- parsing valid files ---------------------------------------------------------------------


def test_valid_guideline_gives_its_front_matter_body_and_sections():
    guideline = parse_guideline(VALID)
    assert guideline.title == "Sentiment of product reviews"
    assert guideline.taxonomy == "product-review-sentiment"
    assert guideline.owners == ("ada", "grace")
    assert guideline.summary == "One paragraph shown on the index."
    assert guideline.archived is False
    assert guideline.body.startswith("# Sentiment\n")
    assert guideline.body_line == 8
    assert [s.id for s in guideline.sections] == ["sentiment", "sarcasm"]


def test_optional_fields_default_to_empty():
    guideline = parse_guideline(guideline_file("title: T\ntaxonomy: tax\n"))
    assert (guideline.owners, guideline.summary, guideline.archived) == ((), None, False)


def test_archived_guideline_says_so():
    assert parse_guideline(guideline_file("title: T\ntaxonomy: t\narchived: true\n")).archived


def test_crlf_files_and_a_byte_order_mark_are_accepted():
    text = "\ufeff" + VALID.replace("\n", "\r\n")
    guideline = parse_guideline(text)
    assert guideline.title == "Sentiment of product reviews"
    assert [s.id for s in guideline.sections] == ["sentiment", "sarcasm"]


def test_empty_owners_and_null_summary_are_accepted():
    guideline = parse_guideline(guideline_file("title: T\ntaxonomy: t\nowners: []\nsummary:\n"))
    assert guideline.owners == ()
    assert guideline.summary is None


# --- invalid front matter --------------------------------------------------------------------


def test_missing_front_matter_is_reported_on_line_1():
    [problem] = problems_of("# Just a body\n")
    assert problem.line == 1


def test_unclosed_front_matter_is_reported():
    [problem] = problems_of("---\ntitle: T\ntaxonomy: t\n# body\n")
    assert "not closed" in problem.message


def test_yaml_syntax_error_is_reported_with_its_file_line():
    [problem] = problems_of("---\ntitle: T\ntaxonomy: t\nowners: [ada\nsummary: x\n---\n")
    assert "YAML" in problem.message
    assert problem.line is not None and problem.line >= 4


@pytest.mark.parametrize("front", ["- a\n- b\n", "just text\n", "", "42\n"])
def test_front_matter_that_is_not_a_mapping_is_refused(front):
    [problem] = problems_of(guideline_file(front))
    assert "mapping" in problem.message


def test_missing_required_fields_are_each_reported():
    problems = by_path(problems_of(guideline_file("owners: [ada]\n")))
    assert set(problems) == {"title", "taxonomy"}
    assert all(p.message == "required" for p in problems.values())


def test_every_wrong_field_is_reported_with_its_line():
    front = (
        "title: 2024\ntaxonomy: Bad_Slug\nowners: ada\nsummary: [x]\narchived: 'no'\ncolour: red\n"
    )
    problems = by_path(problems_of(guideline_file(front)))
    assert {name: p.line for name, p in problems.items()} == {
        "title": 2,
        "taxonomy": 3,
        "owners": 4,
        "summary": 5,
        "archived": 6,
        "colour": 7,
    }
    assert "unknown field" in problems["colour"].message


@pytest.mark.parametrize(
    "title", ["''", "'   '", "[a]", "{a: b}", "yes", "2024-01-01", "null", '"two\\nlines"']
)
def test_title_must_be_a_non_empty_single_line_string(title):
    problems = by_path(problems_of(guideline_file(f"title: {title}\ntaxonomy: t\n")))
    assert set(problems) == {"title"}
    assert problems["title"].line == 2


@pytest.mark.parametrize("taxonomy", ["../etc", "Upper", "a b", "a/b", "-a", "a--b", "1.5"])
def test_taxonomy_must_be_a_slug(taxonomy):
    problems = by_path(problems_of(guideline_file(f"title: T\ntaxonomy: '{taxonomy}'\n")))
    assert set(problems) == {"taxonomy"}


def test_owners_must_be_usernames():
    problems = problems_of(guideline_file("title: T\ntaxonomy: t\nowners: [ada, 3, 'a b', '']\n"))
    assert [p.path for p in problems] == ["owners[1]", "owners[2]", "owners[3]"]
    assert all(p.line == 4 for p in problems)


def test_a_bad_owner_in_a_block_list_is_reported_on_its_own_line():
    problems = problems_of(guideline_file("title: T\ntaxonomy: t\nowners:\n  - ada\n  - [x]\n"))
    assert [(p.path, p.line) for p in problems] == [("owners[1]", 6)]


def test_duplicate_field_is_reported_on_its_second_line():
    [problem] = problems_of(guideline_file("title: A\ntaxonomy: t\ntitle: B\n"))
    assert (problem.path, problem.line) == ("title", 4)


@pytest.mark.parametrize(
    "front",
    [
        "title: &t T\ntaxonomy: t\nsummary: *t\n",
        "title: T\ntaxonomy: t\nowners: &o [a]\n",
        'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ntitle: T\ntaxonomy: t\n',
    ],
)
def test_yaml_anchors_and_aliases_are_refused(front):
    [problem] = problems_of(guideline_file(front))
    assert "anchors" in problem.message
    assert problem.line is not None


def test_huge_front_matter_is_refused_before_parsing():
    front = "title: T\ntaxonomy: t\nsummary: " + "x" * 70_000 + "\n"
    [problem] = problems_of(guideline_file(front))
    assert "front matter over" in problem.message


def test_files_over_the_size_cap_are_refused():
    with pytest.raises(TooLarge):
        parse_guideline(guideline_file("title: T\ntaxonomy: t\n", "x" * MAX_GUIDELINE_BYTES))


# --- slugs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["a", "sentiment", "product-review-sentiment", "v2", "2024-q1"])
def test_valid_slugs_are_returned_unchanged(slug):
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        *["", "../etc/passwd", "a/b", "a\\b", ".git", "A", "a_b", "a--b", "-a", "a-", "a.md"],
        *["a b", "é", "a\n", "a\x00", "x" * 101, "guidelines/a"],
    ],
)
def test_invalid_slugs_are_refused(slug):
    with pytest.raises(InvalidInput) as caught:
        check_slug(slug)
    assert caught.value.problems[0].path == "slug"


# --- writing front matter and templates ------------------------------------------------------


def test_serialized_front_matter_parses_back_to_the_same_fields():
    text = serialize_front_matter(
        title='Sentiment: "quoted" #hash & more',
        taxonomy="sentiment",
        owners=["ada", "grace"],
        summary="yes",
        archived=True,
    )
    guideline = parse_guideline(text + "body\n")
    assert guideline.title == 'Sentiment: "quoted" #hash & more'
    assert guideline.owners == ("ada", "grace")
    assert guideline.summary == "yes"
    assert guideline.archived is True
    assert text.startswith("---\n") and text.endswith("---\n")
    assert "owners: [ada, grace]\n" in text


def test_serialize_guideline_round_trips():
    guideline = parse_guideline(VALID)
    again = parse_guideline(serialize_guideline(guideline))
    assert again.body == guideline.body
    assert replace(again, body_line=guideline.body_line) == guideline


title_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() and s == s.strip() and "\x85" not in s)


@settings(deadline=None)
@given(title=title_text, summary=st.none() | title_text)
def test_any_single_line_title_survives_serialization(title, summary):
    text = serialize_front_matter(title=title, taxonomy="t", owners=["ada"], summary=summary)
    guideline = parse_guideline(text)
    assert guideline.title == title
    assert guideline.summary == summary


def test_template_guideline_is_valid_and_has_the_starter_sections():
    text = render_template_guideline("Toxicity", "toxicity-labels", ["ada"])
    guideline = parse_guideline(text)
    assert isinstance(guideline, Guideline)
    assert (guideline.title, guideline.taxonomy, guideline.owners) == (
        "Toxicity",
        "toxicity-labels",
        ("ada",),
    )
    ids = [s.id for s in guideline.sections]
    assert ids[1:] == ["scope", "labels", "edge-cases"]
    assert label_mentions(guideline.body) == []


def test_template_title_cannot_inject_a_heading_id():
    text = render_template_guideline("Odd {#scope}", "t", [])
    guideline = parse_guideline(text)
    assert guideline.title == "Odd {#scope}"
    assert [s.id for s in guideline.sections].count("scope") == 1


def test_template_with_a_bad_taxonomy_is_refused():
    with pytest.raises(InvalidInput):
        render_template_guideline("T", "Not A Slug", [])


# --- sections and mentions -------------------------------------------------------------------


def test_sections_and_section_ids_follow_the_body():
    body = "# Guide\n\n## Sarcasm {#sarcasm}\n\n- item\n\n  ### Nested in a list\n"
    assert [s.id for s in sections(body)] == ["guide", "sarcasm"]
    assert section_ids(body) == {"guide", "sarcasm", "nested-in-a-list"}


def test_removed_section_ids_survive_renames_with_explicit_ids():
    old = "## Sarcasm {#sarcasm}\n\n## Negation\n\n## Emoji\n"
    new = "## Irony and sarcasm {#sarcasm}\n\n## Negations\n\n## Emoji\n"
    assert removed_section_ids(old, new) == {"negation"}
    assert removed_section_ids(new, old) == {"negations"}


def test_section_problems_flag_malformed_and_repeated_explicit_ids():
    body = "intro\n\n## A {#a}\n\n## B {#a}\n\n## C {#bad id}\n"
    problems = section_problems(body, body_line=7)
    assert [(p.path, p.line) for p in problems] == [("#a", 11), ("#bad id", 13)]
    assert section_problems("## A {#a}\n\n## B {#b}\n") == []


def test_label_mentions_are_listed_in_order_with_repeats():
    body = "[[label:b]] then [[label:a|A]] and [[label:b]]\n\n> quoted [[label:c]]\n"
    assert label_mentions(body) == ["b", "a", "b", "c"]


def test_label_mentions_in_code_are_ignored():
    body = "`[[label:x]]`\n\n```\n[[label:y]]\n```\n\n~~~\n[[label:z]]\n~~~\n\n[[label:real]]\n"
    assert label_mentions(body) == ["real"]


def test_malformed_mentions_are_not_mentions():
    assert label_mentions("[[label:]] [[label: x]] [[lab:x]] [label:x] [[label:a b]]") == []


def test_unknown_label_mentions_are_listed_once_in_order():
    body = "[[label:zzz]] [[label:positive]] [[label:aaa]] [[label:zzz]]"
    assert unknown_label_mentions(body, {"positive", "negative"}) == ["zzz", "aaa"]
    assert unknown_label_mentions(body, ["zzz", "positive", "aaa"]) == []


# --- versions that do not parse (pushed from outside) ------------------------------------------


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: " + "[" * 5_000, "nested deeper than 32 levels"),
        ("title:\n" + "- " * 5_000 + "x", "nested too deeply"),
    ],
)
def test_deeply_nested_front_matter_is_refused_with_a_line_not_a_crash(front, message):
    with pytest.raises(InvalidInput) as caught:
        parse_guideline(f"---\n{front}\n---\nBody\n")
    assert message in caught.value.problems[0].message
    assert caught.value.problems[0].line == 2


def test_a_readable_guideline_keeps_the_body_of_a_version_that_does_not_parse():
    shown = readable_guideline("---\ntitel: Oops\ntitle: Kept\n---\n# Scope {#scope}\n", title="s")
    assert shown.title == "Kept" and shown.taxonomy == ""
    assert [s.id for s in shown.sections] == ["scope"]
    assert shown.body_line == 5


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_a_readable_guideline_is_made_of_any_text(text):
    shown = readable_guideline(text, title="fallback")
    assert shown.title
