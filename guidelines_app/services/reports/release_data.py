"""The annotations of a guideline, each stamped with the release it was made under.

Read compactly: integer item and batch ids, categorical annotators, labels and
datasets, timestamps converted in one vectorised step, so that millions of annotations
fit in tens of megabytes. ``load(versions=...)`` reads only the annotations that can
fall under those releases (the batches stamped with them, and dated annotations inside
their windows), so comparing two releases does not read the whole history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Float, Select, String, and_, cast, false, func, or_, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from guidelines_app.models import Annotation, AnnotationBatch, BatchStatus, Dataset, ReleaseRule
from guidelines_app.services import documents
from guidelines_app.services.documents import GUIDELINE
from guidelines_app.store import ContentStore, Release

DRAFT = 0  # the "release" of annotations made before the first release
COLUMNS = ["item", "annotator", "label", "created_at", "gold", "batch", "dataset", "dimension",
           "batch_version", "rule", "taxonomy_commit"]  # fmt: skip
CHUNK = 200_000  # rows converted at a time


@dataclass(frozen=True)
class GuidelineData:
    frame: pd.DataFrame  # COLUMNS + "release"
    releases: list[Release]
    dimensions: list[str]
    key: str  # changes whenever a batch or a release changes


def release_label(version: int) -> str:
    return "unreleased draft" if version == DRAFT else f"v{version}"


def _created_at_column(dialect: str) -> ColumnElement:
    """The timestamp as the database holds it, without per-row conversion in Python:
    seconds since the epoch on PostgreSQL, the stored ISO text on SQLite."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", col(Annotation.created_at)), Float)
    return type_coerce(col(Annotation.created_at), String)


def _to_timestamps(values: np.ndarray, dialect: str) -> pd.Series:
    """In nanoseconds whatever the pandas version (pandas 3 would infer microseconds),
    so the frames of both databases and the empty frame have one dtype."""
    if dialect == "postgresql":
        seconds = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce")
        stamps = pd.to_datetime((seconds * 1e6).round(), unit="us", utc=True)
    else:
        stamps = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601")
    return stamps.dt.as_unit("ns")


@dataclass(frozen=True)
class _Batch:
    id: int
    dataset: str
    version: int | None
    rule: str
    taxonomy_commit: str | None
    first: datetime | None = None  # the batch's earliest and latest annotation times
    last: datetime | None = None

    def may_fall_in(self, start: datetime | None, end: datetime | None) -> bool:
        if self.first is None or self.last is None:
            return True  # not recorded: the annotations decide
        return (end is None or self.first < end) and (start is None or self.last >= start)


def _batches(session: Session, slug: str) -> list[_Batch]:
    rows = session.exec(
        # sqlmodel types select() for at most 4 columns (and gives up on 7 optional ones)
        select(  # type: ignore[call-overload, misc]
            AnnotationBatch.id,
            Dataset.slug,
            AnnotationBatch.guideline_version,
            AnnotationBatch.release_rule,
            AnnotationBatch.taxonomy_commit,
            AnnotationBatch.first_annotated_at,
            AnnotationBatch.last_annotated_at,
        )
        .join(Dataset, col(Dataset.id) == col(AnnotationBatch.dataset_id))
        .where(AnnotationBatch.guideline == slug, AnnotationBatch.status != BatchStatus.IMPORTING)
        .order_by(col(AnnotationBatch.id))
    ).all()
    return [_Batch(int(i), str(d), v, str(r), t, f, la) for i, d, v, r, t, f, la in rows]


