"""Where decisions entered the guideline: commits citing them, and the release that shipped it.

A guideline commit cites decisions with ``Decision: N`` trailers (``Decision: #N`` too:
``domain.trailers`` reads them). The release that
first contains such a commit is the earliest release of that guideline whose history
(``store.history(path, rev=release.commit_id)``) includes the commit. Everything is
read from git, so it stays true for edits pushed by other means.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from guidelines_app.domain.trailers import cited_decisions
from guidelines_app.models import Decision, DecisionStatus
from guidelines_app.services import documents
from guidelines_app.store import CommitInfo, ContentStore, Release, StoreError

HISTORY_LIMIT = 2_000


@dataclass(frozen=True)
class Amendment:
    guideline: str
    commit: CommitInfo
    release: Release | None


class CitationIndex:
    """Citations and release membership of one guideline, read once per request."""

    def __init__(self, store: ContentStore, slug: str) -> None:
        self.slug = slug
        path = documents.GUIDELINE.path(slug)
        try:
            commits = store.history(path, limit=HISTORY_LIMIT)
            self.releases = store.releases(path)
            self._released = [
                (
                    release,
                    {c.id for c in store.history(path, rev=release.commit_id, limit=HISTORY_LIMIT)},
                )
                for release in self.releases
            ]
        except StoreError:
            commits, self.releases, self._released = [], [], []
        self.citations: dict[int, list[CommitInfo]] = {}
        for commit in reversed(commits):  # oldest first
            for number in cited_decisions(commit.trailers):
                self.citations.setdefault(number, []).append(commit)

    def first_release(self, commit_id: str) -> Release | None:
        for release, ids in self._released:
            if commit_id in ids:
                return release
        return None

    def amendments(self, decision_id: int) -> list[Amendment]:
        return [
            Amendment(self.slug, commit, self.first_release(commit.id))
            for commit in self.citations.get(decision_id, [])
        ]


def amendments_for(*, store: ContentStore, decision: Decision) -> list[Amendment]:
    return CitationIndex(store, decision.guideline).amendments(decision.id or 0)


@dataclass(frozen=True)
class PendingDecision:
    decision: Decision
    cited_in: list[CommitInfo]  # cited by a guideline commit not yet released


def not_yet_released(
    *, session: Session, store: ContentStore, guideline: str | None = None
) -> list[PendingDecision]:
    """Active decisions that no release of their guideline contains yet."""
    statement = select(Decision).where(Decision.status == DecisionStatus.ACTIVE.value)
    if guideline:
        statement = statement.where(Decision.guideline == guideline)
    indexes: dict[str, CitationIndex] = {}
    pending = []
    for decision in session.exec(statement.order_by(col(Decision.id))):
        index = indexes.get(decision.guideline)
        if index is None:
            index = indexes[decision.guideline] = CitationIndex(store, decision.guideline)
        found = index.amendments(decision.id or 0)
        if not any(a.release for a in found):
            pending.append(PendingDecision(decision, [a.commit for a in found]))
    return pending
