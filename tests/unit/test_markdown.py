from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidelines_app.domain import markdown
from guidelines_app.domain.errors import TooLarge
from guidelines_app.domain.markdown import (
    MAX_GUIDELINE_BYTES,
    guard_brackets,
    is_safe_url,
    parse_body,
    render_markdown,
    slugify,
)

LABELS = {
    "negative": ("Negative", "/taxonomies/sentiment/labels/negative"),
    "positive": ("Positive", "/taxonomies/sentiment/labels/positive"),
}


def resolve(label_id):
    return LABELS.get(label_id)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def elements(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def visible_text(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return "".join(parser.text)


def links(html):
    return [attrs.get("href") for tag, attrs in elements(html) if tag == "a"]


def assert_nothing_executable(html):
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "object", "embed", "style", "form", "svg", "math"}
        for name, value in attrs.items():
            assert not name.startswith(("on", "hx-", "data-hx")), (tag, name)
            if name in {"href", "src", "action", "formaction"}:
                assert is_safe_url(value or ""), (tag, name, value)
            if name == "id":
                assert all(c.isalnum() or c in "-_" for c in value), value


def html_of(body, **kwargs):
    return render_markdown(body, **kwargs).html


# --- raw HTML and dangerous URLs -------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "text <script>alert(1)</script> text",
        '<img src="x" onerror="alert(1)">',
        "inline <img src=x onerror=alert(1)> html",
        '<a href="/x" hx-get="/admin/delete" hx-trigger="load">x</a>',
        '<div hx-on:click="alert(1)">x</div>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_is_shown_as_text_never_passed_through(body):
    html = html_of(body)
    assert_nothing_executable(html)
    assert visible_text(html).strip() == body


@pytest.mark.parametrize(
    "destination",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "java&#x09;script:alert(1)",
        "<java\tscript:alert(1)>",
        "<java\nscript:alert(1)>",
        " javascript:alert(1)",
        "%6Aavascript:alert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
    ],
)
def test_links_with_unsafe_schemes_are_dropped(destination):
    for body in (f"[click]({destination})", f"![img]({destination})"):
        html = html_of(body)
        assert_nothing_executable(html)
        assert "script:" not in "".join(links(html)).lower()


def test_reference_style_link_to_javascript_is_not_a_link():
    html = html_of("[click][evil]\n\n[evil]: javascript:alert(1) 'title'\n")
    assert_nothing_executable(html)
    assert links(html) == []


def test_autolink_to_javascript_is_text_and_autolink_to_https_is_a_link():
    html = html_of("<javascript:alert(1)> and <JAVASCRIPT:alert(1)> and <https://example.org/a>")
    assert_nothing_executable(html)
    assert links(html) == ["https://example.org/a"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x?a=1#b",
        "http://example.org",
        "mailto:lead@example.org",
        "/guidelines/sentiment",
        "../other",
        "#sarcasm",
        "relative/path",
        "?q=1",
        "//cdn.org/x",
    ],
)
def test_safe_links_are_kept(url):
    html = html_of(f"[see]({url})")
    assert len(links(html)) == 1
    assert is_safe_url(links(html)[0])


def test_link_title_with_quotes_cannot_break_out_of_the_attribute():
    html = html_of('[x](https://example.org "a\\" onmouseover=\\"alert(1)")')
    assert_nothing_executable(html)
    [(_, attrs)] = [e for e in elements(html) if e[0] == "a"]
    assert attrs["title"] == 'a" onmouseover="alert(1)'


def test_heading_id_injection_is_not_an_attribute():
    html = html_of('## Bad {#x" onmouseover="alert(1)}\n\n## Also {#a onclick=alert(1)}\n')
    assert_nothing_executable(html)
    ids = [attrs["id"] for tag, attrs in elements(html) if tag == "h2"]
    assert all(i.replace("-", "").isalnum() for i in ids)


def test_attribute_syntax_cannot_add_htmx_attributes():
    body = (
        '## Title {hx-get="/admin" hx-trigger="load"}\n\n'
        '[x](/y){hx-post="/delete"}\n\ntext {: hx-on="x"}'
    )
    html = html_of(body)
    assert_nothing_executable(html)
    assert "hx-get" in visible_text(html)


