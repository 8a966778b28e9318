"""officers' themes per consultation, themes per comment, reviews, flags, tags, notes and their activity log

Revision ID: 0010
Revises: 0012
Create Date: 2026-11-30 12:00:00

The automatic theme tags (answers.themes) become suggestions; officers confirm,
reject, rename, merge and add themes per consultation, and assign or remove
them per comment, recording who and when.
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultation_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["merged_into_id"], ["consultation_themes.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "key", name="uq_consultation_themes_key"),
    )
    op.create_index("ix_consultation_themes_consultation_id", "consultation_themes", ["consultation_id"])
    op.create_table(
        "comment_themes",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("assigned", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["consultation_themes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("answer_id", "theme_id"),
    )
    op.create_index("ix_comment_themes_theme_id", "comment_themes", ["theme_id"])
    op.create_table(
        "comment_reviews",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=320), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("answer_id"),
    )
    op.create_table(
        "comment_flags",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=20), nullable=False),
        sa.Column("flagged_by", sa.String(length=320), nullable=False),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("answer_id", "flag"),
    )
    op.create_table(
        "comment_tags",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column("tagged_by", sa.String(length=320), nullable=False),
        sa.Column("tagged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("answer_id", "tag"),
    )
    op.create_table(
        "comment_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_notes_answer_id", "comment_notes", ["answer_id"])
    op.create_table(
        "theme_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_theme_activity_consultation_id", "theme_activity", ["consultation_id"])
    op.create_index("ix_theme_activity_answer_id", "theme_activity", ["answer_id"])


def downgrade() -> None:
    op.drop_index("ix_theme_activity_answer_id", table_name="theme_activity")
    op.drop_index("ix_theme_activity_consultation_id", table_name="theme_activity")
    op.drop_table("theme_activity")
    op.drop_index("ix_comment_notes_answer_id", table_name="comment_notes")
    op.drop_table("comment_notes")
    op.drop_table("comment_tags")
    op.drop_table("comment_flags")
    op.drop_table("comment_reviews")
    op.drop_index("ix_comment_themes_theme_id", table_name="comment_themes")
    op.drop_table("comment_themes")
    op.drop_index("ix_consultation_themes_consultation_id", table_name="consultation_themes")
    op.drop_table("consultation_themes")
