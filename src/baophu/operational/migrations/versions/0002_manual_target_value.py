"""manual targets hold the contract's target value (a rate or people) and its base

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:00:00

``target`` (whole people) could not hold a rate target (0.96); it becomes ``target_value``
(float, as in the ``targets`` contract) with the optional official ``denominator``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("manual_targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("denominator", sa.BigInteger(), nullable=True))
    op.execute("UPDATE manual_targets SET target_value = target")
    with op.batch_alter_table("manual_targets", schema=None) as batch_op:
        batch_op.alter_column("target_value", existing_type=sa.Float(), nullable=False)
        batch_op.drop_column("target")


def downgrade() -> None:
    with op.batch_alter_table("manual_targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.BigInteger(), nullable=True))
    op.execute("UPDATE manual_targets SET target = CAST(target_value AS BIGINT)")
    with op.batch_alter_table("manual_targets", schema=None) as batch_op:
        batch_op.alter_column("target", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column("denominator")
        batch_op.drop_column("target_value")