def _selection(
    batches: list[_Batch], releases: list[Release], versions: set[int] | None
) -> ColumnElement | None:
    """The annotations that may fall under ``versions`` (None: every annotation of the
    batches): a superset, narrowed exactly by ``assign_releases`` afterwards. A batch
    stamped at import counts whole or not at all; the annotations of other batches fall
    in the window of the release tagged last before them, or follow their batch when
    undated."""
    batch_id = col(Annotation.batch_id)
    if versions is None:
        return batch_id.in_([b.id for b in batches])
    given = [b.id for b in batches if b.rule == ReleaseRule.GIVEN.value and b.version in versions]
    other = [b for b in batches if b.rule != ReleaseRule.GIVEN.value]
    if not releases:  # everything not given is the unreleased draft
        given += [b.id for b in other] if DRAFT in versions else []
        return batch_id.in_(given)
    stamp = col(Annotation.created_at)
    ordered = sorted(releases, key=lambda r: r.tagged_at)
    bounds: list[tuple[int, datetime | None, datetime | None]] = [
        (DRAFT, None, ordered[0].tagged_at)
    ]
    bounds += [
        (r.version, r.tagged_at, ordered[n + 1].tagged_at if n + 1 < len(ordered) else None)
        for n, r in enumerate(ordered)
    ]
    wanted = [(start, end) for number, start, end in bounds if number in versions]
    windows = []
    for start, end in wanted:
        limits: list[ColumnElement[bool]] = [stamp.is_not(None)]
        limits += [stamp >= start] if start is not None else []
        limits += [stamp < end] if end is not None else []
        windows.append(and_(*limits))
    undated = [b.id for b in other if (b.version or DRAFT) in versions]
    dated = [b.id for b in other if any(b.may_fall_in(start, end) for start, end in wanted)]
    loose = or_(
        and_(batch_id.in_(dated), or_(*windows)) if dated and windows else false(),
        and_(batch_id.in_(undated), stamp.is_(None)) if undated else false(),
    )
    return or_(batch_id.in_(given), loose)


def dimensions_of(session: Session, batches: list[_Batch]) -> list[str]:
    if not batches:
        return []
    rows = session.exec(
        select(Annotation.dimension)
        .where(col(Annotation.batch_id).in_([b.id for b in batches]))
        .distinct()
    ).all()
    return sorted(str(d) for d in rows if d is not None)


def _rows(
    session: Session,
    batches: list[_Batch],
    *,
    dimension: str | None,
    releases: list[Release],
    versions: set[int] | None,
) -> pd.DataFrame:
    dialect = session.get_bind().dialect.name
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
            Annotation.item_id,
            Annotation.annotator,
            Annotation.label,
            _created_at_column(dialect),
            Annotation.gold,
            Annotation.batch_id,
        )
        .where(_selection(batches, releases, versions))
        .order_by(col(Annotation.id))
    )
    if dimension is not None:
        query = query.where(Annotation.dimension == dimension)
    parts = []
    for chunk in _chunks(session, query):
        item, annotator, label, created_at, gold, batch = zip(*chunk, strict=True)
        parts.append(
            pd.DataFrame(
                {
                    "item": np.asarray(item, dtype=np.int64),
                    "annotator": pd.Categorical(annotator),
                    "label": pd.Categorical(label),
                    "created_at": _to_timestamps(np.asarray(created_at, dtype=object), dialect),
                    "gold": np.asarray(gold, dtype=bool),
                    "batch": np.asarray(batch, dtype=np.int64),
                }
            )
        )
    if not parts:
        frame = pd.DataFrame({name: pd.Series(dtype="object") for name in COLUMNS})
        frame["created_at"] = pd.Series(dtype="datetime64[ns, UTC]")
        frame["item"] = frame["batch"] = pd.Series(dtype="int64")
        return frame[COLUMNS]
    frame = _concat(parts)
    by_id = {b.id: b for b in batches}
    codes, uniques = pd.factorize(frame["batch"])
    of = [by_id[int(i)] for i in uniques]
    frame["dataset"] = pd.Categorical.from_codes(*_codes_of(codes, [b.dataset for b in of]))
    frame["batch_version"] = pd.array([b.version for b in of], dtype="Int64").take(codes)
    frame["rule"] = pd.Categorical.from_codes(*_codes_of(codes, [b.rule for b in of]))
    commits = pd.Series([b.taxonomy_commit for b in of], dtype="object")
    frame["taxonomy_commit"] = commits.take(codes).to_numpy()
    frame["dimension"] = dimension or ""
    return frame[COLUMNS]


def _chunks(session: Session, query: Select) -> Iterator[Sequence[tuple]]:
    """The rows as the driver gives them (plain tuples: no column needs conversion on the
    way, and building millions of result rows would cost more than the query)."""
    result = session.connection().execute(query)
    try:
        while chunk := result.cursor.fetchmany(CHUNK):
            yield chunk
    finally:
        result.close()


