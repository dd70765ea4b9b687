"""The annotations of a guideline, each stamped with the release it was made under."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, col, select

from guidelines_app.models import Annotation, AnnotationBatch, Dataset, Item, ReleaseRule
from guidelines_app.services import documents
from guidelines_app.services.documents import GUIDELINE
from guidelines_app.store import ContentStore, Release

DRAFT = 0  # the "release" of annotations made before the first release
COLUMNS = ["item", "annotator", "label", "created_at", "gold", "batch", "dataset", "dimension",
           "batch_version", "rule", "taxonomy_commit"]  # fmt: skip


@dataclass(frozen=True)
class GuidelineData:
    frame: pd.DataFrame  # COLUMNS + "release"
    releases: list[Release]
    dimensions: list[str]
    key: str  # changes whenever a batch or a release changes


def release_label(version: int) -> str:
    return "unreleased draft" if version == DRAFT else f"v{version}"


def _rows(session: Session, slug: str) -> pd.DataFrame:
    query = (
        select(
            Dataset.slug,
            Item.external_id,
            Annotation.annotator,
            Annotation.label,
            Annotation.created_at,
            Annotation.gold,
            Annotation.batch_id,
            Annotation.dimension,
            AnnotationBatch.guideline_version,
            AnnotationBatch.release_rule,
            AnnotationBatch.taxonomy_commit,
        )
        .join(AnnotationBatch, col(AnnotationBatch.id) == col(Annotation.batch_id))
        .join(Item, col(Item.id) == col(Annotation.item_id))
        .join(Dataset, col(Dataset.id) == col(Item.dataset_id))
        .where(AnnotationBatch.guideline == slug)
        .order_by(col(Annotation.id))
    )
    rows = session.exec(query).all()
    frame = pd.DataFrame.from_records(
        rows,
        columns=["dataset", "external_id", "annotator", "label", "created_at", "gold", "batch",
                 "dimension", "batch_version", "rule", "taxonomy_commit"],
    )  # fmt: skip
    frame["item"] = frame["dataset"].astype(str) + "/" + frame["external_id"].astype(str)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["gold"] = frame["gold"].astype(bool)
    return frame[COLUMNS]


def assign_releases(frame: pd.DataFrame, releases: list[Release]) -> pd.Series:
    """Per annotation: the release named at import (rule "given") wins; otherwise the latest
    release tagged at or before the annotation's time; undated annotations take their
    batch's release; anything before the first release is the unreleased draft (0)."""
    result = pd.Series(DRAFT, index=frame.index, dtype="int64")
    batch_version = (
        pd.to_numeric(frame["batch_version"], errors="coerce").fillna(DRAFT).astype("int64")
    )
    if releases:
        ordered = sorted(releases, key=lambda r: r.tagged_at)
        times = pd.Series([pd.Timestamp(r.tagged_at) for r in ordered]).dt.tz_convert("UTC")
        versions = [r.version for r in ordered]
        dated = frame["created_at"].notna()
        position = times.searchsorted(frame.loc[dated, "created_at"], side="right") - 1
        result.loc[dated] = [versions[p] if p >= 0 else DRAFT for p in position]
        result.loc[~dated] = batch_version[~dated]
    given = frame["rule"] == ReleaseRule.GIVEN.value
    result.loc[given] = batch_version[given]
    return result


def fingerprint(
    *, session: Session, store: ContentStore, slug: str, dimension: str | None = None
) -> tuple[str, list[Release]]:
    """A key that changes whenever a batch of the guideline, its stamp or a release changes,
    read from the batches table alone (never the annotations), so a cached report is cheap."""
    documents.read(store, GUIDELINE, slug)  # 404 for an unknown guideline
    releases = documents.releases(store, GUIDELINE, slug)
    batches = session.exec(
        select(
            AnnotationBatch.id,
            AnnotationBatch.n_annotations,
            AnnotationBatch.guideline_version,
            AnnotationBatch.release_rule,
            AnnotationBatch.taxonomy_commit,
        )
        .where(AnnotationBatch.guideline == slug)
        .order_by(col(AnnotationBatch.id))
    ).all()
    data = {
        "slug": slug,
        "dimension": dimension,
        "batches": [list(row) for row in batches],
        "releases": [(r.version, r.commit_id, r.tagged_at.isoformat()) for r in releases],
    }
    key = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return key, releases


def load(
    *, session: Session, store: ContentStore, slug: str, dimension: str | None = None
) -> GuidelineData:
    key, releases = fingerprint(session=session, store=store, slug=slug, dimension=dimension)
    frame = _rows(session, slug)
    dimensions = sorted(frame["dimension"].dropna().unique().tolist())
    if dimension is None and dimensions:
        dimension = "" if "" in dimensions else dimensions[0]
    if dimension is not None:
        frame = frame[frame["dimension"] == dimension].reset_index(drop=True)
    frame["release"] = assign_releases(frame, releases)
    return GuidelineData(frame=frame, releases=releases, dimensions=dimensions, key=key)
