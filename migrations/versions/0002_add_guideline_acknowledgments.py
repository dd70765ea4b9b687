"""add guideline acknowledgments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:24:26.481426
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guideline_acknowledgments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("guideline", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("commit_id", sa.String(length=40), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_guideline_acknowledgments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_acknowledgments")),
        sa.UniqueConstraint(
            "user_id", "guideline", "version", name=op.f("uq_guideline_acknowledgments_user_id")
        ),
    )
    with op.batch_alter_table("guideline_acknowledgments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guideline_acknowledgments_guideline"), ["guideline"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("guideline_acknowledgments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_acknowledgments_guideline"))

    op.drop_table("guideline_acknowledgments")
