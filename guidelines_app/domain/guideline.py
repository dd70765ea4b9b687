"""A guideline file: YAML front matter, a Markdown body, sections with stable ids.

Lines in problems are lines of the whole file (1-based), so an editor can point
at them; lines in sections are lines of the body (``Guideline.body_line`` is the
file line where the body starts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from guidelines_app.domain.errors import AppError, InvalidInput, Problem
from guidelines_app.domain.markdown import (
    ID_RE,
    MAX_GUIDELINE_BYTES,
    Section,
    check_body_size,
    parse_body,
)

__all__ = [
    "MAX_GUIDELINE_BYTES",
    "SLUG_RE",
    "Guideline",
    "Section",
    "check_slug",
    "label_mentions",
    "parse_guideline",
    "readable_guideline",
    "removed_section_ids",
    "render_template_guideline",
    "section_ids",
    "section_problems",
    "sections",
    "serialize_front_matter",
    "serialize_guideline",
    "unknown_label_mentions",
]

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG_LENGTH = 100
MAX_FRONT_MATTER_BYTES = 64_000
#: Front matter fields are flat; deeper flow nesting is a mistake or an attack (PyYAML's
#: pure-Python parser takes seconds on a few thousand nested brackets).
MAX_FRONT_MATTER_DEPTH = 32
USERNAME_RE = re.compile(r"[^\s\x00-\x1f]+")

_FIELDS = ("title", "taxonomy", "owners", "summary", "archived")
_NEWLINES = re.compile(r"\r\n?")
_EXPLICIT_ID_TEXT = re.compile(r"\{#([^}\n]*)\}[ \t]*$")


@dataclass(frozen=True)
class Guideline:
    title: str
    taxonomy: str
    owners: tuple[str, ...]
    summary: str | None
    archived: bool
    body: str
    body_line: int
    sections: tuple[Section, ...]


def check_slug(slug: str) -> str:
    """The slug itself if it names a guideline or taxonomy file safely, else InvalidInput."""
    if not isinstance(slug, str) or len(slug) > MAX_SLUG_LENGTH or not SLUG_RE.fullmatch(slug):
        raise InvalidInput(
            problems=[
                Problem(
                    "must be lowercase letters, digits and single hyphens "
                    f"(at most {MAX_SLUG_LENGTH} characters)",
                    path="slug",
                )
            ]
        )
    return slug


# --- front matter ----------------------------------------------------------------------------


def _split(text: str) -> tuple[str, str, int]:
    """(front matter, body, file line of the body's first line)."""
    text = _NEWLINES.sub("\n", text.removeprefix("\ufeff"))
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise InvalidInput(
            problems=[Problem("the file must start with a front matter block ('---')", line=1)]
        )
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :]), end + 2
    raise InvalidInput(
        problems=[Problem("the front matter block is not closed by a '---' line", line=1)]
    )


def _yaml_line(mark: Any) -> int | None:
    return mark.line + 2 if mark is not None else None  # +1 for 1-based, +1 for the '---' line


def _too_deep_at(front: str) -> int | None:
    """The file line where ``[``/``{`` nesting first passes the limit, if it does (brackets
    inside quotes count too: no real field nests a tenth as deep)."""
    depth = 0
    for index, char in enumerate(front):
        if char in "[{":
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                return front.count("\n", 0, index) + 2
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


