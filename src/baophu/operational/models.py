"""The operational tables (SQLAlchemy 2 declarative models).

Changing a model means adding an Alembic revision in ``migrations/versions`` — a test
compares the models with the migrated schema, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from baophu.contracts.vocabularies import OUTCOME_VI

# Roles and what their scope is (``User.scope_code`` holds a code of that kind).
ROLES: dict[str, str] = {
    "province_admin": "province",  # the whole province; manages users, sees the audit log
    "province_analyst": "province",  # the whole province, read and analyse
    "office_staff": "office",  # their grassroots office (unit_code of level office)
    "commune_official": "commune",  # their commune (unit_code of level commune)
    "collector": "collector",  # their hamlets and people (collector_code)
    "case_officer": "officer",  # their employers (officer_code)
    # their facilities' BHYT claims (MA_CSKCB; several joined by ";")
    "appraisal_reviewer": "facility",
    # the nation's figures: every province's aggregates in a national workspace, no named
    # person and nothing of a province's units (``baophu nation build``)
    "national_analyst": "nation",
}
# Scope kinds that need no scope code: the whole province, the whole nation.
UNSCOPED_KINDS = frozenset({"province", "nation"})

# Field outcomes a collector reports for a person on their list (code → Vietnamese label):
# the one vocabulary of contracts/vocabularies.py, the labels the work sheets use too.
OUTCOMES: dict[str, str] = dict(OUTCOME_VI)


# What an appraisal reviewer decides on a flagged BHYT claim (code → Vietnamese label):
# accepted (the claim stands), refused (the fund does not pay ``amount``), recovered (the
# fund paid and recovers ``amount``).  Refused and recovered amounts reduce the spending.
CLAIM_REVIEW_OUTCOMES: dict[str, str] = {
    "accepted": "Chấp nhận thanh toán",
    "refused": "Từ chối thanh toán",
    "recovered": "Thu hồi",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A person who logs in: role + scope decide what they may see."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    scope_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # unused since revision 0004 (login throttling is per user name and address in
    # ``login_throttle``); kept so that older databases migrate without loss
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Sessions carry the generation they were opened in; logging out moves it on, which
    # ends every session opened before (a saved cookie no longer works).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginThrottle(Base):
    """Failed logins per user name (known or not, so the answer never says which) and client
    address: after ``auth.FREE_FAILURES`` failures each further attempt from that address for
    that name waits twice as long as the last (up to 15 minutes).  Nobody can lock a user out
    from another address, and a correct password after the wait always gets in."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ManualTarget(Base):
    """A target set by hand for one unit, indicator and year (wins over an imported one).

    ``target_value`` is what the ``targets`` contract holds: a rate as a fraction (0.96) for
    a rate indicator, a number of people (1,115,590) otherwise; ``denominator`` the official
    base the rate is taken of (optional); ``note`` the source (căn cứ) of the target.
    """

    __tablename__ = "manual_targets"
    __table_args__ = (UniqueConstraint("year", "unit_code", "indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(64))
    indicator: Mapped[str] = mapped_column(String(64))
    target_value: Mapped[float] = mapped_column(Float)
    denominator: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OutcomeImport(Base):
    """One returned workbook of field outcomes, imported all-or-nothing."""

    __tablename__ = "outcome_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))


class FieldOutcome(Base):
    """What happened when a collector approached a person (history: never deleted)."""

    __tablename__ = "field_outcomes"
    __table_args__ = (
        Index("ix_field_outcomes_person", "person_key"),
        Index("ix_field_outcomes_collector", "collector_code"),
        Index("ix_field_outcomes_row_key", "row_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_key: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[str] = mapped_column(String(12))
    # The potential list's ``row_key`` of the person (their 12-digit personal ID), so the
    # lists and the web find a person's outcomes by the key the lists use.
    row_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hamlet_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    collector_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reasons: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    outcome_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(8))  # "excel" | "web"
    import_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_imports.id"), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ClaimReview(Base):
    """An appraisal reviewer's outcome on a flagged claim (history: never updated; the latest
    per claim counts)."""

    __tablename__ = "claim_reviews"
    __table_args__ = (Index("ix_claim_reviews_claim", "facility_code", "claim_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(16))
    claim_code: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    outcome_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Who saw or exported what, when, and how many rows (viewable by administrators)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(32))  # view | export | login | import | ...
    object: Mapped[str] = mapped_column(String(200))  # e.g. "potential_list", a file name
    unit_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


# Verdicts on a risk case (code → Vietnamese label).
RISK_VERDICTS: dict[str, str] = {"confirmed": "Đúng vi phạm", "false_alarm": "Không vi phạm"}


class RiskCaseEvent(Base):
    """What was done about a risk case of the ``risk_cases`` mart (history, never updated):
    an assignment to a user, or a verdict with the amount recovered and its date.  Keyed by
    the mart's ``case_id``, which stays the same across re-runs, so a case keeps its history
    when the marts are recomputed."""

    __tablename__ = "risk_case_events"
    __table_args__ = (
        Index("ix_risk_case_events_case", "case_id"),
        Index("ix_risk_case_events_office", "office_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    office_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    event: Mapped[str] = mapped_column(String(16))  # assign | verdict
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount_recovered: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    event_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
