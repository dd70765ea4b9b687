"""add items escalations decisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:28:38.741512
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url_template", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("slug", name=op.f("uq_datasets_slug")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("ruling", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("guideline", sa.String(length=100), nullable=False),
        sa.Column("section_id", sa.String(length=100), nullable=True),
        sa.Column("guideline_commit", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_decisions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["decisions.id"],
            name=op.f("fk_decisions_superseded_by_id_decisions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_decisions_guideline_section_id", ["guideline", "section_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_decisions_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_decisions_superseded_by_id"), ["superseded_by_id"], unique=False
        )

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("media_url", sa.String(length=2000), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("active_reporters", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_items_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_items_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("dataset_id", "external_id", name=op.f("uq_items_dataset_id")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_items_active_reporters"), ["active_reporters"], unique=False
        )

    op.create_table(
        "decision_items",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_items_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_decision_items_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by"],
            ["users.id"],
            name=op.f("fk_decision_items_linked_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("decision_id", "item_id", name=op.f("pk_decision_items")),
    )
    with op.batch_alter_table("decision_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_items_item_id"), ["item_id"], unique=False)

    op.create_table(
        "decision_labels",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("applies", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_labels_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", "label", name=op.f("pk_decision_labels")),
    )
    with op.batch_alter_table("decision_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_labels_label"), ["label"], unique=False)

    op.create_table(
        "decision_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_revisions_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["users.id"],
            name=op.f("fk_decision_revisions_editor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_revisions")),
        sa.UniqueConstraint(
            "decision_id", "number", name=op.f("uq_decision_revisions_decision_id")
        ),
    )
    op.create_table(
        "decision_search",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column(
            "document", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_search_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_decision_search")),
    )
    with op.batch_alter_table("decision_search", schema=None) as batch_op:
        batch_op.create_index(
            "ix_decision_search_document", ["document"], unique=False, postgresql_using="gin"
        )

    op.create_table(
        "decision_search_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_search_terms_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "decision_id", name=op.f("pk_decision_search_terms")),
    )
    with op.batch_alter_table("decision_search_terms", schema=None) as batch_op:
        batch_op.create_index(
            "ix_decision_search_terms_decision_id_term", ["decision_id", "term"], unique=False
        )
        batch_op.create_index(
            "ix_decision_search_terms_term_weight", ["term", "weight", "decision_id"], unique=False
        )

    op.create_table(
        "decision_tags",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_tags_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", "tag", name=op.f("pk_decision_tags")),
    )
    with op.batch_alter_table("decision_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_tags_tag"), ["tag"], unique=False)

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("guideline", sa.String(length=100), nullable=False),
        sa.Column("section_id", sa.String(length=100), nullable=True),
        sa.Column("release_version", sa.Integer(), nullable=True),
        sa.Column("release_commit", sa.String(length=40), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_escalations_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_escalations_decision_id_decisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["escalations.id"],
            name=op.f("fk_escalations_duplicate_of_id_escalations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_escalations_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_escalations_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalations_assignee_id"), ["assignee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_escalations_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_escalations_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_escalations_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(
            "ix_escalations_guideline_status", ["guideline", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_escalations_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_escalations_reporter_id"), ["reporter_id"], unique=False
        )
        batch_op.create_index(
            "ix_escalations_status_created_at", ["status", "created_at"], unique=False
        )

    op.create_table(
        "escalation_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_escalation_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_comments_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_comments")),
    )
    with op.batch_alter_table("escalation_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_comments_escalation_id"), ["escalation_id"], unique=False
        )

    op.create_table(
        "escalation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_escalation_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_events_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_events")),
    )
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_events_escalation_id"), ["escalation_id"], unique=False
        )

    op.create_table(
        "escalation_labels",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_labels_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("escalation_id", "label", name=op.f("pk_escalation_labels")),
    )
    with op.batch_alter_table("escalation_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_labels_label"), ["label"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("escalation_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_labels_label"))

    op.drop_table("escalation_labels")
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_events_escalation_id"))

    op.drop_table("escalation_events")
    with op.batch_alter_table("escalation_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_comments_escalation_id"))

    op.drop_table("escalation_comments")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index("ix_escalations_status_created_at")
        batch_op.drop_index(batch_op.f("ix_escalations_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_escalations_item_id"))
        batch_op.drop_index("ix_escalations_guideline_status")
        batch_op.drop_index(batch_op.f("ix_escalations_duplicate_of_id"))
        batch_op.drop_index(batch_op.f("ix_escalations_decision_id"))
        batch_op.drop_index(batch_op.f("ix_escalations_created_at"))
        batch_op.drop_index(batch_op.f("ix_escalations_assignee_id"))

    op.drop_table("escalations")
    with op.batch_alter_table("decision_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_tags_tag"))

    op.drop_table("decision_tags")
    with op.batch_alter_table("decision_search_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_search_terms_term_weight")
        batch_op.drop_index("ix_decision_search_terms_decision_id_term")

    op.drop_table("decision_search_terms")
    with op.batch_alter_table("decision_search", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_search_document", postgresql_using="gin")

    op.drop_table("decision_search")
    op.drop_table("decision_revisions")
    with op.batch_alter_table("decision_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_labels_label"))

    op.drop_table("decision_labels")
    with op.batch_alter_table("decision_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_items_item_id"))

    op.drop_table("decision_items")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_active_reporters"))

    op.drop_table("items")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_superseded_by_id"))
        batch_op.drop_index(batch_op.f("ix_decisions_status"))
        batch_op.drop_index("ix_decisions_guideline_section_id")
        batch_op.drop_index(batch_op.f("ix_decisions_created_at"))
        batch_op.drop_index(batch_op.f("ix_decisions_author_id"))

    op.drop_table("decisions")
    op.drop_table("datasets")
