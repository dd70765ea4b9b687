import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from guidelines_app.domain.textdiff import (
    PREAMBLE_ID,
    paragraph_diff,
    section_diff,
    unified_diff,
    word_diff,
    word_diff_html,
)

OLD = """# Sentiment

## Sarcasm {#sarcasm}

Praise that contradicts the rating is negative.

## Negation

"Not bad" is positive.

## Emoji

Ignore emoji.

## Spam

Mark spam as other.
"""


def old_side(ops):
    return "".join(text for op, text in ops if op != "insert")


def new_side(ops):
    return "".join(text for op, text in ops if op != "delete")


# --- section diff ----------------------------------------------------------------------------


def test_identical_bodies_have_no_section_changes():
    diff = section_diff(OLD, OLD)
    assert diff.is_empty
    assert diff.summary == "No section changed"


def test_changed_sections_are_listed_in_document_order_with_a_summary():
    new = (
        OLD.replace("is negative.", "is negative, even with five stars.")
        .replace('"Not bad" is positive.', '"Not bad" is mildly positive.')
        .replace("Ignore emoji.", "Read emoji as words.")
    )
    diff = section_diff(OLD, new)
    assert [c.id for c in diff.changed] == ["sarcasm", "negation", "emoji"]
    assert diff.summary == "3 sections changed: Sarcasm, Negation, Emoji"
    assert not diff.added and not diff.removed
    assert "five stars" in diff.changed[0].new_text
    assert "five stars" not in diff.changed[0].old_text


def test_renamed_section_with_explicit_id_is_changed_and_shows_both_titles():
    new = OLD.replace("## Sarcasm {#sarcasm}", "## Irony and sarcasm {#sarcasm}")
    diff = section_diff(OLD, new)
    [change] = diff.changed
    assert (change.id, change.old_title, change.new_title) == (
        "sarcasm",
        "Sarcasm",
        "Irony and sarcasm",
    )
    assert change.renamed


def test_added_and_removed_sections_are_reported_separately():
    new = OLD.replace("## Spam\n\nMark spam as other.\n", "## Profanity\n\nNot a sentiment.\n")
    diff = section_diff(OLD, new)
    assert [c.new_title for c in diff.added] == ["Profanity"]
    assert [c.old_title for c in diff.removed] == ["Spam"]
    assert diff.changed == []
    assert diff.summary == "1 section added: Profanity; 1 section removed: Spam"
    assert not diff.added[0].renamed


def test_a_renamed_heading_without_an_explicit_id_is_an_add_and_a_remove():
    diff = section_diff(OLD, OLD.replace("## Emoji", "## Emojis"))
    assert [c.id for c in diff.added] == ["emojis"]
    assert [c.id for c in diff.removed] == ["emoji"]


def test_a_change_in_a_subsection_does_not_mark_its_parent_changed():
    old = "## Parent\n\nIntro.\n\n### Child\n\nOld text.\n"
    new = old.replace("Old text.", "New text.")
    assert [c.id for c in section_diff(old, new).changed] == ["child"]


def test_changes_before_the_first_heading_are_reported():
    diff = section_diff("Intro one.\n\n## A\n\nText.\n", "Intro two.\n\n## A\n\nText.\n")
    assert [c.id for c in diff.changed] == [PREAMBLE_ID]


def test_trailing_blank_lines_and_line_endings_are_not_changes():
    assert section_diff(OLD, OLD.replace("\n", "\r\n") + "\n\n").is_empty


def test_moving_a_section_is_not_a_change():
    moved = OLD.replace("## Spam\n\nMark spam as other.\n", "").replace(
        "## Emoji", "## Spam\n\nMark spam as other.\n\n## Emoji"
    )
    assert section_diff(OLD, moved).is_empty


# --- word diff -------------------------------------------------------------------------------


def test_word_diff_replaces_whole_words_and_keeps_whitespace():
    ops = word_diff("The cat sat on the mat.", "The dog sat on the mat!")
    assert ops == [
        ("equal", "The "),
        ("delete", "cat"),
        ("insert", "dog"),
        ("equal", " sat on the mat"),
        ("delete", "."),
        ("insert", "!"),
    ]


def test_word_diff_of_equal_texts_is_one_equal_part():
    assert word_diff("same  text\n", "same  text\n") == [("equal", "same  text\n")]
    assert word_diff("", "") == []


