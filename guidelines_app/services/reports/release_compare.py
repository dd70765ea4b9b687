"""Two releases of a guideline side by side: the figures' differences, what changed in
the guideline, and the decisions the later release folded in."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, select

from guidelines_app.domain import refs
from guidelines_app.domain.agreement.compare import compare_releases
from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.domain.trailers import cited_decisions
from guidelines_app.models import Decision, DecisionLabel
from guidelines_app.services.documents import GUIDELINE
from guidelines_app.services.reports import cache as report_cache
from guidelines_app.services.reports.release_data import (
    DRAFT,
    GuidelineData,
    fingerprint,
    load,
    release_label,
)
from guidelines_app.services.reports.release_labels import align_label_spaces
from guidelines_app.services.reports.results import (
    Comparison,
    ComparisonDetail,
    FoldedDecision,
    ReleaseInfo,
    SectionsChanged,
    Side,
    Titled,
    Totals,
)
from guidelines_app.store import ContentStore, Release

SMALL_BOOTSTRAP_ABOVE = 200_000  # annotations; fewer resamples beyond, to stay interactive
DEFAULT_RESAMPLES = 1000


def release_info(version: int, releases: dict[int, Release]) -> ReleaseInfo:
    release = releases.get(version)
    return ReleaseInfo(
        version=version,
        label=release_label(version),
        tagged_at=release.tagged_at.isoformat() if release else None,
        commit=release.commit_id if release else None,
        note=_note(release),
    )


def _note(release: Release | None) -> str:
    """The release notes' first informative line: a bare "v2" heading or a list marker
    says nothing on a chart marker."""
    if release is None:
        return ""
    for line in release.message.splitlines():
        text = line.strip().lstrip("-*• ").strip()
        if text and text.lower() not in {f"v{release.version}", f"release v{release.version}"}:
            return text
    return ""


def totals(frame: pd.DataFrame) -> Totals:
    return Totals(
        items=int(frame["item"].nunique()),
        annotations=len(frame),
        annotators=int(frame["annotator"].nunique()),
        batches=int(frame["batch"].nunique()),
        datasets=int(frame["dataset"].nunique()),
    )


def _version(value: str | int, releases: dict[int, Release], field: str) -> int:
    spec = refs.parse_release(str(value))
    if spec is None:
        message = f"not a release: {value!r} (use v1, v2, ... or draft)"
        raise InvalidInput(problems=[Problem(message, field)])
    if spec.is_draft:
        return DRAFT
    number = spec.version or DRAFT
    if number not in releases:
        raise NotFound(f"no release {spec}")
    return number


def _folded_decisions(
    session: Session, store: ContentStore, slug: str, old: Release | None, new: Release | None
) -> tuple[FoldedDecision, ...]:
    if new is None:
        return ()
    path = GUIDELINE.path(slug)
    before = {c.id for c in store.history(path, rev=old.commit_id, limit=100_000)} if old else set()
    cited: dict[int, str] = {}
    for commit in store.history(path, rev=new.commit_id, limit=100_000):
        if commit.id in before:
            continue
        for number in cited_decisions(commit.trailers):
            cited.setdefault(number, commit.short_id)
    if not cited:
        return ()
    rows = session.exec(select(Decision).where(col(Decision.id).in_(list(cited)))).all()
    labels: dict[int, list[str]] = {}
    for decision_id, label in session.exec(
        select(DecisionLabel.decision_id, DecisionLabel.label).where(
            col(DecisionLabel.decision_id).in_(list(cited))
        )
    ).all():
        labels.setdefault(decision_id, []).append(label)
    return tuple(
        FoldedDecision(
            id=d.id or 0,
            title=d.title,
            section=d.section_id,
            labels=tuple(sorted(labels.get(d.id or 0, []))),
            commit=cited[d.id or 0],
        )
        for d in sorted(rows, key=lambda d: d.id or 0)
    )


def _sections_changed(store: ContentStore, slug: str, before: int, after: int) -> SectionsChanged:
    from guidelines_app.services.guidelines import diff

    sections = diff(store=store, slug=slug, old=f"v{before}", new=f"v{after}").sections
    return SectionsChanged(
        summary=sections.summary,
        # the side a section exists on has its title; the id stands in, as in the summary
        changed=tuple(Titled(c.id, c.new_title or c.id) for c in sections.changed),
        added=tuple(Titled(c.id, c.new_title or c.id) for c in sections.added),
        removed=tuple(Titled(c.id, c.old_title or c.id) for c in sections.removed),
    )


def comparison_key(key: str, before: int, after: int, resamples: int) -> str:
    """The cache key of a comparison (``kind`` says whether it is the light one)."""
    return f"{key}:{before}:{after}:{resamples}"


def compare(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    old: str | int,
    new: str | int,
    dimension: str | None = None,
    data: GuidelineData | None = None,
    light: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
) -> Comparison:
    """Two releases side by side (``old``, ``new``: ``v2``, ``2`` or ``draft``, in either
    order); ``light`` skips what only the comparison page shows (``detail``)."""
    if data is None:
        key, listed = fingerprint(session=session, store=store, slug=slug, dimension=dimension)
    else:
        key, listed = data.key, data.releases
    releases = {r.version: r for r in listed}
    before_v = _version(old, releases, "from")
    after_v = _version(new, releases, "to")
    if before_v == after_v:
        raise InvalidInput(
            problems=[
                Problem(f"compare {release_label(before_v)} with another release, not itself", "to")
            ]
        )
    if before_v > after_v:
        before_v, after_v = after_v, before_v
    loaded = data

    def compute() -> Comparison:
        source = loaded or load(
            session=session,
            store=store,
            slug=slug,
            dimension=dimension,
            versions={before_v, after_v},
        )
        frame = source.frame
        before = frame[frame["release"] == before_v]
        after = frame[frame["release"] == after_v]
        sides = (
            Side(release_info(before_v, releases), totals(before)),
            Side(release_info(after_v, releases), totals(after)),
        )
        if before.empty or after.empty:
            empty = release_label(before_v if before.empty else after_v)
            return Comparison(*sides, message=f"{empty} has no annotations to compare.")
        mapped, label_space = align_label_spaces(store, slug, before, after)
        n = len(before) + len(after)
        draws = resamples if n <= 2 * SMALL_BOOTSTRAP_ABOVE else min(resamples, 300)
        result = compare_releases(
            mapped, after, n_boot=draws, n_perm=draws, seed=0, mapping_report=label_space.report
        )
        detail = None
        if not light:
            detail = ComparisonDetail(
                _sections_changed(store, slug, before_v, after_v) if before_v != DRAFT else None,
                _folded_decisions(
                    session, store, slug, releases.get(before_v), releases.get(after_v)
                ),
            )
        return Comparison(*sides, comparison=result, label_space=label_space, detail=detail)

    payload = report_cache.cached(
        session,
        kind="compare-light" if light else "compare",
        key=comparison_key(key, before_v, after_v, resamples),
        guideline=slug,
        compute=lambda: compute().to_dict(),
    )
    return Comparison.from_dict(payload)
