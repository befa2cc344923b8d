"""logout ends sessions (a session generation per user); login throttling per name and address

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 08:00:00

``users.session_generation``: a session holds the generation it was opened in; logging out
moves it on, so a saved cookie stops working.  ``login_throttle``: failed logins per user name
(known or unknown alike) and client address, with the time the next attempt is allowed (a
delay that doubles, instead of locking the account for everyone).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", "address"),
    )
    # the old per-account locks end here (the new throttle never locks an account)
    op.execute("UPDATE users SET locked_until = NULL, failed_logins = 0")


def downgrade() -> None:
    op.drop_table("login_throttle")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
