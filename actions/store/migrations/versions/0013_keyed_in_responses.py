"""responses keyed in by staff: who keyed them in and the date they were received

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-30 01:10:00

Paper forms, phone calls and conversations in person are keyed in through the
portal (actions/portal/keyed_responses.py). The response's channel says which
(``paper``, ``phone``, ``in_person``); ``keyed_by`` is the portal account that
keyed it in (kept when the account is deleted as NULL), ``received_on`` the date
the council received it. An index on (consultation, postcode hash) finds the
possible duplicates of a keyed response quickly.
"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("keyed_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_responses_keyed_by_users", "users", ["keyed_by"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_responses_consultation_postcode", ["consultation_id", "postcode_hash"])


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_consultation_postcode")
        batch_op.drop_constraint("fk_responses_keyed_by_users", type_="foreignkey")
        batch_op.drop_column("keyed_by")
        batch_op.drop_column("received_on")
