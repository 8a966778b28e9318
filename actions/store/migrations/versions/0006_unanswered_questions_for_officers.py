"""unanswered questions for officers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 18:38:53.332124
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unanswered',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=True),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('grouping_key', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unanswered', schema=None) as batch_op:
        batch_op.create_index('ix_unanswered_consultation_kind', ['consultation_id', 'kind'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('unanswered', schema=None) as batch_op:
        batch_op.drop_index('ix_unanswered_consultation_kind')

    op.drop_table('unanswered')