def test_unsafe_label_and_section_urls_from_the_app_are_not_used():
    html = html_of(
        "## Scope\n\n[[label:negative]]",
        label_resolver=lambda _id: ("Neg", "javascript:alert(1)"),
        section_link=lambda _id: "javascript:alert(2)",
    )
    assert_nothing_executable(html)
    assert links(html) == ["#scope"]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.org", True),
        ("HTTPS://a.org", True),
        ("mailto:a@b.org", True),
        ("/x/y", True),
        ("#frag", True),
        ("", True),
        ("javascript:x", False),
        (" \x01javascript:x", False),
        ("jav\tascript:x", False),
        ("jav\r\nascript:x", False),
        ("%6A%61vascript:x", False),
        ("&#106;avascript:x", False),
        ("data:text/html,x", False),
        ("ftp://a.org", False),
        ("tel:+123", False),
    ],
)
def test_is_safe_url_accepts_only_http_mailto_and_relative(url, safe):
    assert is_safe_url(url) is safe


# --- headings, sections, table of contents ---------------------------------------------------


def test_explicit_heading_id_is_kept_whatever_the_heading_text():
    for heading in ("Sarcasm", "Irony and sarcasm (revised)"):
        rendered = render_markdown(f"## {heading} {{#sarcasm}}\n\nText.\n")
        assert rendered.sections[0].id == "sarcasm"
        assert rendered.sections[0].title == heading
        assert '<h2 id="sarcasm">' in rendered.html


def test_headings_without_an_id_get_a_unicode_slug():
    rendered = render_markdown(
        "## Ironie & Übertreibung!\n\n## Emoji 😀 use\n\n## 日本語 テキスト\n"
    )
    assert [s.id for s in rendered.sections] == [
        "ironie-übertreibung",
        "emoji-use",
        "日本語-テキスト",
    ]


def test_slugify_strips_punctuation_and_joins_words_with_hyphens():
    assert slugify("  What about *sarcasm*? (v2)  ") == "what-about-sarcasm-v2"
    assert slugify("snake_case stays") == "snake_case-stays"
    assert slugify("!!!") == "section"


def test_duplicate_headings_get_numbered_suffixes_in_document_order():
    body = "## Examples\n\n## Examples\n\n### Examples\n"
    assert [s.id for s in render_markdown(body).sections] == [
        "examples",
        "examples-2",
        "examples-3",
    ]


def test_an_explicit_id_later_in_the_document_keeps_its_id():
    body = "## Sarcasm\n\n## Irony {#sarcasm}\n"
    assert [s.id for s in render_markdown(body).sections] == ["sarcasm-2", "sarcasm"]


def test_heading_title_is_plain_text_without_markup_or_id():
    rendered = render_markdown("## Use **bold** and `code` {#use}\n")
    assert rendered.sections[0].title == "Use bold and code"
    assert rendered.toc[0].title == "Use bold and code"


def test_every_heading_has_a_permalink_anchor_to_its_id():
    html = html_of("# Top\n\n## Scope {#scope}\n")
    anchors = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert [a["href"] for a in anchors] == ["#top", "#scope"]
    assert all(a["class"] == "anchor" for a in anchors)


def test_section_link_sets_the_permalink_href():
    html = html_of("## Scope {#scope}\n", section_link=lambda sid: f"/guidelines/s#{sid}")
    assert links(html) == ["/guidelines/s#scope"]


def test_sections_record_lines_parents_and_source_text():
    body = "Intro.\n\n# Guide\n\n## A {#a}\n\nText a.\n\n### A1\n\nText a1.\n\n## B\n\nText b.\n"
    rendered = render_markdown(body)
    by_id = {s.id: s for s in rendered.sections}
    assert list(by_id) == ["guide", "a", "a1", "b"]
    assert (by_id["a"].line_start, by_id["a"].line_end) == (5, 12)
    assert by_id["a"].text.startswith("## A {#a}") and "Text a1." in by_id["a"].text
    assert "Text a1." not in by_id["a"].own_text
    assert by_id["a1"].parent == "a" and by_id["a"].parent == "guide"
    assert by_id["guide"].parent is None
    assert by_id["b"].line_start == 13 and by_id["b"].line_end == 15
    assert by_id["guide"].line_end == 15
    assert [(t.id, t.level) for t in rendered.toc] == [("guide", 1), ("a", 2), ("a1", 3), ("b", 2)]


def test_headings_inside_code_blocks_are_not_sections():
    body = "```python\n# a comment\n```\n\n    # indented code\n\n## Real\n"
    assert [s.id for s in render_markdown(body).sections] == ["real"]


def test_setext_headings_are_sections():
    assert [s.id for s in render_markdown("Title\n=====\n\nSub\n---\n").sections] == [
        "title",
        "sub",
    ]


