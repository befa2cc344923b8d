"""The operational database on SQLite and PostgreSQL: migrations build exactly the models'
schema, sessions are all-or-nothing, the audit log records events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from baophu.operational import (
    AuditEvent,
    FieldOutcome,
    ManualTarget,
    OutcomeImport,
    User,
    open_operational,
    resolve_url,
)
from baophu.operational.db import OperationalDB, OperationalError, current_revision
from baophu.workspace import Workspace, init_workspace

EXPECTED_TABLES = {
    "alembic_version",
    "audit_events",
    "claim_reviews",
    "field_outcomes",
    "login_throttle",
    "manual_targets",
    "outcome_imports",
    "risk_case_events",
    "users",
}


def test_migrations_create_the_models_schema(operational_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from baophu.operational import Base

    db = OperationalDB.connect(operational_url)
    try:
        assert set(db.tables()) == EXPECTED_TABLES
        assert current_revision(db.engine) == "0006"
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        # opening again is a no-op (already at head)
        OperationalDB.connect(operational_url).dispose()
    finally:
        db.dispose()


def test_session_commits_or_rolls_back_everything(operational_url: str) -> None:
    db = OperationalDB.connect(operational_url)
    try:
        with db.session() as s:
            s.add(
                User(username="an", full_name="Nguyễn Văn An", password_hash="x", role="collector")
            )
        with pytest.raises(RuntimeError), db.session() as s:
            imp = OutcomeImport(file_name="a.xlsx", file_sha256="0" * 64, rows=1, imported_by="an")
            s.add(imp)
            s.flush()
            s.add(
                FieldOutcome(
                    person_key=75085000001,
                    person_id="075085000001",
                    outcome="promised",
                    outcome_date=dt.date(2026, 11, 20),
                    source="excel",
                    import_id=imp.id,
                    recorded_by="an",
                )
            )
            s.flush()
            raise RuntimeError("crash mid-import")
        with db.session() as s:
            assert s.scalar(select(User.full_name)) == "Nguyễn Văn An"
            assert s.scalars(select(OutcomeImport)).all() == []
            assert s.scalars(select(FieldOutcome)).all() == []
    finally:
        db.dispose()


def test_unique_manual_target_per_unit_indicator_year(operational_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    db = OperationalDB.connect(operational_url)
    try:
        row = {"year": 2026, "unit_code": "26734", "indicator": "bhyt_insured", "set_by": "a"}
        with db.session() as s:
            s.add(ManualTarget(target_value=1000, **row))
        with pytest.raises(IntegrityError), db.session() as s:
            s.add(ManualTarget(target_value=1200, **row))
        with db.session() as s:
            assert s.scalar(select(ManualTarget.target_value)) == 1000
    finally:
        db.dispose()


def test_audit_event_written(operational_url: str) -> None:
    db = OperationalDB.connect(operational_url)
    try:
        db.audit(
            "chi", "export", "potential_list", role="commune_official", unit_code="26734", rows=17
        )
        with db.session() as s:
            ev = s.scalars(select(AuditEvent)).one()
        assert (ev.username, ev.action, ev.object, ev.rows) == (
            "chi",
            "export",
            "potential_list",
            17,
        )
        assert abs((dt.datetime.now(dt.UTC).replace(tzinfo=None) - ev.at).total_seconds()) < 60
    finally:
        db.dispose()


def test_add_recorded_flushes_the_row_and_audits_it_in_one_transaction(
    operational_url: str,
) -> None:
    db = OperationalDB.connect(operational_url)
    try:
        with db.session() as s:
            imp = OutcomeImport(file_name="a.xlsx", file_sha256="0" * 64, rows=1, imported_by="an")
            db.add_recorded(
                s, imp, "an", "outcome_import", role="collector", unit_code="26734", detail="a.xlsx"
            )
            assert imp.id is not None  # flushed: the id is known inside the block
        with pytest.raises(RuntimeError), db.session() as s:
            imp = OutcomeImport(file_name="b.xlsx", file_sha256="1" * 64, rows=1, imported_by="an")
            db.add_recorded(s, imp, "an", "outcome_import", role=None, unit_code=None, detail="b")
            raise RuntimeError("crash")
        with db.session() as s:
            assert s.scalars(select(OutcomeImport.file_name)).all() == ["a.xlsx"]
            ev = s.scalars(select(AuditEvent)).one()
        assert (ev.username, ev.role, ev.action, ev.object, ev.unit_code, ev.rows, ev.detail) == (
            "an",
            "collector",
            "record",
            "outcome_import",
            "26734",
            1,
            "a.xlsx",
        )
    finally:
        db.dispose()


def test_workspace_sqlite_file_lives_in_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    init_workspace(root)
    ws = Workspace.open(root)
    db = open_operational(ws)
    try:
        assert (root / "operational.sqlite").exists()
        assert resolve_url("sqlite:///operational.sqlite", root).database == str(
            (root / "operational.sqlite").resolve()
        )
    finally:
        db.dispose()


def test_postgres_url_gets_the_psycopg_driver(tmp_path: Path) -> None:
    url = resolve_url("postgresql://u@db.example/baophu", tmp_path)
    assert url.drivername == "postgresql+psycopg"


def test_unreachable_database_is_a_bilingual_error() -> None:
    with pytest.raises(OperationalError) as err:
        OperationalDB.connect("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    msg = str(err.value)
    assert "Không mở được cơ sở dữ liệu nghiệp vụ" in msg and "cannot open" in msg
    assert "secret" not in msg


def test_claim_reviews_latest_per_claim(operational_url: str) -> None:
    """An appraisal reviewer's outcomes: the latest per claim is what the claims step takes;
    refused and recovered need an amount; each is audited."""
    import pytest

    from baophu.operational.claim_reviews import (
        ClaimReviewError,
        claim_reviews_table,
        record_claim_review,
    )

    db = OperationalDB.connect(operational_url)
    try:
        record_claim_review(db, "75001", "A", "refused", "minh.gd", amount=160000)
        record_claim_review(db, "75001", "A", "recovered", "minh.gd", amount=50000)
        record_claim_review(db, "75001", "B", "accepted", "minh.gd", amount=999)
        with pytest.raises(ClaimReviewError):
            record_claim_review(db, "75001", "C", "refused", "minh.gd")
        rows = sorted(claim_reviews_table(db).to_pylist(), key=lambda r: r["claim_code"])
        assert rows == [
            {"facility_code": "75001", "claim_code": "A", "outcome": "recovered", "amount": 50000},
            {"facility_code": "75001", "claim_code": "B", "outcome": "accepted", "amount": 0.0},
        ]
        with db.engine.connect() as conn:
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM audit_events WHERE object = 'claim_review'"
            ).scalar()
        assert n == 3
    finally:
        db.dispose()
