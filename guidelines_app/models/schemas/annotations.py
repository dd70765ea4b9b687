"""API bodies of annotation batches: the upload form, an import job, a batch, its figures."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from guidelines_app.domain.formats.annotations import FORMATS
from guidelines_app.models.annotations import (
    AnnotationBatch,
    AnnotationImport,
    ImportStatus,
    ReleaseRule,
)
from guidelines_app.models.schemas.common import Public, Timestamp


class BatchUpload(BaseModel):
    """The multipart fields beside ``file``; form fields are text, read as the form sends them.

    An empty field counts as absent, as it always has.
    """

    model_config = ConfigDict(extra="ignore")

    dataset: str = Field(description="the dataset of the items (created if new)")
    format: str = Field(
        default="auto",
        description="auto (detect from the content), or one of the annotation formats",
        json_schema_extra={"enum": ["auto", *FORMATS]},
    )
    guideline: str | None = Field(default=None, description="the guideline annotators followed")
    release: str | None = Field(
        default=None,
        description="its release (v2); inferred from the timestamps if absent",
        examples=["v2"],
    )
    taxonomy: str | None = Field(default=None, description="default: the guideline's")
    map_labels: bool = Field(default=False, description="map deprecated labels to replacements")
    annotator: str = Field(default="", description="the annotator of a doccano file")


class BatchCounts(Public):
    annotations: int
    items: int
    annotators: int
    mapped: int = Field(description="labels mapped from deprecated ones")


class BatchPublic(Public):
    id: int
    dataset: str
    file_name: str
    source_format: str
    sha256: str
    imported_at: Timestamp
    guideline: str | None
    guideline_version: int | None
    guideline_commit: str | None
    release_rule: ReleaseRule = Field(description="how the release in force was found")
    taxonomy: str | None
    taxonomy_commit: str | None
    first_annotated_at: Timestamp | None
    last_annotated_at: Timestamp | None
    counts: BatchCounts
    notes: list[str]

    @classmethod
    def fields_of(cls, batch: AnnotationBatch, dataset: str) -> dict[str, Any]:
        return {
            "id": batch.id or 0,
            "dataset": dataset,
            "file_name": batch.file_name,
            "source_format": batch.source_format,
            "sha256": batch.sha256,
            "imported_at": batch.imported_at,
            "guideline": batch.guideline,
            "guideline_version": batch.guideline_version,
            "guideline_commit": batch.guideline_commit,
            "release_rule": batch.release_rule,
            "taxonomy": batch.taxonomy,
            "taxonomy_commit": batch.taxonomy_commit,
            "first_annotated_at": batch.first_annotated_at,
            "last_annotated_at": batch.last_annotated_at,
            "counts": BatchCounts(
                annotations=batch.n_annotations,
                items=batch.n_items,
                annotators=batch.n_annotators,
                mapped=batch.n_mapped,
            ),
            "notes": list(batch.notes),
        }

    @classmethod
    def of(cls, batch: AnnotationBatch, dataset: str) -> BatchPublic:
        return cls(**cls.fields_of(batch, dataset))


class BatchCreated(BatchPublic):
    """The batch, imported with its figures computed."""

    warnings: list[str] = Field(description="what the import noticed but accepted")


class BatchList(Public):
    """The batches."""

    batches: list[BatchPublic] = Field(description="newest first")


class BatchFiguresPublic(BatchPublic):
    """The batch and the agreement figures of one dimension."""

    dimension: str = Field(description="the dimension these figures are of")
    dimensions: list[str]
    figures: dict[str, Any] = Field(
        description="agreement figures (docs/agreement.md); annotator figures for leads only"
    )


class ImportPublic(Public):
    """An import job: a file being read and written in the background, polled until done."""

    id: int
    url: str = Field(description="this job's status endpoint")
    dataset: str
    file_name: str
    status: str = Field(
        description="queued, running, done or failed",
        json_schema_extra={"enum": [s.value for s in ImportStatus]},
    )
    stage: str = Field(description="what the job is doing (reading, writing annotations...)")
    done: int = Field(description="rows written so far in the stage, when it counts rows")
    total: int = Field(description="rows to write in the stage, when it counts rows")
    batch_id: int | None = Field(description="the batch, once the job is done")
    batch_url: str | None = Field(description="the batch's endpoint, once the job is done")
    message: str = Field(description="why it failed; once done, the import's notes")
    problems: list[str] = Field(description="every problem of a refused file")
    status_code: int | None = Field(
        description="the status a refused import answers with (409, 413, 422), when failed"
    )
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, job: AnnotationImport) -> ImportPublic:
        done = job.status == ImportStatus.DONE.value and job.batch_id is not None
        return cls(
            id=job.id or 0,
            url=f"/api/v1/annotation-imports/{job.id}",
            dataset=job.dataset,
            file_name=job.file_name,
            status=job.status,
            stage=job.stage,
            done=job.done,
            total=job.total,
            batch_id=job.batch_id if done else None,
            batch_url=f"/api/v1/annotation-batches/{job.batch_id}" if done else None,
            message=job.message,
            problems=list(job.problems),
            status_code=job.status_code if job.status == ImportStatus.FAILED.value else None,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )
