"""Field work around the potential lists, on the operational database — one service for
the command line and the web:

* ``history`` — who runs a command, the operational database of a workspace, each person's
  last outcome (``latest_outcomes``: what the lists and the work sheets show), the audit row
  of an export (``audit_export``);
* ``returned_sheets`` — a returned work sheet imported all-or-nothing (``import_outcomes``;
  the file itself is read by ``ingest.work_sheets``);
* ``collectors`` — collectors' achievement and commission (``achievement`` for all or one,
  ``collector_achievement`` for a collector's page), one definition for both faces.

Recording one outcome on the web is ``operational.outcomes.record_outcome``.
"""

from baophu.fieldwork.collectors import (
    Commission,
    achievement,
    collector_achievement,
    commission_in_force,
    today,
)
from baophu.fieldwork.history import (
    FieldworkError,
    audit_export,
    latest_outcomes,
    operational,
    outcome_map,
    user_name,
)
from baophu.fieldwork.returned_sheets import import_outcomes

__all__ = [
    "Commission",
    "FieldworkError",
    "achievement",
    "audit_export",
    "collector_achievement",
    "commission_in_force",
    "import_outcomes",
    "latest_outcomes",
    "operational",
    "outcome_map",
    "today",
    "user_name",
]
