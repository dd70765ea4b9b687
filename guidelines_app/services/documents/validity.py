"""Whether a version of a document would be accepted by the save path, whoever wrote it.

Edits made in the app are validated before they are committed, but a lead may also
``git push`` to the content repository, and git accepts anything. So every version is
judged by the same validators the save path calls (each kind brings its own, see
``guidelines.problems_at`` and ``taxonomies.problems_at``); what they refuse becomes a list
of problems shown on the pages, refused at release and reported by ``guidelines check``.

Pushed garbage (binary files, text that is not UTF-8, YAML nested thousands deep) is a
problem here, never an exception. Verdicts are kept by blob id (plus whatever else the
validator reads, such as the taxonomy a guideline names), which git never reuses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from guidelines_app import cache
from guidelines_app.domain.errors import AppError, InvalidInput, NotFound, Problem
from guidelines_app.store import FileVersion, Release

#: The verdicts, keyed by (repository, path, blob id, what else the validator read).
_VERDICTS: cache.Area[tuple[Problem, ...]] = cache.Area("problems of a document version", 2048)


@dataclass(frozen=True)
class Validity:
    """The verdict on one version of one document."""

    path: str
    commit_id: str
    blob_id: str
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The problems as people read them (``labels[2].id (line 7): duplicate id``)."""
        return [str(p) for p in self.problems]


@dataclass(frozen=True)
class ReleaseChecks:
    """For a releases page: the draft's verdict, and the releases (by version) whose revision
    is invalid (a tag pushed from outside onto a version the save path would refuse)."""

    draft: Validity
    invalid_releases: dict[int, Validity]


def decode(data: bytes) -> tuple[str | None, list[Problem]]:
    """The text of a file, or None with the reason it is not text the app can read."""
    if b"\x00" in data:
        return None, [Problem("a binary file, not text: replace it with a text version")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, [Problem(f"not UTF-8 text (byte {data[error.start]:#04x})", line=line)]


def readable_text(data: bytes) -> str:
    """Text to show and to edit even when the file is not valid UTF-8 (bad bytes as U+FFFD);
    a binary file shows as nothing, so the editor starts from an empty text."""
    if b"\x00" in data:
        return ""
    return data.decode("utf-8", "replace")


def problems_of(text: str, validate: Callable[[str], object]) -> tuple[Problem, ...]:
    """Run a save-path validator over ``text``; whatever it refuses is a problem, not a crash."""
    try:
        validate(text)
    except InvalidInput as error:
        return tuple(error.problems) or (Problem(error.message),)
    except AppError as error:  # TooLarge, NotFound of a named taxonomy, ...
        return (Problem(error.message),)
    except RecursionError:
        return (Problem("the document is nested too deeply to be read"),)
    except (ValueError, TypeError) as error:  # last line against inputs no validator foresaw
        return (Problem(f"cannot be read: {error}"),)
    return ()


def judge(
    store_key: str,
    version: FileVersion,
    validate: Callable[[str], object],
    *,
    depends_on: Hashable = None,
) -> Validity:
    """The verdict on ``version``, computed once per blob (and ``depends_on``) per process."""

    def compute() -> tuple[Problem, ...]:
        text, unreadable = decode(version.data)
        if text is None:
            return tuple(unreadable)
        return problems_of(text, validate)

    key = (store_key, version.path, version.blob_id, depends_on)
    problems = cache.lookup(_VERDICTS, key, compute)
    return Validity(version.path, version.commit_id, version.blob_id, problems)


def release_checks(
    releases: Iterable[Release], verdict_at: Callable[[str | None], Validity]
) -> ReleaseChecks:
    """The draft's verdict and those of the releases that are invalid; ``verdict_at(rev)`` is
    the kind's own judge (None: the draft)."""
    invalid = {}
    for release in releases:
        try:
            verdict = verdict_at(release.commit_id)
        except NotFound:
            continue  # a tag on a commit without the file: `guidelines check` names it
        if not verdict.valid:
            invalid[release.version] = verdict
    return ReleaseChecks(draft=verdict_at(None), invalid_releases=invalid)


def refuse_if_invalid(verdict: Validity) -> None:
    """Releasing pins a version for annotators: one the save path would refuse is not
    released (InvalidInput, answered 422, lists its problems)."""
    if not verdict.valid:
        raise InvalidInput(
            "the draft has problems: fix them before releasing", list(verdict.problems)
        )


def clear_cache() -> None:
    cache.clear(_VERDICTS)
