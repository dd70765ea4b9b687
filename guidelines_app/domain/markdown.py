"""Guideline Markdown: one parser for sections, label mentions and safe HTML rendering.

The parser is markdown-it-py's ``js-default`` preset (raw HTML off) with tables,
strikethrough, footnotes and task lists. Nothing else is enabled on purpose: the
attrs plugin would let authors set arbitrary attributes (``hx-get``, ``hx-on``),
so explicit heading ids ``{#id}`` are parsed here and checked against ``ID_RE``.

Rendering is cached in two layers, both keyed by sha256: the parse of a body,
and the HTML for (body, resolved labels, resolved section links). A label
resolver is a callable, so it cannot be hashed; instead it is called once per
distinct mentioned label and its answers become part of the key, so a renamed
label or a moved URL gives a fresh render while the parse is reused.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from html import unescape as html_unescape
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from guidelines_app.domain.errors import TooLarge

MAX_GUIDELINE_BYTES = 1_000_000
# markdown-it-py spends roughly 5-10 us per markup character (a token each, at worst), so a
# megabyte of "*a" or table cells takes many seconds. Real guidelines have about 7 markup
# characters per 100; a body with more than this many is shown as escaped source instead.
MAX_MARKUP_CHARS = 100_000
_MARKUP_CHARS = "*_[]!|`~<>&\\#\n"
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
LABEL_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

_EXPLICIT_ID = re.compile(r"(?:^|[ \t]+)(?<!\\)\{#(" + ID_RE.pattern + r")\}[ \t]*$")
_MENTION = re.compile(r"\[\[label:(" + LABEL_ID_RE.pattern + r")(?:\|([^\]\n]*))?\]\]")
_NEWLINES = re.compile(r"\r\n?")
_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_SPACE = re.compile(r"[\s-]+")

LabelResolver = Callable[[str], "tuple[str, str] | None"]
SectionLink = Callable[[str], str]


@dataclass(frozen=True)
class Section:
    """A top-level heading and its extent; lines are 1-based and inclusive, within the body.

    ``line_end``/``text`` cover the subsections too; ``own_text`` stops at the
    first heading below it, which is what a section diff compares.
    """

    id: str
    title: str
    level: int
    line_start: int
    line_end: int
    parent: str | None
    text: str
    own_text: str


@dataclass(frozen=True)
class TocEntry:
    id: str
    title: str
    level: int


@dataclass(frozen=True)
class RenderedGuideline:
    """``too_complex``: the body had too much markup to render in time; ``html`` is its
    escaped source in a ``<pre class="markdown-too-complex">``, with no sections."""

    html: str
    toc: list[TocEntry] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    too_complex: bool = False


@dataclass(frozen=True)
class ParsedBody:
    """A body parsed once: tokens for rendering, plus what validation and diffs need."""

    tokens: list[Token]
    heading_ids: tuple[str, ...]
    mentions: tuple[str, ...]
    sections: tuple[Section, ...]
    too_complex: bool = False


def slugify(text: str) -> str:
    """Lowercase, Unicode letters and digits kept, punctuation dropped, spaces to '-'."""
    text = unicodedata.normalize("NFC", text).lower()
    slug = _SLUG_SPACE.sub("-", _SLUG_DROP.sub("", text)).strip("-")
    return slug or "section"


def check_body_size(body: str) -> None:
    if len(body) * 4 > MAX_GUIDELINE_BYTES and len(body.encode("utf-8")) > MAX_GUIDELINE_BYTES:
        raise TooLarge(f"a guideline may not exceed {MAX_GUIDELINE_BYTES} bytes")


# --- safety helpers --------------------------------------------------------------------------

_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(map(chr, range(33)))  # C0 controls and space


def is_safe_url(url: str) -> bool:
    """True for http(s), mailto, relative URLs and fragments; False for any other scheme.

    Checked the way a browser reads the URL (tabs and newlines removed, control
    characters and spaces trimmed), and again after percent- and entity-decoding,
    so ``java\tscript:``, ``JaVaScRiPt:``, ``%6Aavascript:`` and ``&#106;avascript:``
    are all refused.
    """
    candidates = [url, unquote(url), html_unescape(url), html_unescape(unquote(url))]
    for candidate in candidates:
        cleaned = _URL_IGNORED.sub("", candidate).strip(_URL_TRIMMED)
        match = _SCHEME.match(cleaned)
        if match and match[1].lower() not in _SAFE_SCHEMES:
            return False
    return True


# An unmatched "[" makes markdown-it rescan the rest of its paragraph, so 50 KB of "["
# takes seconds. The scan cost of every "[" is at most the distance to its partner (or to
# the end), so when the sum of those distances passes this budget, the costliest brackets
# are escaped: they render as the same literal "[" and the parse stays linear.
_BRACKET_BUDGET = 100_000
_GUARD = "\ufdd0"  # a noncharacter: not a terminator for markdown-it's text rule
_GUARD_URL = "%EF%B7%90"


def _bracket_spans(src: str) -> list[tuple[int, int]]:
    """(position, scan cost) of each "[" outside code spans and escapes."""
    runs: dict[int, list[int]] = {}
    for m in re.finditer(r"`+", src):
        runs.setdefault(len(m[0]), []).append(m.start())
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            j = i
            while j < n and src[j] == "`":
                j += 1
            same = runs[j - i]
            k = bisect_right(same, i)
            i = same[k] + (j - i) if k < len(same) else j
            continue
        if c == "[":
            stack.append(i)
        elif c == "]" and stack:
            opened = stack.pop()
            spans.append((opened, i - opened))
        i += 1
    spans.extend((opened, n - opened) for opened in stack)
    return spans


def guard_brackets(src: str, mark: str = "\\") -> str:
    """Escape the costliest "[" of an inline run when their scans would exceed the budget.

    Unmatched brackets go first (each costs a scan to the end of the run), then matched
    ones by distance to their partner. ``mark`` goes before each escaped "[": a backslash
    by default; the parser uses ``_GUARD``, which it swaps back after parsing (a backslash
    escape is a token of its own, and a million of them is slow too).
    """
    if src.count("[") < 2 or len(src) * src.count("[") <= _BRACKET_BUDGET:
        return src
    spans = _bracket_spans(src)
    total = sum(cost for _, cost in spans)
    if total <= _BRACKET_BUDGET:
        return src
    escaped: list[int] = []
    for pos, cost in sorted(spans, key=lambda s: -s[1]):
        if total <= _BRACKET_BUDGET:
            break
        escaped.append(pos)
        total -= cost
    escaped.sort()
    out, last = [], 0
    for pos in escaped:
        out.append(src[last:pos])
        last = pos + (mark == _GUARD)
        out.append(mark)
    out.append(src[last:])
    return "".join(out)


def _restore_brackets(tokens: Sequence[Token]) -> None:
    for tok in tokens:
        if _GUARD in tok.content:
            tok.content = tok.content.replace(_GUARD, "[")
        for name, value in tok.attrs.items():
            if isinstance(value, str):
                tok.attrs[name] = value.replace(_GUARD, "[").replace(_GUARD_URL, "%5B")
        if isinstance(tok.meta.get("text"), str):
            tok.meta["text"] = tok.meta["text"].replace(_GUARD, "[")
        if tok.children:
            _restore_brackets(tok.children)


# --- parsing rules ---------------------------------------------------------------------------


def _prepare_inline(state: StateCore) -> None:
    """Between block and inline parsing: take explicit ids off headings, defuse bracket bombs."""
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            inline = tokens[i + 1]
            match = _EXPLICIT_ID.search(inline.content)
            if match:
                tok.meta["explicit_id"] = match[1]
                inline.content = inline.content[: match.start()]
        elif tok.type == "inline" and _GUARD not in tok.content:
            guarded = guard_brackets(tok.content, _GUARD)
            if guarded is not tok.content:
                state.env["guarded"] = True
                tok.content = guarded
        elif tok.type == "inline":
            tok.content = guard_brackets(tok.content)


def _label_mention(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[label:", state.pos):
        return False
    match = _MENTION.match(state.src, state.pos, state.posMax)
    if not match:
        return False
    if not silent:
        tok = state.push("label_mention", "", 0)
        shown = (match[2] or "").strip()
        tok.meta = {"label": match[1], "text": shown or None}
        tok.content = match[0]
    state.pos = match.end()
    return True


def _plain_text(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "label_mention":
            parts.append(child.meta["text"] or child.meta["label"])
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain_text(child.children or []))
    return " ".join("".join(parts).split())


def _unique(base: str, explicit: bool, used: set[str], reserved: set[str], nxt: dict) -> str:
    """``base`` if free, else ``base-2``, ``base-3``...; explicit ids may take a reserved one."""
    if base not in used and (explicit or base not in reserved):
        return base
    n = nxt.get(base, 2)
    while f"{base}-{n}" in used or f"{base}-{n}" in reserved:
        n += 1
    nxt[base] = n + 1
    return f"{base}-{n}"


def _finish(state: StateCore) -> None:
    """After inline parsing: stable heading ids, explicit ones first, then slugs, deduplicated."""
    tokens = state.tokens
    headings = [i for i, t in enumerate(tokens) if t.type == "heading_open"]
    reserved = {tokens[i].meta["explicit_id"] for i in headings if "explicit_id" in tokens[i].meta}
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    if state.env.get("guarded"):
        _restore_brackets(tokens)
    for i in headings:
        opening, inline = tokens[i], tokens[i + 1]
        title = _plain_text(inline.children or [])
        explicit = opening.meta.get("explicit_id")
        heading_id = _unique(
            explicit or slugify(title), bool(explicit), used, reserved, next_suffix
        )
        used.add(heading_id)
        opening.attrSet("id", heading_id)
        opening.meta.update(section_id=heading_id, title=title or heading_id)
        tokens[i + 2].meta["section_id"] = heading_id  # heading_open, inline, heading_close


# --- rendering rules -------------------------------------------------------------------------


def _render_heading_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    section_id = tokens[idx].meta.get("section_id", "")
    links = env.get("section_links") or {}
    href = links.get(section_id)
    if not href or not is_safe_url(href):
        href = f"#{section_id}"
    anchor = f'<a class="anchor" href="{escape(href)}" aria-label="Link to this section">¶</a>'
    return f" {anchor}</{tokens[idx].tag}>\n"


def _render_label_mention(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    meta = tokens[idx].meta
    label_id = meta["label"]
    labels = env.get("labels")
    resolved = labels.get(label_id) if labels is not None else None
    shown = meta["text"] or (resolved[0] if resolved else label_id)
    data = f'data-label="{escape(label_id)}"'
    if labels is not None and resolved is None:
        return (
            f'<span class="label-mention label-unknown" {data} '
            f'title="Unknown label: {escape(label_id)}">{escape(shown)}</span>'
        )
    if resolved and is_safe_url(resolved[1]):
        return f'<a class="label-mention" href="{escape(resolved[1])}" {data}>{escape(shown)}</a>'
    return f'<span class="label-mention" {data}>{escape(shown)}</span>'


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin)
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    md.core.ruler.after("block", "guideline_prepare_inline", _prepare_inline)
    md.core.ruler.push("guideline_finish", _finish)
    md.inline.ruler.before("link", "label_mention", _label_mention)
    md.add_render_rule("heading_close", _render_heading_close)
    md.add_render_rule("label_mention", _render_label_mention)
    return md


_MD = _build_parser()


# --- caching ---------------------------------------------------------------------------------


class _LRU:
    """A small thread-safe LRU; gunicorn threads may render at the same time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_PARSED = _LRU(32)
_RENDERED = _LRU(256)


def clear_caches() -> None:
    _PARSED.clear()
    _RENDERED.clear()


def _sections(tokens: list[Token], src: str) -> tuple[Section, ...]:
    lines = src.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tops = [t for t in tokens if t.type == "heading_open" and t.level == 0 and t.map]
    starts = [t.map[0] for t in tops]  # type: ignore[index]
    ends = [len(lines)] * len(tops)
    parents: list[str | None] = [None] * len(tops)
    open_: list[int] = []  # indexes of headings whose extent is still open
    for k, tok in enumerate(tops):
        level = int(tok.tag[1])
        while open_ and int(tops[open_[-1]].tag[1]) >= level:
            ends[open_.pop()] = starts[k]
        parents[k] = tops[open_[-1]].meta["section_id"] if open_ else None
        open_.append(k)
    result = []
    for k, tok in enumerate(tops):
        own_end = starts[k + 1] if k + 1 < len(tops) else len(lines)
        result.append(
            Section(
                id=tok.meta["section_id"],
                title=tok.meta["title"],
                level=int(tok.tag[1]),
                line_start=starts[k] + 1,
                line_end=max(ends[k], starts[k] + 1),
                parent=parents[k],
                text="\n".join(lines[starts[k] : ends[k]]),
                own_text="\n".join(lines[starts[k] : own_end]),
            )
        )
    return tuple(result)


