"""Follow-up of the risk cases on the operational database: assigning a case to a person,
recording the verdict (confirmed / false alarm) with the amount recovered and its date, and
reading a case's state and history back.

Every action is a ``RiskCaseEvent`` row (history, never updated), keyed by the ``risk_cases``
mart's ``case_id`` — the kind and the evidence's keys, the same in every recomputation — so
a case recomputed after a new import keeps what was done about it, as the potential lists
keep their contact history.  Each action is audited with the work it records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from baophu.engine.risk import case_label
from baophu.operational.db import OperationalDB
from baophu.operational.models import RISK_VERDICTS, RiskCaseEvent

NOTE_MAX = 1000


class RiskCaseError(Exception):
    """An action on a case cannot be recorded (message "vi / en")."""


def _case_fields(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_id": str(case["case_id"]),
        "kind": str(case["kind"]),
        "office_code": case.get("office_code"),
    }


def assign_case(
    db: OperationalDB, case: dict[str, Any], assignee: str, by: str, role: str | None = None
) -> None:
    """Assign ``case`` (a ``risk_cases`` row: ``case_id``, ``kind``, ``office_code``) to the
    user ``assignee``."""
    assignee = assignee.strip()
    if not assignee or len(assignee) > 64:
        raise RiskCaseError(
            "Cần tên đăng nhập của người được giao (tối đa 64 ký tự) / an assignee's user name "
            "is needed (at most 64 characters)"
        )
    with db.session() as s:
        s.add(
            RiskCaseEvent(**_case_fields(case), event="assign", assignee=assignee, recorded_by=by)
        )
        db.audit(
            by,
            "assign",
            "risk_case",
            role=role,
            unit_code=case.get("office_code"),
            detail=f"{case_label(case['case_id'])} → {assignee}",
            session=s,
        )


def record_verdict(
    db: OperationalDB,
    case: dict[str, Any],
    verdict: str,
    by: str,
    *,
    amount_recovered: int | None = None,
    recovered_on: dt.date | None = None,
    note: str | None = None,
    role: str | None = None,
    today: dt.date | None = None,
) -> None:
    """The verdict on ``case``: ``confirmed`` or ``false_alarm``; for a confirmed case, the
    amount recovered so far (VND, not negative) and the date it was recovered (not in the
    future)."""
    if verdict not in RISK_VERDICTS:
        raise RiskCaseError(
            f"Kết luận phải là một trong: {', '.join(RISK_VERDICTS.values())} / verdict must be "
            f"one of {', '.join(RISK_VERDICTS)}"
        )
    if amount_recovered is not None and amount_recovered < 0:
        raise RiskCaseError("Số tiền thu hồi không được âm / the amount recovered is negative")
    if verdict == "false_alarm" and amount_recovered:
        raise RiskCaseError(
            "Vụ việc không vi phạm thì không có tiền thu hồi / a false alarm recovers nothing"
        )
    if recovered_on is not None and recovered_on > (today or dt.date.today()):
        raise RiskCaseError(
            "Ngày thu hồi không được sau hôm nay / the recovery date is in the future"
        )
    if amount_recovered and recovered_on is None:
        raise RiskCaseError("Cần ngày thu hồi khi có số tiền thu hồi / a recovery needs its date")
    if note is not None and len(note) > NOTE_MAX:
        raise RiskCaseError(f"Ghi chú quá {NOTE_MAX} ký tự / note longer than {NOTE_MAX}")
    with db.session() as s:
        s.add(
            RiskCaseEvent(
                **_case_fields(case),
                event="verdict",
                verdict=verdict,
                amount_recovered=amount_recovered,
                event_date=recovered_on,
                note=note or None,
                recorded_by=by,
            )
        )
        db.audit(
            by,
            "verdict",
            "risk_case",
            role=role,
            unit_code=case.get("office_code"),
            detail=f"{case_label(case['case_id'])}: {RISK_VERDICTS[verdict]}",
            session=s,
        )


def case_history(db: OperationalDB, case_id: str) -> list[dict[str, Any]]:
    """Every action on ``case_id``, oldest first."""
    with db.session() as s:
        rows = s.scalars(
            select(RiskCaseEvent)
            .where(RiskCaseEvent.case_id == case_id)
            .order_by(RiskCaseEvent.recorded_at, RiskCaseEvent.id)
        ).all()
        return [
            {
                "event": r.event,
                "assignee": r.assignee,
                "verdict": r.verdict,
                "verdict_vi": RISK_VERDICTS.get(r.verdict or "", ""),
                "amount_recovered": r.amount_recovered,
                "event_date": r.event_date,
                "note": r.note,
                "recorded_by": r.recorded_by,
                "recorded_at": r.recorded_at,
            }
            for r in rows
        ]


def case_states(db: OperationalDB, case_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per case: the latest assignee, and the latest verdict with its amount recovered and
    date (absent keys: nothing recorded)."""
    ids = sorted({str(c) for c in case_ids if c})
    out: dict[str, dict[str, Any]] = {}
    with db.session() as s:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = s.scalars(
                select(RiskCaseEvent)
                .where(RiskCaseEvent.case_id.in_(chunk))
                .order_by(RiskCaseEvent.recorded_at, RiskCaseEvent.id)
            ).all()
            for r in rows:
                state = out.setdefault(r.case_id, {})
                if r.event == "assign":
                    state["assignee"] = r.assignee
                else:
                    state["verdict"] = r.verdict
                    state["verdict_vi"] = RISK_VERDICTS.get(r.verdict or "", "")
                    state["amount_recovered"] = r.amount_recovered
                    state["recovered_on"] = r.event_date
    return out


def office_states(db: OperationalDB, office_code: str | None = None) -> dict[str, dict[str, Any]]:
    """``case_states`` of every case with an action (of one office when given)."""
    with db.session() as s:
        q = select(RiskCaseEvent.case_id).distinct()
        if office_code is not None:
            q = q.where(RiskCaseEvent.office_code == office_code)
        ids = list(s.scalars(q).all())
    return case_states(db, ids)
