"""The history of field work the other fieldwork services and the lists share: who runs a
command (for the audit log), the operational database of a workspace, each person's last
outcome, and the audit row of an export of a named list.

* ``latest_outcomes(db)`` — per person (``row_key``: the 12-digit personal ID) the last field
  outcome recorded, its date and how many contacts there were; what ``run_lists`` shows on
  the list and what the work sheets show as the last contact.  Outcomes are history: nothing
  here updates or deletes one.
* ``audit_export`` — every export of a named list is an ``AuditEvent`` (who, what, when, how
  many rows).
"""

from __future__ import annotations

import getpass
from typing import Any

import pyarrow as pa

from baophu.operational.db import OperationalDB, open_operational
from baophu.operational.outcomes import last_outcomes_table

OUTCOME_TABLE = pa.schema(
    [
        ("row_key", pa.string()),
        ("last_outcome", pa.string()),
        ("last_outcome_date", pa.date32()),
        ("contacts", pa.int64()),
    ]
)


class FieldworkError(Exception):
    """Field work cannot go on (message in Vietnamese and English)."""


def user_name() -> str:
    """Who runs a command line (for the audit log and ``recorded_by``)."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def operational(workspace: Any) -> OperationalDB:
    """The workspace's operational database (the caller disposes of it)."""
    return open_operational(workspace)


def latest_outcomes(db: OperationalDB) -> pa.Table:
    """The last outcome of every person with one (``OUTCOME_TABLE``): the operational
    database's own definition (``operational.outcomes.last_outcomes_table``: the last one
    recorded), so the lists, the work sheets and the web agree."""
    return last_outcomes_table(db).select(OUTCOME_TABLE.names).cast(OUTCOME_TABLE)


def outcome_map(table: pa.Table) -> dict[str, dict[str, Any]]:
    """``latest_outcomes`` as row_key → {last_outcome, last_outcome_date, contacts}."""
    return {r["row_key"]: r for r in table.to_pylist()}


def audit_export(
    db: OperationalDB,
    what: str,
    *,
    unit_code: str | None,
    rows: int,
    detail: str,
    username: str | None = None,
) -> None:
    """The audit row of an export of a named list."""
    db.audit(
        username or user_name(),
        "export",
        what,
        unit_code=unit_code,
        rows=rows,
        detail=detail,
    )
