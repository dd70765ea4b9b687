"""add annotation batches

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:35:21.380425
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "annotation_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("source_format", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("importer_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("guideline", sa.String(length=100), nullable=True),
        sa.Column("guideline_version", sa.Integer(), nullable=True),
        sa.Column("guideline_commit", sa.String(length=40), nullable=True),
        sa.Column("release_rule", sa.String(length=16), nullable=False),
        sa.Column("taxonomy", sa.String(length=100), nullable=True),
        sa.Column("taxonomy_commit", sa.String(length=40), nullable=True),
        sa.Column("first_annotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_annotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("n_annotations", sa.Integer(), nullable=False),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.Column("n_annotators", sa.Integer(), nullable=False),
        sa.Column("n_mapped", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_annotation_batches_dataset_id_datasets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["importer_id"],
            ["users.id"],
            name=op.f("fk_annotation_batches_importer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_batches")),
        sa.UniqueConstraint("dataset_id", "sha256", name=op.f("uq_annotation_batches_dataset_id")),
    )
    with op.batch_alter_table("annotation_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_annotation_batches_guideline"), ["guideline"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_annotation_batches_importer_id"), ["importer_id"], unique=False
        )

    op.create_table(
        "annotation_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=200), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["annotation_batches.id"],
            name=op.f("fk_annotation_imports_batch_id_annotation_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_annotation_imports_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_imports")),
    )
    with op.batch_alter_table("annotation_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_annotation_imports_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_annotation_imports_created_by"), ["created_by"], unique=False
        )

    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("annotator", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("original_label", sa.Text(), nullable=True),
        sa.Column("dimension", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gold", sa.Boolean(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["annotation_batches.id"],
            name=op.f("fk_annotations_batch_id_annotation_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_annotations_item_id_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annotations_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_annotations_item_id_annotator", ["item_id", "annotator"], unique=False
        )

    op.create_table(
        "batch_figures",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=200), nullable=False),
        sa.Column("figures_version", sa.String(length=16), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["annotation_batches.id"],
            name=op.f("fk_batch_figures_batch_id_annotation_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "batch_id", "dimension", "figures_version", name=op.f("pk_batch_figures")
        ),
    )


def downgrade() -> None:
    op.drop_table("batch_figures")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_annotations_item_id_annotator")
        batch_op.drop_index(batch_op.f("ix_annotations_batch_id"))

    op.drop_table("annotations")
    with op.batch_alter_table("annotation_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotation_imports_created_by"))
        batch_op.drop_index(batch_op.f("ix_annotation_imports_batch_id"))

    op.drop_table("annotation_imports")
    with op.batch_alter_table("annotation_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotation_batches_importer_id"))
        batch_op.drop_index(batch_op.f("ix_annotation_batches_guideline"))

    op.drop_table("annotation_batches")
