"""Diffs people can read: by section (matched by stable id), by paragraph, by word.

Everything that returns HTML escapes the text itself and returns ``markupsafe.Markup``,
so a template can insert it as is and nothing from the documents is ever markup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup, escape

from guidelines_app.domain.markdown import Section, parse_body

Op = Literal["equal", "insert", "delete"]

PREAMBLE_ID = ""
PREAMBLE_TITLE = "(before the first heading)"
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# SequenceMatcher is quadratic in the worst case: beyond this many tokens a word diff
# first aligns lines and only word-diffs the changed blocks that are small enough.
_MAX_WORD_TOKENS = 4_000
# A replaced paragraph looks this many paragraphs ahead for its revised version.
_PAIR_WINDOW = 8


@dataclass(frozen=True)
class SectionChange:
    id: str
    old_title: str | None
    new_title: str | None
    old_text: str
    new_text: str

    @property
    def renamed(self) -> bool:
        return bool(self.old_title and self.new_title and self.old_title != self.new_title)


@dataclass(frozen=True)
class SectionDiff:
    added: list[SectionChange] = field(default_factory=list)
    removed: list[SectionChange] = field(default_factory=list)
    changed: list[SectionChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    @property
    def summary(self) -> str:
        """E.g. ``2 sections changed: Sarcasm, Negation; 1 section added: Emoji``."""
        parts = []
        for verb, items in (("changed", self.changed), ("added", self.added)):
            if items:
                names = ", ".join(c.new_title or c.id for c in items)
                parts.append(f"{_count(len(items))} {verb}: {names}")
        if self.removed:
            names = ", ".join(c.old_title or c.id for c in self.removed)
            parts.append(f"{_count(len(self.removed))} removed: {names}")
        return "; ".join(parts) if parts else "No section changed"


@dataclass(frozen=True)
class ParagraphChange:
    """One paragraph of a section diff; ``words`` is set only when op is "change"."""

    op: Literal["equal", "insert", "delete", "change"]
    old: str
    new: str
    words: list[tuple[Op, str]] = field(default_factory=list)


def _count(n: int) -> str:
    return f"{n} section" if n == 1 else f"{n} sections"


def _by_id(body: str) -> dict[str, tuple[str, str]]:
    """id -> (title, own text), with the text before the first heading as a pseudo-section."""
    parsed = parse_body(body)
    found: dict[str, tuple[str, str]] = {}
    lines = re.sub(r"\r\n?", "\n", body).split("\n")
    first = parsed.sections[0].line_start - 1 if parsed.sections else len(lines)
    preamble = "\n".join(lines[:first]).strip()
    if preamble:
        found[PREAMBLE_ID] = (PREAMBLE_TITLE, preamble)
    section: Section
    for section in parsed.sections:
        found[section.id] = (section.title, section.own_text.strip())
    return found


def section_diff(old_body: str, new_body: str) -> SectionDiff:
    """Sections matched by stable id; a section is changed when its own text differs
    (its heading included, so a rename counts), not when only a subsection does."""
    old, new = _by_id(old_body), _by_id(new_body)
    diff = SectionDiff()
    for sid, (title, text) in new.items():
        if sid not in old:
            diff.added.append(SectionChange(sid, None, title, "", text))
        elif old[sid][1] != text:
            diff.changed.append(SectionChange(sid, old[sid][0], title, old[sid][1], text))
    for sid, (title, text) in old.items():
        if sid not in new:
            diff.removed.append(SectionChange(sid, title, None, text, ""))
    return diff


def _lines(text: str) -> list[str]:
    """Lines with their "\\n" kept; only "\\n" ends a line, as in git."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _tokens(text: str) -> list[str]:
    return _WORDS.findall(text)


def _merge(ops: Iterator[tuple[Op, str]]) -> list[tuple[Op, str]]:
    merged: list[tuple[Op, str]] = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _diff_sequences(a: list[str], b: list[str]) -> Iterator[tuple[Op, str]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield "equal", "".join(a[i1:i2])
        else:
            yield "delete", "".join(a[i1:i2])
            yield "insert", "".join(b[j1:j2])


def _word_ops(old: str, new: str) -> Iterator[tuple[Op, str]]:
    a, b = _tokens(old), _tokens(new)
    if len(a) + len(b) <= _MAX_WORD_TOKENS:
        yield from _diff_sequences(a, b)
        return
    old_lines, new_lines = _lines(old), _lines(new)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            yield "equal", before
        elif len(_tokens(before)) + len(_tokens(after)) <= _MAX_WORD_TOKENS:
            yield from _diff_sequences(_tokens(before), _tokens(after))
        else:
            yield "delete", before
            yield "insert", after


def word_diff(old: str, new: str) -> list[tuple[Op, str]]:
    """Word-level diff with whitespace kept: joining the equal+delete parts gives ``old``,
    the equal+insert parts give ``new``. Adjacent parts of the same kind are merged."""
    return _merge(_word_ops(old, new))


def word_diff_html(old: str, new: str) -> Markup:
    tags = {"insert": "ins", "delete": "del"}
    out = []
    for op, text in word_diff(old, new):
        out.append(
            str(escape(text)) if op == "equal" else f"<{tags[op]}>{escape(text)}</{tags[op]}>"
        )
    return Markup("".join(out))  # every piece of text is escaped above


def _paragraphs(text: str) -> list[str]:
    text = re.sub(r"\r\n?", "\n", text).strip("\n")
    return [p.strip("\n") for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def _similar(a: str, b: str) -> bool:
    """Whether two paragraphs read as one revised paragraph (whitespace not counted)."""
    words_a, words_b = a.split(), b.split()
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    if matcher.quick_ratio() < 0.4:
        return False
    return len(words_a) + len(words_b) > _MAX_WORD_TOKENS or matcher.ratio() >= 0.4


def _pair(old: list[str], new: list[str]) -> Iterator[ParagraphChange]:
    """Pair the paragraphs of a replaced block in order, by similarity; leftovers stand alone."""
    j = 0
    for para in old:
        window = range(j, min(len(new), j + _PAIR_WINDOW))
        k = next((k for k in window if _similar(para, new[k])), None)
        if k is None:
            yield ParagraphChange("delete", para, "")
            continue
        for inserted in new[j:k]:
            yield ParagraphChange("insert", "", inserted)
        yield ParagraphChange("change", para, new[k], word_diff(para, new[k]))
        j = k + 1
    for inserted in new[j:]:
        yield ParagraphChange("insert", "", inserted)


def paragraph_diff(old_section_text: str, new_section_text: str) -> list[ParagraphChange]:
    """Paragraphs (blank-line separated) aligned, with word diffs inside changed ones."""
    old, new = _paragraphs(old_section_text), _paragraphs(new_section_text)
    keys_old = [" ".join(p.split()) for p in old]
    keys_new = [" ".join(p.split()) for p in new]
    result: list[ParagraphChange] = []
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(
                ParagraphChange("equal", o, n) for o, n in zip(old[i1:i2], new[j1:j2], strict=True)
            )
        else:
            result.extend(_pair(old[i1:i2], new[j1:j2]))
    return result


def unified_diff(old: str, new: str, fromfile: str = "a", tofile: str = "b") -> str:
    """A git-style unified diff, marking a missing final newline as git does."""

    def lines(text: str) -> list[str]:
        result = _lines(text)
        if result and not result[-1].endswith("\n"):
            result[-1] += "\n\\ No newline at end of file\n"
        return result

    return "".join(difflib.unified_diff(lines(old), lines(new), fromfile, tofile))
