"""response submission key and amendments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:30:14.679234
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_responses_submission_key', ['submission_key'])



def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint('uq_responses_submission_key', type_='unique')
        batch_op.drop_column('submission_key')
        batch_op.drop_column('amended_at')

