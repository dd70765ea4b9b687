"""Commit messages: composing them with trailers, and reading commits back from `git log`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from guidelines_app.store.plumbing import as_text, utc_at
from guidelines_app.store.types import CommitInfo, InvalidArgument

_TRAILER_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_TRAILER_LINE_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)")
LOG_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%B"


def compose_message(message: str, trailers: Sequence[tuple[str, str]] = ()) -> str:
    body = "\n".join(line.rstrip() for line in message.replace("\r\n", "\n").split("\n")).strip()
    if not body:
        raise InvalidArgument("a commit message is required")
    lines = []
    for key, value in trailers:
        value = str(value).strip()
        if not _TRAILER_KEY_RE.fullmatch(key) or not value or "\n" in value or "\r" in value:
            raise InvalidArgument(f"invalid trailer: {key!r}: {value!r}")
        lines.append(f"{key}: {value}")
    if lines:
        body += "\n\n" + "\n".join(lines)
    return body + "\n"


def split_trailers(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Split a commit message into its text and its trailer block (the last paragraph,
    when every line of it is `Key: value` or a continuation, and it is not the first)."""
    lines = raw.rstrip().split("\n")
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    if not blanks or not any(line.strip() for line in lines[: blanks[-1]]):
        return raw.strip(), ()
    trailers: list[list[str]] = []
    for line in lines[blanks[-1] + 1 :]:
        match = _TRAILER_LINE_RE.fullmatch(line)
        if match:
            trailers.append([match.group(1), match.group(2).strip()])
        elif line[:1] in (" ", "\t") and trailers:
            trailers[-1][1] = f"{trailers[-1][1]} {line.strip()}".strip()
        else:
            return raw.strip(), ()
    text = "\n".join(lines[: blanks[-1]]).strip()
    return text, tuple((key, value) for key, value in trailers)


def parse_commit(record: str) -> CommitInfo:
    """One record of `git log -z --format=LOG_FORMAT`."""
    sha, parents, an, ae, at, cn, ce, body = record.lstrip("\n").split("\x1f", 7)
    text, trailers = split_trailers(body)
    return CommitInfo(
        id=sha,
        short_id=sha[:7],
        author_name=an,
        author_email=ae,
        authored_at=utc_at(at),
        committer_name=cn,
        committer_email=ce,
        message=text,
        summary=text.split("\n", 1)[0],
        trailers=trailers,
        parents=tuple(parents.split()),
    )


def tag_target(raw: bytes) -> str | None:
    """The ``object`` an annotated tag object points at."""
    head = raw.split(b"\n\n", 1)[0]
    for line in head.split(b"\n"):
        if line.startswith(b"object "):
            return line[7:].strip().decode("ascii", "replace")
    return None


@dataclass(frozen=True)
class TagObject:
    """An annotated tag as ``git for-each-ref`` shows it (tagger, date, message)."""

    target: str
    tagger_name: str
    tagger_email: str
    tagged_at: str
    message: str


def parse_tag(raw: bytes) -> TagObject:
    head, _, message = as_text(raw).partition("\n\n")
    target, name, email, when = "", "", "", ""
    for line in head.split("\n"):
        key, _, value = line.partition(" ")
        if key == "object":
            target = value.strip()
        elif key == "tagger":
            name, _, rest = value.partition(" <")
            email, _, stamp = rest.partition(">")
            name, when = name.strip(), stamp.split()[0] if stamp.split() else ""
    return TagObject(target, name, email, when, message)


def committed_at(raw: bytes) -> str:
    """The committer's Unix time of a commit object."""
    head = raw.split(b"\n\n", 1)[0]
    for line in head.split(b"\n"):
        if line.startswith(b"committer "):
            parts = line.rsplit(b" ", 2)
            return parts[1].decode("ascii", "replace") if len(parts) == 3 else ""
    return ""
