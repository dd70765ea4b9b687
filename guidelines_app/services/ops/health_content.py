"""Consistency checks of the content itself: every guideline and taxonomy can be used."""

from __future__ import annotations

from guidelines_app.domain.errors import AppError
from guidelines_app.domain.guideline import parse_guideline, unknown_label_mentions
from guidelines_app.domain.taxonomy import parse_and_validate
from guidelines_app.services import documents, taxonomies
from guidelines_app.services.documents import GUIDELINE, TAXONOMY
from guidelines_app.services.ops.findings import CheckContext, Finding
from guidelines_app.store import StoreError


def _usable(ctx: CheckContext) -> bool:
    try:
        return ctx.store.is_repository() and ctx.store.head() is not None
    except StoreError:
        return False


def guidelines_parse_and_mention_known_labels(ctx: CheckContext) -> list[Finding]:
    if not _usable(ctx):
        return []
    findings = []
    for slug in documents.slugs(ctx.store, GUIDELINE):
        try:
            guideline = parse_guideline(documents.read(ctx.store, GUIDELINE, slug).text)
        except AppError as error:
            findings.append(Finding("content", f"{GUIDELINE.path(slug)}: {error.message}"))
            continue
        labels = taxonomies.labels(ctx.store, guideline.taxonomy)
        if labels is None:
            findings.append(
                Finding(
                    "content", f"{GUIDELINE.path(slug)}: no taxonomy named {guideline.taxonomy!r}"
                )
            )
            continue
        for label in unknown_label_mentions(guideline.body, labels):
            findings.append(
                Finding("content", f"{GUIDELINE.path(slug)}: mentions unknown label {label!r}")
            )
    return findings


def taxonomies_validate(ctx: CheckContext) -> list[Finding]:
    if not _usable(ctx):
        return []
    findings: list[Finding] = []
    for slug in documents.slugs(ctx.store, TAXONOMY):
        try:
            parse_and_validate(documents.read(ctx.store, TAXONOMY, slug).text)
        except AppError as error:
            problems = getattr(error, "problems", None) or [error.message]
            findings.extend(Finding("content", f"{TAXONOMY.path(slug)}: {p}") for p in problems)
    return findings


def releases_point_at_their_document(ctx: CheckContext) -> list[Finding]:
    if not _usable(ctx):
        return []
    return [
        Finding("content", f"release {release.tag} points at a commit without {release.path}")
        for release in ctx.store.all_releases()
        if not ctx.store.exists(release.path, release.commit_id)
    ]
