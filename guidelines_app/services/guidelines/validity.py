"""Whether a guideline version would pass the save path: pushed content is judged like edits.

The verdict is the save path's own (``validate_text``: front matter, heading ids, the named
taxonomy and the labels it mentions), with the taxonomy read at the same revision, so a
release is judged against the taxonomy of its time.
"""

from __future__ import annotations

from guidelines_app import cache
from guidelines_app.domain.errors import AppError, InvalidInput, NotFound, Problem, TooLarge
from guidelines_app.domain.guideline import (
    MAX_GUIDELINE_BYTES,
    Guideline,
    parse_guideline,
    section_problems,
    unknown_label_mentions,
)
from guidelines_app.services import documents, taxonomies
from guidelines_app.services.documents import GUIDELINE, TAXONOMY, ReleaseChecks, Validity
from guidelines_app.store import ContentStore, FileVersion

#: The taxonomy a guideline version names (None when its front matter does not say), by blob.
_NAMED: cache.Area[str | None] = cache.Area("taxonomy named by a guideline version", 1024)


def parse_named(text: str, slug: str) -> Guideline:
    """Parse, naming the guideline in the message (pages and commands list several)."""
    try:
        return parse_guideline(text)
    except InvalidInput as error:
        raise InvalidInput(f"{slug}: {error.message}", error.problems) from None


def validate_text(
    *, store: ContentStore, slug: str, text: str, rev: str | None = None
) -> Guideline:
    """Every rule a saved guideline obeys; labels are those of its taxonomy at ``rev``
    (default: the draft). The one validator of the save path, of pushes and of releases."""
    if len(text.encode("utf-8")) > MAX_GUIDELINE_BYTES:
        raise TooLarge(f"a guideline may be at most {MAX_GUIDELINE_BYTES // 1_000_000} MB")
    documents.check_no_conflict_markers(text)
    guideline = parse_named(text, slug)
    problems = section_problems(guideline.body, body_line=guideline.body_line)
    known = taxonomies.labels(store, guideline.taxonomy, rev)
    if known is None:
        problems.append(Problem(f"no taxonomy named {guideline.taxonomy!r}", "taxonomy"))
    else:
        problems += [
            Problem(f"unknown label [[label:{m}]] (not in {guideline.taxonomy})", "text")
            for m in unknown_label_mentions(guideline.body, known)
        ]
    if problems:
        raise InvalidInput(problems=problems)
    return guideline


def _named_taxonomy(version: FileVersion) -> str | None:
    def compute() -> str | None:
        text, _problems = documents.decode(version.data)
        try:
            return parse_guideline(text).taxonomy if text is not None else None
        except (AppError, RecursionError):
            return None

    return cache.lookup(_NAMED, version.blob_id, compute)


def _taxonomy_blob(store: ContentStore, slug: str | None, commit_id: str) -> str | None:
    if slug is None:
        return None
    try:
        return documents.read(store, TAXONOMY, slug, commit_id).blob_id
    except NotFound:
        return None


def problems_at(*, store: ContentStore, slug: str, rev: str | None = None) -> Validity:
    """What the save path would refuse in the guideline at ``rev`` (default: the draft)."""
    version = documents.read(store, GUIDELINE, slug, rev)
    commit = version.commit_id
    named = _named_taxonomy(version)
    return documents.judge(
        str(store.path),
        version,
        lambda text: validate_text(store=store, slug=slug, text=text, rev=commit),
        depends_on=(named, _taxonomy_blob(store, named, commit)),
    )


def release_checks(*, store: ContentStore, slug: str) -> ReleaseChecks:
    """For the releases page: may the draft be released, and which releases are invalid."""
    return documents.check_releases(
        documents.releases(store, GUIDELINE, slug),
        lambda rev: problems_at(store=store, slug=slug, rev=rev),
    )


def check_releasable(*, store: ContentStore, slug: str) -> None:
    """Refuse to release a draft the save path would refuse (a push may have left one)."""
    documents.refuse_if_invalid(problems_at(store=store, slug=slug))
