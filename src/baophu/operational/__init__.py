"""The operational database: what people do, as opposed to what was imported.

Users with their role and scope, targets set by hand, field outcomes (from returned workbooks
or entered on the web), reviewers' outcomes on flagged BHYT claims, outcome imports and the
audit log — through SQLAlchemy 2, SQLite by default (a file in the workspace), PostgreSQL when
``database_url`` in ``baophu.toml`` says so. The schema is owned by Alembic migrations in
``migrations/``; ``open_operational`` brings the database up to the newest revision before
handing it out.
"""

from baophu.operational.db import OperationalDB, open_operational, resolve_url
from baophu.operational.models import (
    CLAIM_REVIEW_OUTCOMES,
    OUTCOMES,
    ROLES,
    UNSCOPED_KINDS,
    AuditEvent,
    Base,
    ClaimReview,
    FieldOutcome,
    LoginThrottle,
    ManualTarget,
    OutcomeImport,
    RiskCaseEvent,
    User,
)

__all__ = [
    "CLAIM_REVIEW_OUTCOMES",
    "OUTCOMES",
    "ROLES",
    "UNSCOPED_KINDS",
    "AuditEvent",
    "Base",
    "ClaimReview",
    "FieldOutcome",
    "LoginThrottle",
    "ManualTarget",
    "OperationalDB",
    "OutcomeImport",
    "RiskCaseEvent",
    "User",
    "open_operational",
    "resolve_url",
]
