"""appraisal reviewers' outcomes on flagged BHYT claims

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_code", sa.String(length=16), nullable=False),
        sa.Column("claim_code", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("outcome_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claim_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_claim_reviews_claim", ["facility_code", "claim_code"])


def downgrade() -> None:
    with op.batch_alter_table("claim_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_reviews_claim")
    op.drop_table("claim_reviews")
