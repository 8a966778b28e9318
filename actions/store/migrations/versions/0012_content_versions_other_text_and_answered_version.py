"""consultation versions, the version a response was answered on, "other, please specify" text

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-30 10:00:00

Every change to a consultation's content is kept as a numbered version, so a
resident in the middle of a response finishes the version they started.
Existing consultations become version 1.
"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultation_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "number", name="uq_consultation_versions_number"),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("other_text", sa.Text(), nullable=True))
    op.execute(
        "INSERT INTO consultation_versions (consultation_id, number, document, content_hash, created_at, source) "
        "SELECT id, 1, document, content_hash, updated_at, 'before versions were kept' FROM consultations"
    )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("other_text")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("content_version")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("version")
    op.drop_table("consultation_versions")
