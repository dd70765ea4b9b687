"""Overriding the guideline release a batch was made under (the stamp of the import)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, select

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.models import Annotation, AnnotationBatch
from guidelines_app.services import audit, documents, reports
from guidelines_app.services.annotations import context as annotation_context
from guidelines_app.services.annotations import importing
from guidelines_app.services.documents import GUIDELINE
from guidelines_app.store import ContentStore

INFER = "infer"


def set_batch_release(
    *,
    session: Session,
    store: ContentStore,
    batch_id: int,
    release: str,
    actor_id: int | None = None,
) -> AnnotationBatch:
    """``release`` is ``vN`` (taken as given) or ``infer`` (from the annotations' times again).

    Only the stamp changes: the annotations stay as imported and the batch's figures, which
    do not depend on the release, are kept as computed. The cached reports of the batch's
    guideline (the only ones that read it) are forgotten and computed on their next view;
    their keys hold the stamps, so none would be served stale anyway.
    """
    batch, _dataset = importing.get_batch(session, batch_id)
    if not batch.guideline:
        raise InvalidInput(problems=[Problem("this batch is not tied to a guideline", "release")])
    text = release.strip().lower()
    version = None if text == INFER else documents.parse_version(text)
    if text != INFER and version is None:
        raise InvalidInput(
            problems=[Problem(f"not a release: {release!r} (use v1, v2 or infer)", "release")]
        )
    timestamps = pd.Series(
        session.exec(
            select(Annotation.created_at).where(col(Annotation.batch_id) == batch_id)
        ).all(),
        dtype="object",
    )
    timestamps = pd.to_datetime(timestamps, utc=True)
    found = annotation_context.resolve(
        store=store,
        guideline=batch.guideline,
        release=version,
        taxonomy=batch.taxonomy,
        timestamps=timestamps,
    )
    before = (batch.guideline_version, batch.release_rule)
    batch.guideline_version = found.release.version if found.release else None
    batch.guideline_commit = found.release.commit_id if found.release else None
    batch.release_rule = found.rule.value
    if found.taxonomy_commit:
        batch.taxonomy_commit = found.taxonomy_commit
    audit.record(
        session,
        actor_id=actor_id,
        action="annotations.set_release",
        object_type="annotation_batch",
        object_id=batch_id,
        summary=f"{GUIDELINE.path(batch.guideline)}: v{before[0]} ({before[1]}) -> "
        f"v{batch.guideline_version} ({batch.release_rule})",
    )
    reports.forget(session, guideline=batch.guideline)
    session.commit()
    return batch