def _codes_of(codes: np.ndarray, values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Per row codes into the distinct ``values`` (one value per batch)."""
    distinct, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return inverse[codes], list(distinct)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunks, keeping categorical columns categorical (union of categories)."""
    if len(parts) == 1:
        return parts[0]
    categorical = [
        c for c in parts[0].columns if isinstance(parts[0][c].dtype, pd.CategoricalDtype)
    ]
    for name in categorical:
        union = pd.api.types.union_categoricals([p[name] for p in parts])
        for part in parts:
            part[name] = pd.Categorical(part[name], categories=union.categories)
    return pd.concat(parts, ignore_index=True)


def assign_releases(frame: pd.DataFrame, releases: list[Release]) -> pd.Series:
    """Per annotation: the release named at import (rule "given") wins; otherwise the latest
    release tagged at or before the annotation's time; undated annotations take their
    batch's release; anything before the first release is the unreleased draft (0)."""
    batch_version = (
        pd.to_numeric(frame["batch_version"], errors="coerce").fillna(DRAFT).astype("int64")
    ).to_numpy()
    result = np.full(len(frame), DRAFT, dtype=np.int64)
    if releases:
        ordered = sorted(releases, key=lambda r: r.tagged_at)
        tags = pd.DatetimeIndex([pd.Timestamp(r.tagged_at) for r in ordered])
        times = tags.tz_convert("UTC").as_unit("ns")  # searchsorted refuses a coarser unit
        versions = np.asarray([DRAFT] + [r.version for r in ordered], dtype=np.int64)
        stamps = pd.DatetimeIndex(frame["created_at"]).as_unit("ns")
        dated = ~np.asarray(stamps.isna())
        position = times.searchsorted(stamps[dated], side="right")  # 0: before the first
        result[dated] = versions[position]
        result[~dated] = batch_version[~dated]
    given = np.asarray(frame["rule"].astype(object) == ReleaseRule.GIVEN.value, dtype=bool)
    result[given] = batch_version[given]
    return pd.Series(result, index=frame.index, dtype="int64")


def fingerprint(
    *, session: Session, store: ContentStore, slug: str, dimension: str | None = None
) -> tuple[str, list[Release]]:
    """A key that changes whenever a batch of the guideline, its stamp or a release changes,
    read from the batches table alone (never the annotations), so a cached report is cheap.

    A batch counts by its id, dataset and file hash as well as its size and stamp: SQLite
    may give a new batch the id of one removed before it, and a file of the same size
    imported under that id must not be served the removed batch's report."""
    documents.read(store, GUIDELINE, slug)  # 404 for an unknown guideline
    releases = documents.releases(store, GUIDELINE, slug)
    batches = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
            AnnotationBatch.id,
            AnnotationBatch.dataset_id,
            AnnotationBatch.sha256,
            AnnotationBatch.n_annotations,
            AnnotationBatch.guideline_version,
            AnnotationBatch.release_rule,
            AnnotationBatch.taxonomy_commit,
        )
        .where(AnnotationBatch.guideline == slug, AnnotationBatch.status != BatchStatus.IMPORTING)
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
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    dimension: str | None = None,
    versions: Iterable[int] | None = None,
) -> GuidelineData:
    """The guideline's annotations of one dimension (the unnamed one, else the first), each
    with its ``release``; only those made under ``versions`` when given."""
    key, releases = fingerprint(session=session, store=store, slug=slug, dimension=dimension)
    batches = _batches(session, slug)
    dimensions = dimensions_of(session, batches)
    if dimension is None and dimensions:
        dimension = "" if "" in dimensions else dimensions[0]
    wanted = None if versions is None else set(versions)
    frame = _rows(session, batches, dimension=dimension, releases=releases, versions=wanted)
    frame["release"] = assign_releases(frame, releases)
    if wanted is not None:
        frame = frame[frame["release"].isin(wanted)].reset_index(drop=True)
    return GuidelineData(frame=frame, releases=releases, dimensions=dimensions, key=key)
