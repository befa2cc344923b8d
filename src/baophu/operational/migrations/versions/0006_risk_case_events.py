"""risk cases' history: assignments and verdicts with the amount recovered

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 11:00:00

``risk_case_events``: one row per thing done about a case of the ``risk_cases`` mart (an
assignment, a verdict with the amount recovered and its date), keyed by the mart's stable
``case_id`` so the history outlives every recomputation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("office_code", sa.String(length=64), nullable=True),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("amount_recovered", sa.BigInteger(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk_case_events", schema=None) as batch_op:
        batch_op.create_index("ix_risk_case_events_case", ["case_id"], unique=False)
        batch_op.create_index("ix_risk_case_events_office", ["office_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_case_events_office")
        batch_op.drop_index("ix_risk_case_events_case")
    op.drop_table("risk_case_events")
