"""History, releases, diffs and saves of versioned documents: shared by guidelines and taxonomies.

A document is one file in the content repository (``guidelines/<slug>.md`` or
``taxonomies/<slug>.yaml``). Everything here is keyed by immutable git ids, so a
change pushed to the repository from outside is seen on the next request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from guidelines_app import cache
from guidelines_app.domain import refs
from guidelines_app.domain.errors import Conflict, InvalidInput, NotFound, Problem
from guidelines_app.domain.guideline import Guideline, check_slug, parse_guideline
from guidelines_app.domain.refs import RefSpec
from guidelines_app.services import audit
from guidelines_app.store import (
    Author,
    CommitInfo,
    ContentStore,
    FileVersion,
    NoChange,
    PathNotFound,
    Release,
    ReleaseExists,
    RevisionNotFound,
    WriteConflict,
    WriteResult,
)

CONFLICT_MARKER_RE = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)
MAX_MESSAGE_LENGTH = 5_000
HISTORY_PAGE_SIZE = 25


@dataclass(frozen=True)
class Kind:
    """A kind of document: where it lives and what people call it."""

    folder: str
    extension: str
    noun: str

    def path(self, slug: str) -> str:
        """The file of ``slug``; a slug that cannot exist (``../x``, ``Upper``) is not found."""
        try:
            check_slug(slug)
        except InvalidInput:
            raise NotFound(f"no {self.noun} named {slug!r}") from None
        return f"{self.folder}/{slug}{self.extension}"

    def slug(self, path: str) -> str:
        return path.removeprefix(self.folder + "/").removesuffix(self.extension)


GUIDELINE = Kind("guidelines", ".md", "guideline")
TAXONOMY = Kind("taxonomies", ".yaml", "taxonomy")


class EditConflict(Conflict):
    """Someone else changed the same lines since the editor started: both versions kept."""

    def __init__(self, error: WriteConflict) -> None:
        super().__init__(
            "Someone else changed the same part of this document while you were editing. "
            "Your text and theirs are merged below with conflict markers: "
            "resolve them and save again."
        )
        self.merged_text = error.merged_text
        self.theirs_text = error.theirs_text
        self.ours_text = error.ours_text
        self.head_id = error.head_id


@dataclass(frozen=True)
class Ref:
    """A version of a document as people name it: a release, the draft or a commit."""

    commit_id: str
    label: str
    release: Release | None = None
    is_draft: bool = False
    #: False for a commit from before the document was created (the old side of its first diff).
    exists: bool = True


@dataclass(frozen=True)
class HistoryEntry:
    commit: CommitInfo
    releases: tuple[Release, ...] = ()


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class SaveOutcome:
    changed: bool
    result: WriteResult | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def merged(self) -> bool:
        return bool(self.result and self.result.merged)


#: Answers keyed by immutable git ids (refs are never part of a key: a push from outside
#: is seen at once).
_FILES: cache.Area[FileVersion] = cache.Area("files by repository, commit and path", 64)
_LAST_CHANGES: cache.Area[CommitInfo] = cache.Area("last change of a file at a commit", 1024)
_COUNTS: cache.Area[int] = cache.Area("changes of a file since a release", 1024)
#: Parsed guidelines by blob id: the parse, or the front matter problems it was refused for.
_GUIDELINES: cache.Area[Guideline | InvalidInput] = cache.Area("parsed guidelines by blob id", 512)


def read(store: ContentStore, kind: Kind, slug: str, rev: str | None = None) -> FileVersion:
    path = kind.path(slug)
    key = (str(store.path), rev, path)
    if rev is not None and refs.is_full_commit_id(rev):
        cached = cache.get(_FILES, key)
        if cached is not None:
            return cached
    try:
        version = store.read(path, rev)
    except PathNotFound:
        raise NotFound(f"no {kind.noun} named {slug!r}") from None
    except RevisionNotFound as error:
        raise NotFound(str(error)) from None
    if rev is not None and refs.is_full_commit_id(rev):
        cache.put(_FILES, key, version)
    return version


def guideline_of(version: FileVersion) -> Guideline:
    """``parse_guideline`` of a stored version, once per blob: every list and menu of
    guidelines parses each one on every request otherwise. Raises InvalidInput (a new one
    each time) for front matter problems, TooLarge and UnicodeDecodeError as parsing does."""

    def parse() -> Guideline | InvalidInput:
        try:
            return parse_guideline(version.text)
        except InvalidInput as error:
            return error

    found = cache.lookup(_GUIDELINES, version.blob_id, parse)
    if isinstance(found, InvalidInput):
        raise InvalidInput(found.message, list(found.problems))
    return found


def exists(store: ContentStore, kind: Kind, slug: str) -> bool:
    return store.exists(kind.path(slug))


def slugs(store: ContentStore, kind: Kind) -> list[str]:
    return [
        kind.slug(path)
        for path in store.list_files(kind.folder + "/")
        if path.endswith(kind.extension) and "/" not in path.removeprefix(kind.folder + "/")
    ]


def releases(store: ContentStore, kind: Kind, slug: str) -> list[Release]:
    return store.releases(kind.path(slug))


def latest_release(store: ContentStore, kind: Kind, slug: str) -> Release | None:
    found = releases(store, kind, slug)
    return found[-1] if found else None


#: ``vN`` or ``N`` to N: the one parser of release references is ``domain.refs``.
parse_version = refs.release_number


def resolve(
    store: ContentStore,
    kind: Kind,
    slug: str,
    ref: str | RefSpec | None,
    *,
    before_ok: bool = False,
) -> Ref:
    """``vN`` (a release), ``draft``/empty (the newest revision) or a commit id, as
    ``refs.parse_ref`` reads them. With ``before_ok``, a commit of the repository from
    before the document existed is a Ref with ``exists=False`` (a first revision's diff
    compares against nothing) instead of NotFound."""
    path = kind.path(slug)
    spec = ref if isinstance(ref, RefSpec) else refs.parse_ref(ref)
    if spec.is_draft:
        head = store.head()
        if head is None:
            raise NotFound(f"no {kind.noun} named {slug!r}")
        return Ref(commit_id=head, label="draft", is_draft=True)  # read() answers 404 if missing
    if spec.is_release:
        try:
            release = store.release(path, spec.version or 0)
        except RevisionNotFound:
            raise NotFound(f"{slug} has no release {spec}") from None
        return Ref(commit_id=release.commit_id, label=str(spec), release=release)
    given = str(spec)
    try:
        commit = store.resolve(given)
    except (RevisionNotFound, ValueError):
        raise NotFound(f"no revision {given!r} of {slug}") from None
    if not store.exists(path, commit):
        if before_ok and store.exists(path):
            return Ref(commit_id=commit, label=f"before {slug} existed", exists=False)
        raise NotFound(f"{slug} does not exist at revision {given}")
    return Ref(commit_id=commit, label=commit[:7])


def last_change(store: ContentStore, kind: Kind, slug: str, rev: str) -> CommitInfo:
    """The commit that last changed the document at or before ``rev``."""
    key = (str(store.path), kind.path(slug), rev)
    cached = cache.get(_LAST_CHANGES, key) if refs.is_full_commit_id(rev) else None
    if cached is not None:
        return cached
    found = store.history(kind.path(slug), rev=rev, limit=1)
    if not found:
        raise NotFound(f"{slug} has no history at {rev}")
    if refs.is_full_commit_id(rev):
        cache.put(_LAST_CHANGES, key, found[0])
    return found[0]


def previous_revision(store: ContentStore, kind: Kind, slug: str) -> str | None:
    """The commit before the newest change of the document, if it has one."""
    found = store.history(kind.path(slug), limit=2)
    return found[1].id if len(found) == 2 else None


def changes_since(store: ContentStore, kind: Kind, slug: str, release: Release | None) -> int:
    """How many commits changed the document after ``release`` (all of them if None)."""
    path = kind.path(slug)
    head = store.head()
    if head is None:
        return 0
    key = (str(store.path), path, head, release.commit_id if release else None)
    cached = cache.get(_COUNTS, key)
    if cached is not None:
        return cached
    if release is None:
        count = store.count_history(path, rev=head)
    else:
        count = store.count_history(path, rev=head, since=release.commit_id)
    cache.put(_COUNTS, key, count)
    return count


def history(
    store: ContentStore, kind: Kind, slug: str, *, page: int = 1, per_page: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    path = kind.path(slug)
    total = changes_since(store, kind, slug, None)
    if total == 0:
        raise NotFound(f"no {kind.noun} named {slug!r}")
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    commits = store.history(path, limit=per_page, offset=(page - 1) * per_page)
    tagged: dict[str, list[Release]] = {}
    for release in store.releases(path):
        tagged.setdefault(release.commit_id, []).append(release)
    entries = [HistoryEntry(commit, tuple(tagged.get(commit.id, ()))) for commit in commits]
    return HistoryPage(entries=entries, page=page, pages=pages, total=total)


def check_message(message: str) -> str:
    message = message.replace("\r\n", "\n").strip()
    if not message:
        raise InvalidInput(problems=[Problem("say what you changed and why", "message")])
    if len(message) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            problems=[Problem(f"at most {MAX_MESSAGE_LENGTH} characters", "message")]
        )
    return message


def check_no_conflict_markers(text: str) -> None:
    match = CONFLICT_MARKER_RE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise InvalidInput(
            problems=[
                Problem(
                    "resolve the conflict markers (<<<<<<<, =======, >>>>>>>) first", "text", line
                )
            ]
        )


def save(
    store: ContentStore,
    kind: Kind,
    slug: str,
    *,
    text: str,
    base: str | None,
    author: Author,
    message: str,
    trailers: Sequence[tuple[str, str]] = (),
    when: datetime | None = None,
) -> SaveOutcome:
    """Commit a new version; a stale base is merged or answered with EditConflict, never lost."""
    if base is not None:
        try:
            base = store.resolve(base)
        except (RevisionNotFound, ValueError):
            raise InvalidInput(
                problems=[Problem("unknown base revision; reload the editor", "base")]
            ) from None
    try:
        result = store.write(
            {kind.path(slug): text.encode("utf-8")},
            base=base,
            author=author,
            message=message,
            trailers=trailers,
            when=when,
        )
    except NoChange:
        return SaveOutcome(changed=False)
    except WriteConflict as error:
        raise EditConflict(error) from None
    return SaveOutcome(changed=True, result=result)


def create_release(
    store: ContentStore,
    kind: Kind,
    slug: str,
    *,
    notes: str,
    tagger: Author,
    when: datetime | None = None,
) -> Release:
    notes = notes.replace("\r\n", "\n").strip()
    if not notes:
        raise InvalidInput(
            problems=[Problem("write release notes: what changed for annotators", "notes")]
        )
    if len(notes) > 20_000:
        raise InvalidInput(problems=[Problem("at most 20,000 characters", "notes")])
    head = store.head()
    if head is None or not store.exists(kind.path(slug), head):
        raise NotFound(f"no {kind.noun} named {slug!r}")
    try:
        return store.create_release(
            kind.path(slug), rev=head, message=notes, tagger=tagger, when=when
        )
    except ReleaseExists as error:
        raise Conflict(f"nothing changed since the last release ({error})") from None


def release_and_record(
    session: Session,
    store: ContentStore,
    kind: Kind,
    slug: str,
    *,
    notes: str,
    author: Author,
    actor_id: int | None = None,
) -> Release:
    """Release the draft and record it in the audit log: the use case behind both kinds."""
    release = create_release(store, kind, slug, notes=notes, tagger=author)
    audit.record(
        session,
        actor_id=actor_id,
        action=f"{kind.noun}.release",
        object_type=kind.noun,
        object_id=slug,
        summary=f"v{release.version}",
        detail={"tag": release.tag, "commit": release.commit_id},
    )
    session.commit()
    return release


def author_for(username: str, display_name: str = "") -> Author:
    return Author(name=display_name or username, email=f"{username}@users.guidelines.invalid")
