"""Taxonomies: list, read at a ref, validate, save, release. Edits by form are in taxonomy_edits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from guidelines_app.domain.errors import AppError, InvalidInput, NotFound, Problem, TooLarge
from guidelines_app.domain.guideline import check_slug
from guidelines_app.domain.taxonomy import (
    Taxonomy,
    check_size,
    parse_and_validate,
)
from guidelines_app.domain.taxonomy_model import LabelEntry
from guidelines_app.domain.trailers import audit_trailer
from guidelines_app.services import audit, documents
from guidelines_app.services.documents import GUIDELINE, TAXONOMY, EditConflict, Ref, SaveOutcome
from guidelines_app.services.taxonomies import history as taxonomy_history
from guidelines_app.services.taxonomies import parsed as parsed_taxonomies
from guidelines_app.services.taxonomies import validity
from guidelines_app.store import (
    Author,
    CommitInfo,
    ContentStore,
    Release,
    RevisionNotFound,
    StoreUnavailable,
    WriteConflict,
    merge_texts,
)


class InvalidMerge(EditConflict):
    """Someone saved meanwhile; the texts merge, but the merge is not a valid taxonomy."""

    def __init__(self, error: WriteConflict, problems: list[str]) -> None:
        super().__init__(error)
        self.message = (
            "Someone else saved this taxonomy while you were editing. Your edit and theirs "
            "merge, but the result is not valid: " + "; ".join(problems[:5])
        )
        self.problems = problems


@dataclass(frozen=True)
class Governing:
    """A guideline whose front matter names this taxonomy."""

    slug: str
    title: str


@dataclass(frozen=True)
class TaxonomyEntry:
    slug: str
    name: str
    kind: str
    label_count: int
    deprecated_count: int
    latest_release: Release | None
    ahead: int
    governed_by: list[Governing]
    error: str | None = None


@dataclass(frozen=True)
class TaxonomyPage:
    slug: str
    taxonomy: Taxonomy
    problems: list[Problem]
    ref: Ref
    revision: CommitInfo
    blob_id: str
    latest_release: Release | None
    ahead: int
    text: str
    governed_by: list[Governing]
    #: The draft's problems when another version is shown (empty when it is valid or shown).
    draft_problems: list[Problem] = field(default_factory=list)
    #: False when the YAML could not be read at all: the tree is empty, the text is shown.
    readable: bool = True
    #: Label id -> its entry in the tree, and -> its name (kept with the parse, by blob).
    entries: dict[str, LabelEntry] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def governing_guidelines(store: ContentStore) -> dict[str, list[Governing]]:
    """Taxonomy slug -> the guidelines (at the draft) that name it in their front matter."""
    found: dict[str, list[Governing]] = {}
    for slug in documents.slugs(store, GUIDELINE):
        try:
            guideline = documents.guideline_of(documents.read(store, GUIDELINE, slug))
        except (AppError, ValueError, UnicodeDecodeError):
            continue
        found.setdefault(guideline.taxonomy, []).append(Governing(slug, guideline.title))
    return found


def load(store: ContentStore, slug: str, rev: str | None = None) -> tuple[Taxonomy, list[Problem]]:
    """The taxonomy at ``rev``, read leniently: shape problems come back beside it."""
    parsed = parsed_taxonomies.parse(documents.read(store, TAXONOMY, slug, rev))
    if parsed.taxonomy is None:
        raise InvalidInput(f"{slug} cannot be read at this revision", list(parsed.problems))
    return parsed.taxonomy, list(parsed.problems)


def list_taxonomies(*, store: ContentStore) -> list[TaxonomyEntry]:
    governing = governing_guidelines(store)
    entries = []
    for slug in documents.slugs(store, TAXONOMY):
        latest = documents.latest_release(store, TAXONOMY, slug)
        ahead = documents.changes_since(store, TAXONOMY, slug, latest)
        governed = governing.get(slug, [])
        message: str | None = None
        try:
            verdict = validity.problems_at(store=store, slug=slug)
            message = "; ".join(verdict.lines()[:3]) or None
            parsed = parsed_taxonomies.parse(documents.read(store, TAXONOMY, slug))
            if parsed.taxonomy is None:
                raise InvalidInput(f"{slug} cannot be read at this revision")
        except StoreUnavailable as error:  # a damaged repository: listed, flagged, others shown
            entries.append(
                TaxonomyEntry(slug, slug, "", 0, 0, latest, ahead, governed, error=str(error))
            )
            continue
        except (InvalidInput, TooLarge, UnicodeDecodeError) as error:
            message = message or getattr(error, "message", str(error))
            entries.append(
                TaxonomyEntry(slug, slug, "", 0, 0, latest, ahead, governed, error=message)
            )
            continue
        taxonomy = parsed.taxonomy
        entries.append(
            TaxonomyEntry(
                slug=slug,
                name=taxonomy.name or slug,
                kind=taxonomy.kind,
                label_count=parsed.label_count,
                deprecated_count=parsed.deprecated_count,
                latest_release=latest,
                ahead=ahead,
                governed_by=governed,
                error=message,
            )
        )
    return sorted(entries, key=lambda e: e.name.lower())


def default_ref(store: ContentStore, slug: str, *, prefer_release: bool) -> str:
    """Annotators read the release in force; leads read the draft."""
    if prefer_release:
        latest = documents.latest_release(store, TAXONOMY, slug)
        if latest is not None:
            return f"v{latest.version}"
    return "draft"


def show(*, store: ContentStore, slug: str, ref: str | None) -> TaxonomyPage:
    TAXONOMY.path(slug)  # a slug that cannot exist is not found
    resolved = documents.resolve(store, TAXONOMY, slug, ref)
    version = documents.read(store, TAXONOMY, slug, resolved.commit_id)
    try:
        parsed: parsed_taxonomies.Parsed | None = parsed_taxonomies.parse(version)
    except (InvalidInput, TooLarge):
        parsed = None
    readable = parsed is not None and parsed.taxonomy is not None
    # pushed YAML that cannot be read is still shown: its text, an empty tree, the problems
    taxonomy = parsed.taxonomy if parsed is not None and parsed.taxonomy else Taxonomy(name=slug)
    problems = list(validity.problems_at(store=store, slug=slug, rev=resolved.commit_id).problems)
    draft: list[Problem] = []
    if not resolved.is_draft:
        head = validity.problems_at(store=store, slug=slug)
        draft = list(head.problems) if head.blob_id != version.blob_id else []
    latest = documents.latest_release(store, TAXONOMY, slug)
    return TaxonomyPage(
        slug=slug,
        taxonomy=taxonomy,
        problems=problems,
        ref=resolved,
        revision=documents.last_change(store, TAXONOMY, slug, resolved.commit_id),
        blob_id=version.blob_id,
        latest_release=latest,
        ahead=documents.changes_since(store, TAXONOMY, slug, latest),
        text=documents.readable_text(version.data),
        governed_by=governing_guidelines(store).get(slug, []),
        draft_problems=draft,
        readable=readable,
        entries=parsed.entries if parsed is not None else {},
        names=parsed.names if parsed is not None else {},
    )


def history_rules(
    store: ContentStore, slug: str, base: str | None
) -> tuple[dict[str, str], set[str] | None]:
    """``previous_ids`` (every id ever used) and the ids of the revision being replaced."""
    if not documents.exists(store, TAXONOMY, slug):
        return {}, None
    replaced = store.head()
    if base:
        try:
            replaced = store.resolve(base)
        except (RevisionNotFound, ValueError):
            raise InvalidInput(
                problems=[Problem("unknown base revision; reload the editor", "base")]
            ) from None
    previous_revision = set(taxonomy_history.ids_at(store, slug, replaced)) if replaced else None
    if replaced and not _valid_at(store, slug, replaced):
        # A version pushed from outside that the save path would refuse says nothing about
        # which ids were removed on purpose: an edit fixing it may bring back any id under
        # the name it had, as when the replaced revision is unknown.
        previous_revision = None
    return taxonomy_history.ids_ever(store, slug), previous_revision


def _valid_at(store: ContentStore, slug: str, rev: str) -> bool:
    try:
        return validity.problems_at(store=store, slug=slug, rev=rev).valid
    except NotFound:
        return True  # no such version to judge: the ids at it (none) are the rule


def validate_text(
    *, store: ContentStore, slug: str, text: str, base: str | None, history: bool = True
) -> Taxonomy:
    """Every rule, history included; raise InvalidInput (422) or TooLarge (413). Without
    ``history`` the text is judged on its own (a version already in the repository: the
    rule on removed ids compares an edit with the revision it replaces)."""
    check_size(text)
    documents.check_no_conflict_markers(text)
    if not history:
        return parse_and_validate(text)
    previous_ids, previous_revision = history_rules(store, slug, base)
    return parse_and_validate(text, previous_ids, previous_revision_ids=previous_revision)


def check_text(*, store: ContentStore, slug: str, text: str, base: str | None) -> list[str]:
    """The problems an unsaved text would be refused for, as lines for the live check."""
    try:
        validate_text(store=store, slug=slug, text=text, base=base)
    except InvalidInput as error:
        return [str(p) for p in error.problems] or [error.message]
    except TooLarge as error:
        return [error.message]
    return []


def _check_merge(store: ContentStore, slug: str, text: str, base: str | None) -> None:
    """A stale edit that git would merge cleanly must still merge into a valid taxonomy."""
    head = store.head()
    if base is None or head is None:
        return
    try:
        base_version = documents.read(store, TAXONOMY, slug, base)
    except NotFound:
        return
    theirs = documents.read(store, TAXONOMY, slug, head)
    if theirs.blob_id == base_version.blob_id:
        return
    merged, clean = merge_texts(base_version.data, text.encode("utf-8"), theirs.data)
    if not clean:
        return  # the store answers with EditConflict and both versions
    merged_text = merged.decode("utf-8")
    problems = check_text(store=store, slug=slug, text=merged_text, base=head)
    if problems:
        raise InvalidMerge(
            WriteConflict(
                TAXONOMY.path(slug),
                base_text=base_version.text,
                ours_text=text,
                theirs_text=theirs.text,
                merged_text=merged_text,
                head_id=head,
            ),
            problems,
        )


def save_taxonomy(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    text: str,
    base: str | None,
    author: Author,
    message: str,
    actor_id: int | None = None,
    action: str = "taxonomy.save",
) -> SaveOutcome:
    """Save a revision. A stale base is merged three-way or refused with both versions."""
    check_slug(slug)
    message = documents.check_message(message)
    text = text.replace("\r\n", "\n")
    validate_text(store=store, slug=slug, text=text, base=base)
    _check_merge(store, slug, text, base)
    outcome = documents.save(
        store,
        TAXONOMY,
        slug,
        text=text,
        base=base,
        author=author,
        message=message,
        trailers=[audit_trailer(action)],
    )
    if outcome.changed and outcome.result is not None:
        audit.record(
            session,
            actor_id=actor_id,
            action=action,
            object_type="taxonomy",
            object_id=slug,
            summary=message.split("\n", 1)[0],
            detail={"commit": outcome.result.commit.id, "merged": outcome.merged},
        )
        session.commit()
    return outcome


def release_taxonomy(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    notes: str,
    author: Author,
    actor_id: int | None = None,
) -> Release:
    check_slug(slug)
    documents.refuse_if_invalid(validity.problems_at(store=store, slug=slug))
    return documents.release_and_record(
        session, store, TAXONOMY, slug, notes=notes, author=author, actor_id=actor_id
    )