def test_word_diff_of_insertions_and_deletions():
    assert word_diff("", "new") == [("insert", "new")]
    assert word_diff("gone", "") == [("delete", "gone")]


@settings(deadline=None)
@given(
    old=st.text(alphabet="ab c\n.,é😀", max_size=60),
    new=st.text(alphabet="ab c\n.,é😀", max_size=60),
)
def test_word_diff_reconstructs_both_texts(old, new):
    ops = word_diff(old, new)
    assert old_side(ops) == old
    assert new_side(ops) == new
    assert all(op in {"equal", "insert", "delete"} for op, _ in ops)
    assert all(a[0] != b[0] for a, b in itertools.pairwise(ops))


def test_word_diff_of_long_texts_is_exact():
    old = "\n".join(f"Line {i} says something about label {i % 7}." for i in range(5000))
    new = old.replace("Line 2500 says", "Line 2500 now says").replace("label 3.", "label three.")
    ops = word_diff(old, new)
    assert old_side(ops) == old and new_side(ops) == new
    assert ("insert", "now ") in ops or ("insert", " now") in ops


def test_word_diff_html_escapes_and_marks_changes():
    html = word_diff_html("a <b> & c", "a <i> & c")
    assert isinstance(html, Markup)
    assert html == "a &lt;<del>b</del><ins>i</ins>&gt; &amp; c"


def test_word_diff_html_never_lets_markup_through():
    html = word_diff_html("", '<script>alert("x")</script>')
    assert "<script>" not in html
    assert html.startswith("<ins>&lt;script&gt;")


# --- paragraph diff --------------------------------------------------------------------------


def test_paragraph_diff_pairs_changed_paragraphs_and_diffs_their_words():
    old = "First paragraph stays.\n\nSecond says cats are negative.\n\nThird goes away entirely."
    new = "First paragraph stays.\n\nSecond says cats are positive.\n\nA brand new closing note."
    changes = paragraph_diff(old, new)
    assert [c.op for c in changes] == ["equal", "change", "delete", "insert"]
    assert ("delete", "negative") in changes[1].words
    assert ("insert", "positive") in changes[1].words
    assert changes[3].new == "A brand new closing note."


def test_paragraph_diff_ignores_rewrapping():
    old = "One two three\nfour five."
    assert [c.op for c in paragraph_diff(old, "One two\nthree four five.")] == ["equal"]


def test_paragraph_diff_reports_inserted_paragraphs_in_place():
    old = "Alpha.\n\nOmega."
    changes = paragraph_diff(old, "Alpha.\n\nMiddle.\n\nOmega.")
    assert [(c.op, c.new) for c in changes] == [
        ("equal", "Alpha."),
        ("insert", "Middle."),
        ("equal", "Omega."),
    ]


def test_paragraph_diff_of_many_unrelated_paragraphs_keeps_every_paragraph():
    old = "\n\n".join(f"Old paragraph {i} about apples and pears." for i in range(600))
    new = "\n\n".join(f"Entirely new text number {i} on zebras." for i in range(600))
    changes = paragraph_diff(old, new)
    assert {c.op for c in changes} <= {"change", "delete", "insert"}
    assert [c.old for c in changes if c.old] == old.split("\n\n")
    assert [c.new for c in changes if c.new] == new.split("\n\n")


# --- unified diff ----------------------------------------------------------------------------


def test_unified_diff_has_headers_and_changed_lines():
    text = unified_diff("a\nb\nc\n", "a\nB\nc\n", "guidelines/s.md@1", "guidelines/s.md@2")
    assert text.splitlines() == [
        "--- guidelines/s.md@1",
        "+++ guidelines/s.md@2",
        "@@ -1,3 +1,3 @@",
        " a",
        "-b",
        "+B",
        " c",
    ]


def test_unified_diff_of_equal_texts_is_empty():
    assert unified_diff("same\n", "same\n") == ""


def test_unified_diff_marks_a_missing_final_newline():
    text = unified_diff("a\nb", "a\nb\n")
    assert "\\ No newline at end of file" in text
    assert "+b\n" in text


def test_unified_diff_splits_only_on_newlines():
    text = unified_diff("a\u2028b\n", "a\u2028c\n")
    assert "-a\u2028b\n" in text and "+a\u2028c\n" in text
