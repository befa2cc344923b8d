"""Risk cases' follow-up on the operational database (SQLite and PostgreSQL): assignment,
verdict with the amount recovered and its date, history kept by case id, audit, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from baophu.operational import AuditEvent
from baophu.operational.db import OperationalDB
from baophu.operational.risk_cases import (
    RiskCaseError,
    assign_case,
    case_history,
    case_states,
    office_states,
    record_verdict,
)

CASE = {"case_id": "deceased_enrolled:E07", "kind": "deceased_enrolled", "office_code": "75BH01"}
OTHER = {"case_id": "late_remittance:T2", "kind": "late_remittance", "office_code": "75BH02"}
TODAY = dt.date(2026, 11, 15)


def test_assign_verdict_history_and_audit(operational_url: str) -> None:
    db = OperationalDB.connect(operational_url)
    try:
        assign_case(db, CASE, "lan.nt", "admin", role="province_admin")
        assign_case(db, CASE, "hoa.pt", "admin", role="province_admin")
        record_verdict(
            db,
            CASE,
            "confirmed",
            "hoa.pt",
            amount_recovered=526_500,
            recovered_on=dt.date(2026, 11, 10),
            role="office_staff",
            today=TODAY,
        )
        record_verdict(db, OTHER, "false_alarm", "admin", today=TODAY)
        states = case_states(db, [CASE["case_id"], OTHER["case_id"], "nothing:X"])
        assert states[CASE["case_id"]] == {
            "assignee": "hoa.pt",
            "verdict": "confirmed",
            "verdict_vi": "Đúng vi phạm",
            "amount_recovered": 526_500,
            "recovered_on": dt.date(2026, 11, 10),
        }
        assert states[OTHER["case_id"]]["verdict"] == "false_alarm"
        assert "nothing:X" not in states
        assert set(office_states(db, "75BH01")) == {CASE["case_id"]}
        history = case_history(db, CASE["case_id"])
        assert [h["event"] for h in history] == ["assign", "assign", "verdict"]
        assert [h["assignee"] for h in history[:2]] == ["lan.nt", "hoa.pt"]
        with db.session() as s:
            events = s.scalars(select(AuditEvent).where(AuditEvent.object == "risk_case")).all()
            assert sorted(e.action for e in events) == ["assign", "assign", "verdict", "verdict"]
    finally:
        db.dispose()


def test_refusals(operational_url: str) -> None:
    db = OperationalDB.connect(operational_url)
    try:
        for kwargs in (
            {"verdict": "maybe"},
            {"verdict": "confirmed", "amount_recovered": -1},
            {"verdict": "false_alarm", "amount_recovered": 100, "recovered_on": TODAY},
            {"verdict": "confirmed", "amount_recovered": 100},
            {"verdict": "confirmed", "amount_recovered": 1, "recovered_on": dt.date(2026, 12, 1)},
        ):
            verdict = str(kwargs.pop("verdict"))
            with pytest.raises(RiskCaseError, match=" / "):
                record_verdict(db, CASE, verdict, "admin", today=TODAY, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(RiskCaseError):
            assign_case(db, CASE, "  ", "admin")
        assert case_states(db, [CASE["case_id"]]) == {}
    finally:
        db.dispose()
