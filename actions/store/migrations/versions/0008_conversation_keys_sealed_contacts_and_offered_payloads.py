"""sealed contact addresses, postcode proof for withdrawal, offered payloads

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offered_payloads",
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("payloads", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sender_hash"),
    )
    with op.batch_alter_table("offered_payloads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offered_payloads_updated_at"), ["updated_at"], unique=False)
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("postcode_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("withdraw_proof_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("withdraw_proven_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("withdraw_proven_by")
        batch_op.drop_column("withdraw_proof_failures")
        batch_op.drop_column("postcode_hash")
        batch_op.drop_column("contact_sealed")
    with op.batch_alter_table("offered_payloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offered_payloads_updated_at"))
    op.drop_table("offered_payloads")
