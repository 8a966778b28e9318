"""indexes for the portal's results, reading pages and search

Revision ID: 0009
Revises: 0011
Create Date: 2026-11-29 23:00:00

Numbered 0009 but applied after 0011 (the numbers were handed out before the work was done).

* ``answers (question_id, CAST(value AS TEXT), response_id)``: each question's answers grouped by value
  (the results and cross-tabs), answer filters, and comment search read this index instead of the table.
  An expression on the text, because PostgreSQL's ``json`` has no b-tree order.
* ``responses (consultation_id, status, submitted_at)``: counts and newest-first pages of a consultation's
  submitted responses; ``responses (consultation_id, status, ward_slug, age_band, channel, submitted_at)``:
  who responded, and the responses a ward, channel or date filter selects, from the index alone.
"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_answers_question_value", "answers", ["question_id", sa.text("CAST(value AS TEXT)"), "response_id"], unique=False
    )
    op.create_index(
        "ix_responses_consultation_status_submitted", "responses", ["consultation_id", "status", "submitted_at"], unique=False
    )
    op.create_index(
        "ix_responses_consultation_status_groups",
        "responses",
        ["consultation_id", "status", "ward_slug", "age_band", "channel", "submitted_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_responses_consultation_status_groups", table_name="responses")
    op.drop_index("ix_responses_consultation_status_submitted", table_name="responses")
    op.drop_index("ix_answers_question_value", table_name="answers")
