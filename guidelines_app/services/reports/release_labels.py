"""Comparing two releases in one label space: the later taxonomy's, through the migration map."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from guidelines_app.domain.agreement.label_space import map_labels
from guidelines_app.domain.errors import InvalidInput, NotFound
from guidelines_app.domain.taxonomy import migration_map
from guidelines_app.services import documents, taxonomies
from guidelines_app.services.documents import GUIDELINE
from guidelines_app.services.reports.results import LabelSpace
from guidelines_app.store import ContentStore


def _commit_of(frame: pd.DataFrame) -> str | None:
    commits = frame["taxonomy_commit"].dropna()
    return str(commits.mode().iloc[0]) if len(commits) else None


def align_label_spaces(
    store: ContentStore, slug: str, before: pd.DataFrame, after: pd.DataFrame
) -> tuple[pd.DataFrame, LabelSpace]:
    """``before`` mapped into the label space of ``after`` when their taxonomy revisions
    differ, with a description of what moved and what had to be dropped."""
    old_commit, new_commit = _commit_of(before), _commit_of(after)
    info = LabelSpace(mapped=False, from_commit=old_commit, to_commit=new_commit)
    if not old_commit or not new_commit or old_commit == new_commit:
        return before, info
    try:
        taxonomy = documents.guideline_of(documents.read(store, GUIDELINE, slug)).taxonomy
    except (InvalidInput, NotFound):
        return before, info
    old = taxonomies.load_lenient(store, taxonomy, old_commit)
    new = taxonomies.load_lenient(store, taxonomy, new_commit)
    if old is None or new is None:
        note = "the taxonomy of one side cannot be read; labels compared as they are"
        return before, replace(info, note=note)
    mapping = migration_map(old, new)
    if not mapping.to_dict().get("entries") and old == new:
        return before, info
    mapped, report = map_labels(before, mapping)
    if report.kept == report.n_annotations and not report.moved:
        return before, info
    note = (
        "The two releases use different taxonomy revisions: the earlier annotations are "
        "compared in the later label space through the migration map."
    )
    return mapped, replace(info, mapped=True, note=note, report=report)