def _load(front: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The mapping and the file line of each key; InvalidInput for anything else."""
    if len(front.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise InvalidInput(
            problems=[Problem(f"front matter over {MAX_FRONT_MATTER_BYTES} bytes", line=2)]
        )
    too_deep = _too_deep_at(front)
    if too_deep is not None:
        raise InvalidInput(
            problems=[
                Problem(
                    f"front matter nested deeper than {MAX_FRONT_MATTER_DEPTH} levels",
                    line=too_deep,
                )
            ]
        )
    try:
        for event in yaml.parse(front, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = _yaml_line(event.start_mark)
                raise InvalidInput(
                    problems=[Problem("YAML anchors and aliases are not allowed", line=line)]
                )
        node = yaml.compose(front, Loader=yaml.SafeLoader)
        data = yaml.safe_load(front)
    except RecursionError as exc:  # block nesting ("- - - ...") is not caught by the scan
        raise InvalidInput(problems=[Problem("front matter nested too deeply", line=2)]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(
            problems=[Problem(f"YAML error: {reason}", line=_yaml_line(mark) or 2)]
        ) from exc
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        raise InvalidInput(problems=[Problem("front matter must be a mapping of fields", line=2)])
    lines: dict[str, int] = {}
    problems = []
    for key_node, value_node in node.value:
        key = key_node.value
        line = _yaml_line(key_node.start_mark) or 2
        if key in lines:
            problems.append(Problem("field given twice", path=str(key), line=line))
        lines.setdefault(str(key), line)
        if isinstance(value_node, yaml.SequenceNode):
            for i, item in enumerate(value_node.value):
                lines.setdefault(f"{key}[{i}]", _yaml_line(item.start_mark) or line)
    if problems:
        raise InvalidInput(problems=problems)
    return data, lines


def _check_fields(data: dict[str, Any], lines: dict[str, int]) -> list[Problem]:
    problems = []

    def bad(name: str, message: str) -> None:
        problems.append(Problem(message, path=name, line=lines.get(name, 2)))

    for key in data:
        if key not in _FIELDS:
            bad(str(key), f"unknown field (allowed: {', '.join(_FIELDS)})")
    title = data.get("title")
    if "title" not in data:
        bad("title", "required")
    elif not isinstance(title, str) or not title.strip():
        bad("title", "must be a non-empty string (quote it if it looks like a number or date)")
    elif "\n" in title.strip():
        bad("title", "must be a single line")
    taxonomy = data.get("taxonomy")
    if "taxonomy" not in data:
        bad("taxonomy", "required")
    elif not isinstance(taxonomy, str) or not SLUG_RE.fullmatch(taxonomy):
        bad("taxonomy", "must be a taxonomy slug: lowercase letters, digits and hyphens")
    owners = data.get("owners")
    if owners is not None and not isinstance(owners, list):
        bad("owners", "must be a list of usernames, e.g. [ada, grace]")
    for i, owner in enumerate(owners if isinstance(owners, list) else []):
        if not isinstance(owner, str) or not USERNAME_RE.fullmatch(owner):
            bad(f"owners[{i}]", "not a username")
    summary = data.get("summary")
    if summary is not None and not isinstance(summary, str):
        bad("summary", "must be a string")
    if not isinstance(data.get("archived", False), bool):
        bad("archived", "must be true or false")
    return problems


def parse_guideline(text: str) -> Guideline:
    """Parse a whole guideline file; every front matter problem is reported at once."""
    check_body_size(text)
    front, body, body_line = _split(text)
    data, lines = _load(front)
    problems = _check_fields(data, lines)
    if problems:
        raise InvalidInput("invalid front matter", problems)
    summary = data.get("summary")
    return Guideline(
        title=data["title"].strip(),
        taxonomy=data["taxonomy"],
        owners=tuple(dict.fromkeys(data.get("owners") or [])),
        summary=(summary.strip() or None) if isinstance(summary, str) else None,
        archived=bool(data.get("archived", False)),
        body=body,
        body_line=body_line,
        sections=parse_body(body).sections,
    )


def readable_guideline(text: str, *, title: str) -> Guideline:
    """As much of a guideline as can be shown when its file does not parse (a push the save
    path would have refused): the body after the front matter when the block is closed, else
    the whole text, and the front matter's title when it has a usable one. Never raises."""
    try:
        return parse_guideline(text)
    except AppError:
        pass
    data: dict[str, Any] = {}
    try:
        front, body, body_line = _split(text)
    except InvalidInput:
        body, body_line = _NEWLINES.sub("\n", text.removeprefix("\ufeff")), 1
    else:
        try:
            data, _lines = _load(front)
        except (InvalidInput, RecursionError):
            data = {}
    found = data.get("title")
    taxonomy = data.get("taxonomy")
    try:
        parsed_sections = parse_body(body).sections
    except AppError:  # too large to parse: shown as nothing rather than not at all
        body, parsed_sections = "", ()
    return Guideline(
        title=found.strip() if isinstance(found, str) and found.strip() else title,
        taxonomy=taxonomy if isinstance(taxonomy, str) and SLUG_RE.fullmatch(taxonomy) else "",
        owners=(),
        summary=None,
        archived=False,
        body=body,
        body_line=body_line,
        sections=parsed_sections,
    )


def _dump_field(name: str, value: Any) -> str:
    return yaml.safe_dump(
        {name: value},
        allow_unicode=True,
        default_flow_style=None if isinstance(value, list) else False,
        sort_keys=False,
        width=10_000,
    )


def serialize_front_matter(
    *,
    title: str,
    taxonomy: str,
    owners: Iterable[str] = (),
    summary: str | None = None,
    archived: bool = False,
) -> str:
    """The ``---`` block, fields in canonical order; optional fields only when set."""
    out = [_dump_field("title", title), _dump_field("taxonomy", taxonomy)]
    out.append(_dump_field("owners", list(owners)))
    if summary:
        out.append(_dump_field("summary", summary))
    if archived:
        out.append(_dump_field("archived", True))
    return "---\n" + "".join(out) + "---\n"


def serialize_guideline(guideline: Guideline) -> str:
    front = serialize_front_matter(
        title=guideline.title,
        taxonomy=guideline.taxonomy,
        owners=guideline.owners,
        summary=guideline.summary,
        archived=guideline.archived,
    )
    return front + guideline.body


def render_template_guideline(title: str, taxonomy: str, owners: Iterable[str] = ()) -> str:
    """A new guideline file with a starter body; validated, so bad input raises InvalidInput."""
    heading = re.sub(r"\{#", r"\\{#", title.strip())
    body = f"""
# {heading}

## Scope {{#scope}}

What this guideline covers: which data, which task, who annotates, and what is out of scope.

## Labels {{#labels}}

One subsection per label of the `{taxonomy}` taxonomy: what it means, and a clear
example. Mention a label as `[[label:<id>]]` so it links to the taxonomy.

## Edge cases {{#edge-cases}}

Hard cases and how to decide them. Each ruling on an escalation belongs here,
with a short example and the reason.
"""
    text = serialize_front_matter(title=title, taxonomy=taxonomy, owners=owners) + body
    parse_guideline(text)
    return text


# --- sections and label mentions -------------------------------------------------------------


def sections(body: str) -> list[Section]:
    return list(parse_body(body).sections)


def section_ids(body: str) -> set[str]:
    """Every heading id in the body, nested headings (in lists, quotes) included."""
    return set(parse_body(body).heading_ids)


def removed_section_ids(old_body: str, new_body: str) -> set[str]:
    """Ids a decision may point at (``slug#id``) that the new body no longer has."""
    return section_ids(old_body) - section_ids(new_body)


def section_problems(body: str, *, body_line: int = 1) -> list[Problem]:
    """Explicit ids that are malformed or used twice: both would break stable links."""
    problems = []
    seen: set[str] = set()
    for section in parse_body(body).sections:
        line = body_line + section.line_start - 1
        heading = section.text.split("\n", 1)[0]
        match = _EXPLICIT_ID_TEXT.search(heading)
        if match and not ID_RE.fullmatch(match[1]):
            problems.append(
                Problem(
                    "a heading id may only hold letters, digits, '-' and '_'",
                    path=f"#{match[1]}",
                    line=line,
                )
            )
        elif match and match[1] in seen:
            problems.append(Problem("heading id used twice", path=f"#{match[1]}", line=line))
        if match:
            seen.add(match[1])
    return problems


def label_mentions(body: str) -> list[str]:
    """Ids of ``[[label:id]]`` mentions in document order, ignoring code spans and blocks."""
    return list(parse_body(body).mentions)


def unknown_label_mentions(body: str, known_ids: Iterable[str]) -> list[str]:
    """Mentioned ids that are not in ``known_ids``, each once, in order of first mention."""
    known = set(known_ids)
    return [m for m in dict.fromkeys(parse_body(body).mentions) if m not in known]
