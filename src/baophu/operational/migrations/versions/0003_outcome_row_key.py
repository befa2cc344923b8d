"""field outcomes keyed by the potential list's row_key too

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00

The potential lists identify a person by ``row_key`` (the 12-digit personal ID); outcomes
recorded on the web carry it, and the rows recorded before get it from their ``person_id``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("field_outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_field_outcomes_row_key", ["row_key"], unique=False)
    op.execute("UPDATE field_outcomes SET row_key = person_id WHERE row_key IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("field_outcomes", schema=None) as batch_op:
        batch_op.drop_index("ix_field_outcomes_row_key")
        batch_op.drop_column("row_key")