def test_crlf_bodies_have_the_same_sections_as_lf():
    body = "## A\n\ntext\n\n## B\n"
    assert render_markdown(body.replace("\n", "\r\n")).sections == render_markdown(body).sections


# --- label mentions --------------------------------------------------------------------------


def test_known_label_mention_links_to_the_label_with_its_name():
    html = html_of("Use [[label:negative]] here.", label_resolver=resolve)
    [(_, attrs)] = [e for e in elements(html) if e[0] == "a"]
    assert attrs["href"] == "/taxonomies/sentiment/labels/negative"
    assert "label-mention" in attrs["class"]
    assert visible_text(html) == "Use Negative here.\n"


def test_label_mention_with_shown_text_displays_that_text():
    html = html_of("[[label:positive|the good one]]", label_resolver=resolve)
    assert visible_text(html).strip() == "the good one"
    assert links(html) == ["/taxonomies/sentiment/labels/positive"]


def test_unknown_label_mention_is_a_visibly_flagged_span():
    html = html_of("[[label:nope]]", label_resolver=resolve)
    [(tag, attrs)] = [e for e in elements(html) if e[1].get("data-label") == "nope"]
    assert tag == "span"
    assert "label-unknown" in attrs["class"].split()
    assert links(html) == []


def test_mentions_without_a_resolver_render_as_plain_spans():
    html = html_of("[[label:negative]]")
    assert "label-unknown" not in html
    assert '<span class="label-mention" data-label="negative">negative</span>' in html


def test_mentions_in_code_are_not_rendered():
    body = "`[[label:negative]]`\n\n```\n[[label:negative]]\n```\n\n    [[label:negative]]\n"
    html = html_of(body, label_resolver=resolve)
    assert "label-mention" not in html
    assert html.count("[[label:negative]]") == 3


def test_mention_inside_link_text_does_not_nest_links():
    html = html_of("[see [[label:negative]]](https://example.org)", label_resolver=resolve)
    assert len(links(html)) == 1
    assert "<a" not in html.split("<a", 2)[1].split("</a>")[0]


def test_mention_shown_text_is_escaped():
    html = html_of('[[label:negative|<img src=x onerror="alert(1)">]]', label_resolver=resolve)
    assert_nothing_executable(html)
    assert "&lt;img" in html


def test_mentions_in_table_cells_use_an_escaped_pipe():
    body = "| a | b |\n|---|---|\n| 1 | [[label:positive\\|Pos]] |\n"
    html = html_of(body, label_resolver=resolve)
    assert links(html) == ["/taxonomies/sentiment/labels/positive"]
    assert parse_body(body).mentions == ("positive",)


# --- the rest of the syntax ------------------------------------------------------------------


def test_tables_strikethrough_footnotes_and_task_lists_render():
    body = (
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\nText[^n].\n\n[^n]: A note.\n\n"
        "- [x] done\n- [ ] todo\n"
    )
    tags = [tag for tag, _ in elements(html_of(body))]
    for tag in ("table", "s", "sup", "input"):
        assert tag in tags
    assert 'type="checkbox"' in html_of(body)


# --- pathological input, size, cache ---------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000,
        "![" * 25_000,
        "[^" * 25_000,
        "[a" * 25_000,
        ("[" * 500 + "]" * 500) * 50,
        "## " + "[" * 20_000 + "\n\n" + "| " + "[" * 20_000 + " |\n|---|\n",
    ],
)
def test_bracket_bombs_render_and_keep_their_text(body):
    markdown.clear_caches()
    html = html_of(body)
    assert visible_text(html).count("[") >= body.count("[") - 10


@pytest.mark.parametrize(
    "body",
    [
        "*a" * 499_000,
        "[" * 999_000,
        "|a|\n|-|\n" + "|a|\n" * 240_000,
        "# h\n" * 240_000,
        "a\n" * 499_000,
    ],
)
def test_a_megabyte_of_markup_renders_as_escaped_source(body):
    markdown.clear_caches()
    rendered = render_markdown(body + "<script>")
    assert rendered.too_complex
    assert rendered.html.startswith('<pre class="markdown-too-complex">')
    assert rendered.html.endswith("&lt;script&gt;</pre>\n")
    assert rendered.sections == [] and rendered.toc == []


def test_ordinary_prose_of_a_megabyte_is_rendered_normally():
    rendered = render_markdown("## Words\n\n" + "plain words, no markup. " * 40_000)
    assert not rendered.too_complex
    assert [s.id for s in rendered.sections] == ["words"]


