"""Alembic environment: runs on the connection ``db.upgrade`` passes in."""

from __future__ import annotations

from alembic import context

from baophu.operational.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through db.upgrade
    raise RuntimeError("run migrations through baophu.operational.db.upgrade")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
