"""Consistency checks of the content itself: every guideline and taxonomy can be used."""

from __future__ import annotations

from collections.abc import Callable

from guidelines_app.services import documents, guidelines, taxonomies
from guidelines_app.services.documents import GUIDELINE, TAXONOMY, Validity
from guidelines_app.services.ops.findings import CheckContext, Finding
from guidelines_app.store import StoreError, StoreUnavailable

Judge = Callable[..., Validity]


def _usable(ctx: CheckContext) -> bool:
    try:
        return ctx.store.is_repository() and ctx.store.head() is not None
    except StoreError:
        return False


def _judged(judge: Judge, ctx: CheckContext, slug: str, rev: str | None = None) -> list[str]:
    """The problems of one document, or the damage that keeps it from being read at all
    (a missing git object is a finding of its own, beside what git fsck says)."""
    try:
        verdict = judge(store=ctx.store, slug=slug, rev=rev)
    except StoreUnavailable as error:
        return [str(error)]
    return (
        [f"{verdict.path}: {line}" for line in verdict.lines()] if rev is None else verdict.lines()
    )


def guidelines_pass_the_save_path(ctx: CheckContext) -> list[Finding]:
    """Every guideline at the draft, judged by the validator of the save path (a push
    bypasses it): front matter, heading ids, the taxonomy it names, the labels it mentions."""
    if not _usable(ctx):
        return []
    findings: list[Finding] = []
    for slug in documents.slugs(ctx.store, GUIDELINE):
        findings += [Finding("content", m) for m in _judged(guidelines.problems_at, ctx, slug)]
    return findings


def taxonomies_pass_the_save_path(ctx: CheckContext) -> list[Finding]:
    """Every taxonomy at the draft, judged by the validator of the save path."""
    if not _usable(ctx):
        return []
    findings: list[Finding] = []
    for slug in documents.slugs(ctx.store, TAXONOMY):
        findings += [Finding("content", m) for m in _judged(taxonomies.problems_at, ctx, slug)]
    return findings


def releases_in_force_are_valid(ctx: CheckContext) -> list[Finding]:
    """A release tag pushed onto a version the save path refuses is still a release (git is
    the record), but the one in force of each document must be valid: annotators read it.
    A superseded invalid release is shown as such on its page and is not reported here."""
    if not _usable(ctx):
        return []
    findings: list[Finding] = []
    for kind, judge in ((GUIDELINE, guidelines.problems_at), (TAXONOMY, taxonomies.problems_at)):
        for slug in documents.slugs(ctx.store, kind):
            latest = documents.latest_release(ctx.store, kind, slug)
            if latest is None or not ctx.store.exists(latest.path, latest.commit_id):
                continue  # no release, or one `releases_point_at_their_document` reports
            problems = _judged(judge, ctx, slug, latest.commit_id)
            where = f"release {latest.tag} (in force, at {latest.commit_id[:7]})"
            findings += [Finding("content", f"{where} is invalid: {p}") for p in problems]
    return findings


def releases_point_at_their_document(ctx: CheckContext) -> list[Finding]:
    if not _usable(ctx):
        return []
    return [
        Finding("content", f"release {release.tag} points at a commit without {release.path}")
        for release in ctx.store.all_releases()
        if not ctx.store.exists(release.path, release.commit_id)
    ]