def test_escaped_brackets_in_link_urls_come_back_as_brackets(monkeypatch):
    body = "[a](https://a.org/x[y) [ tail words here"
    expected = html_of(body)
    markdown.clear_caches()
    monkeypatch.setattr(markdown, "_BRACKET_BUDGET", 5)
    assert html_of(body) == expected
    assert "\ufdd0" not in html_of(body)


def test_bracket_bomb_with_the_guard_character_in_it_keeps_its_text():
    body = "\ufdd0 " + "[" * 50_000
    html = html_of(body)
    assert visible_text(html).count("[") == 50_000
    assert "\ufdd0" in html


def test_bracket_guard_keeps_real_links_among_unmatched_brackets():
    html = html_of("[" * 20_000 + " see [the rules](https://example.org/rules).")
    assert links(html) == ["https://example.org/rules"]


def test_bracket_guard_leaves_ordinary_text_alone():
    text = "See [the rules](https://x.org), [[label:a]] and [^1] or [ref][r]. [" * 20
    assert guard_brackets(text) == text


def test_bracket_guard_skips_code_spans_and_escapes(monkeypatch):
    monkeypatch.setattr(markdown, "_BRACKET_BUDGET", 0)
    guarded = guard_brackets("x [ y [ z `[[[` w")
    assert "`[[[`" in guarded
    assert guarded.count("\\[") == 2
    assert guard_brackets(r"\[ \[ \[") == r"\[ \[ \["


def test_escaped_unmatched_brackets_render_exactly_like_the_original(monkeypatch):
    body = "a [b [c `[d` e\n\nf [g](https://h.org) [ and more words"
    expected = html_of(body)
    markdown.clear_caches()
    monkeypatch.setattr(markdown, "_BRACKET_BUDGET", 5)
    assert "\\[" in guard_brackets("f [g](https://h.org) [ and more words")
    assert html_of(body) == expected


def test_bodies_over_the_size_cap_are_refused():
    with pytest.raises(TooLarge):
        render_markdown("a" * (MAX_GUIDELINE_BYTES + 1))
    with pytest.raises(TooLarge):
        render_markdown("é" * (MAX_GUIDELINE_BYTES // 2 + 1))
    render_markdown("a" * 1000)


def test_rendering_is_cached_by_content(monkeypatch):
    markdown.clear_caches()
    calls = []
    real_parse = markdown._MD.parse
    monkeypatch.setattr(markdown._MD, "parse", lambda *a: calls.append(1) or real_parse(*a))
    first = render_markdown("## A\n\n[[label:negative]]", label_resolver=resolve)
    second = render_markdown("## A\n\n[[label:negative]]", label_resolver=resolve)
    assert first == second
    assert len(calls) == 1
    render_markdown("## B\n")
    assert len(calls) == 2


def test_a_renamed_label_gives_a_fresh_render_even_from_the_cache():
    body = "[[label:negative]]"
    before = html_of(body, label_resolver=resolve)
    after = html_of(body, label_resolver=lambda i: ("Unfavourable", "/l/negative"))
    assert "Negative" in before and "Unfavourable" in after
    assert "label-unknown" in html_of(body, label_resolver=lambda i: None)


def test_resolver_is_called_once_per_distinct_label():
    seen = []
    html_of(
        "[[label:negative]] [[label:negative]] [[label:positive]]",
        label_resolver=lambda i: seen.append(i) or resolve(i),
    )
    assert seen == ["negative", "positive"]


def test_mutating_a_result_does_not_change_the_cache():
    first = render_markdown("## A\n")
    first.toc.clear()
    first.sections.clear()
    again = render_markdown("## A\n")
    assert [t.id for t in again.toc] == ["a"]
    assert [s.id for s in again.sections] == ["a"]


FRAGMENTS = [
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "JaVaScRiPt:",
    "&#106;avascript:",
    "java\tscript:",
    "data:text/html,",
    '"',
    "'",
    "<",
    ">",
    "[",
    "]",
    "(",
    ")",
    "![",
    "[^",
    "^[",
    "{#",
    "}",
    "hx-get=/x",
    " onmouseover=alert(1)",
    "`",
    "*",
    "_",
    "~~",
    "|",
    "\n",
    "\n\n",
    "# ",
    "## ",
    "- [ ] ",
    "> ",
    "[[label:",
    "negative",
    "]]",
    "|shown",
    "https://ok.org",
    ": ",
    "&amp;",
    "&quot;",
    "\\",
]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_no_combination_of_dangerous_fragments_renders_anything_executable(parts):
    body = "".join(parts)
    html = html_of(body, label_resolver=resolve, section_link=lambda sid: f"/g/s#{sid}")
    assert_nothing_executable(html)
