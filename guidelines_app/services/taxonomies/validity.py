"""Whether a taxonomy version would pass the save path: pushed content is judged like edits.

The verdict is ``validate_text``'s: every shape and rule problem (duplicate ids,
replacements that point nowhere, cycles, ordinal values, size, conflict markers). The
history rule (a removed id never comes back) compares an edit with the revision it
replaces, so it belongs to saves; a version already in the repository is judged on its own.
"""

from __future__ import annotations

from guidelines_app.services import documents
from guidelines_app.services.documents import TAXONOMY, ReleaseChecks, Validity
from guidelines_app.services.taxonomies import taxonomy as saving
from guidelines_app.store import ContentStore


def problems_at(*, store: ContentStore, slug: str, rev: str | None = None) -> Validity:
    """What the save path would refuse in the taxonomy at ``rev`` (default: the draft)."""
    version = documents.read(store, TAXONOMY, slug, rev)
    return documents.judge(
        str(store.path),
        version,
        lambda text: saving.validate_text(
            store=store, slug=slug, text=text, base=version.commit_id, history=False
        ),
    )


def release_checks(*, store: ContentStore, slug: str) -> ReleaseChecks:
    """For the releases page: may the draft be released, and which releases are invalid."""
    return documents.check_releases(
        documents.releases(store, TAXONOMY, slug),
        lambda rev: problems_at(store=store, slug=slug, rev=rev),
    )