def parse_body(body: str) -> ParsedBody:
    """Parse (or fetch from the cache) a guideline body; raises TooLarge beyond the cap."""
    check_body_size(body)
    src = _NEWLINES.sub("\n", body)
    digest = hashlib.sha256(src.encode("utf-8", "surrogatepass")).hexdigest()
    cached = _PARSED.get(digest)
    if cached is not None:
        return cached
    if sum(src.count(c) for c in _MARKUP_CHARS) > MAX_MARKUP_CHARS:
        parsed = ParsedBody([], (), (), (), too_complex=True)
        _PARSED.put(digest, parsed)
        return parsed
    tokens = _MD.parse(src, {})
    heading_ids = tuple(t.meta["section_id"] for t in tokens if t.type == "heading_open")
    mentions = tuple(
        child.meta["label"]
        for t in tokens
        if t.type == "inline"
        for child in t.children or []
        if child.type == "label_mention"
    )
    parsed = ParsedBody(tokens, heading_ids, mentions, _sections(tokens, src))
    _PARSED.put(digest, parsed)
    return parsed


def render_markdown(
    body: str,
    *,
    label_resolver: LabelResolver | None = None,
    section_link: SectionLink | None = None,
) -> RenderedGuideline:
    """Safe HTML for a guideline body, with its table of contents and sections.

    ``label_resolver(id)`` gives (display name, URL) or None for an unknown label
    (rendered as ``span.label-unknown``); ``section_link(id)`` gives the href of a
    heading's permalink (default ``#id``). Both are called once per distinct id.
    """
    parsed = parse_body(body)
    if parsed.too_complex:
        return RenderedGuideline(
            html=f'<pre class="markdown-too-complex">{escape(body, quote=False)}</pre>\n',
            too_complex=True,
        )
    labels = None
    if label_resolver is not None:
        labels = {lid: label_resolver(lid) for lid in dict.fromkeys(parsed.mentions)}
    links = {sid: section_link(sid) for sid in parsed.heading_ids} if section_link else None
    key_src = repr((sorted(labels.items()) if labels is not None else None, links))
    key = hashlib.sha256(
        hashlib.sha256(body.encode("utf-8", "surrogatepass")).digest()
        + key_src.encode("utf-8", "surrogatepass")
    ).hexdigest()
    html = _RENDERED.get(key)
    if html is None:
        env = {"labels": labels, "section_links": links}
        html = _MD.renderer.render(parsed.tokens, _MD.options, env)
        _RENDERED.put(key, html)
    toc = [TocEntry(s.id, s.title, s.level) for s in parsed.sections]
    return RenderedGuideline(html=html, toc=toc, sections=list(parsed.sections))
