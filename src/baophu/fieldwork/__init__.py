"""Field work around the potential lists (see ``returned_sheets``)."""

from baophu.fieldwork.returned_sheets import (
    FieldworkError,
    achievement,
    audit_export,
    import_outcomes,
    latest_outcomes,
    operational,
    outcome_map,
    user_name,
)

__all__ = [
    "FieldworkError",
    "achievement",
    "audit_export",
    "import_outcomes",
    "latest_outcomes",
    "operational",
    "outcome_map",
    "user_name",
]
