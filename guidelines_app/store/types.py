"""What the store hands out and what it raises: plain frozen values and one error family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from guidelines_app.domain.errors import AppError, Conflict, InvalidInput, NotFound, Unavailable


class StoreError(AppError):
    """Git could not do what was asked. The subclasses also carry the domain noun that says
    what it means to a reader (a missing revision is a NotFound), so that the web and the
    CLI answer them like any other error of the app."""


class StoreUnavailable(Unavailable, StoreError):
    pass


class RevisionNotFound(NotFound, StoreError):
    pass


class PathNotFound(NotFound, StoreError):
    pass


class NoChange(StoreError):
    pass


class ReleaseExists(Conflict, StoreError):
    pass


class InvalidArgument(InvalidInput, StoreError, ValueError):
    pass


class InvalidPath(InvalidArgument):
    pass


class WriteConflict(Conflict, StoreError):
    """Both the editor and someone else changed the same lines of `path` since `base`."""

    def __init__(
        self,
        path: str,
        *,
        base_text: str,
        ours_text: str,
        theirs_text: str,
        merged_text: str,
        head_id: str,
    ) -> None:
        super().__init__(f"{path} was changed by someone else in the same place")
        self.path = path
        self.base_text = base_text
        self.ours_text = ours_text
        self.theirs_text = theirs_text
        self.merged_text = merged_text
        self.head_id = head_id


@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass(frozen=True)
class CommitInfo:
    id: str
    short_id: str
    author_name: str
    author_email: str
    authored_at: datetime
    committer_name: str
    committer_email: str
    message: str
    summary: str
    trailers: tuple[tuple[str, str], ...]
    parents: tuple[str, ...]

    def trailer_values(self, key: str) -> list[str]:
        wanted = key.casefold()
        return [value for name, value in self.trailers if name.casefold() == wanted]


@dataclass(frozen=True)
class FileVersion:
    path: str
    blob_id: str
    data: bytes
    commit_id: str

    @property
    def text(self) -> str:
        """The content as text. A file pushed from outside may be anything: bytes that are not
        UTF-8 read as U+FFFD, so pages and editors can show it; ``data`` keeps the truth, and
        the content checks (``services/documents/validity.py``) report such a file."""
        return self.data.decode("utf-8", "replace")


@dataclass(frozen=True)
class Release:
    tag: str
    path: str
    version: int
    commit_id: str
    message: str
    tagger_name: str
    tagger_email: str
    tagged_at: datetime


@dataclass(frozen=True)
class WriteResult:
    commit: CommitInfo
    merged: bool
    merged_paths: tuple[str, ...]
