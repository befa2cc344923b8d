"""Field outcomes on the operational database: recording one and the latest per person.

An outcome is a ``FieldOutcome`` row (history, never updated): who was approached, what
happened, when, by whom, keyed by the potential list's ``row_key`` (the 12-digit personal ID,
or ``source:record`` for an unidentified list row).  A collector records one per person from
their list in two clicks on the web; returned workbooks add them in bulk.
``last_outcomes_table`` gives the engine what the lists show (the last outcome per row_key).
A collector's achievement and commission are ``fieldwork.achievement``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import and_, func, or_, select

from baophu.operational import OUTCOMES, FieldOutcome
from baophu.operational.db import OperationalDB
from baophu.vn.masking import mask_value


class OutcomeError(Exception):
    """An outcome cannot be recorded (message in Vietnamese)."""


def latest_outcomes(db: OperationalDB, row_keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The latest outcome recorded for each of ``row_keys`` (an outcome recorded without a
    row key — an older row, a returned work sheet — counts by its personal ID)."""
    keys = sorted({str(k) for k in row_keys if k})
    if not keys:
        return {}
    out: dict[str, dict[str, Any]] = {}
    key = func.coalesce(FieldOutcome.row_key, FieldOutcome.person_id)
    with db.session() as s:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = s.execute(
                select(
                    key.label("k"),
                    FieldOutcome.outcome,
                    FieldOutcome.outcome_date,
                    FieldOutcome.recorded_by,
                    FieldOutcome.recorded_at,
                )
                .where(
                    or_(
                        FieldOutcome.row_key.in_(chunk),
                        and_(FieldOutcome.row_key.is_(None), FieldOutcome.person_id.in_(chunk)),
                    )
                )
                .order_by(FieldOutcome.outcome_date, FieldOutcome.id)
            ).all()
            for r in rows:
                out[str(r.k)] = {
                    "outcome": r.outcome,
                    "outcome_date": r.outcome_date,
                    "recorded_by": r.recorded_by,
                    "recorded_at": r.recorded_at,
                }
    return out


def last_outcomes_table(db: OperationalDB) -> pa.Table:
    """Per ``row_key``: the last outcome, its date and how many outcomes were recorded
    (columns ``row_key``, ``last_outcome``, ``last_outcome_date``, ``contacts``) — what the
    potential lists join to show each person's status."""
    key = func.coalesce(FieldOutcome.row_key, FieldOutcome.person_id)
    with db.session() as s:
        last_id = (
            select(
                key.label("row_key"),
                func.max(FieldOutcome.id).label("last_id"),
                func.count().label("contacts"),
            )
            .group_by(key)
            .subquery()
        )
        rows = s.execute(
            select(
                last_id.c.row_key,
                FieldOutcome.outcome,
                FieldOutcome.outcome_date,
                last_id.c.contacts,
            ).join(FieldOutcome, FieldOutcome.id == last_id.c.last_id)
        ).all()
    return pa.table(
        {
            "row_key": pa.array([r[0] for r in rows], pa.string()),
            "last_outcome": pa.array([r[1] for r in rows], pa.string()),
            "last_outcome_date": pa.array([r[2] for r in rows], pa.date32()),
            "contacts": pa.array([int(r[3]) for r in rows], pa.int64()),
        }
    )


def row_key_of(person: dict[str, Any]) -> str | None:
    """The list's row key of a person row (computed as the lists compute it when absent)."""
    if person.get("row_key"):
        return str(person["row_key"])
    if person.get("person_key") is not None:
        return str(int(person["person_key"])).rjust(12, "0")
    return None


def record_outcome(
    db: OperationalDB,
    person: dict[str, Any],
    outcome: str,
    recorded_by: str,
    *,
    collector_code: str | None,
    on: dt.date | None = None,
    note: str | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """Record one outcome for a person of a potential list (``person``: its mart row) and
    write the audit event in the same transaction (with ``role``, the recorder's; the
    detail names the outcome and the person's masked ID, never the ID)."""
    if outcome not in OUTCOMES:
        raise OutcomeError(f"Kết quả không hợp lệ: {outcome}")
    day = on or dt.date.today()
    reasons = person.get("reasons", person.get("reason"))
    amount = None
    for key in ("amount", "amount_due", "expected_amount", "monthly_amount", "annual_amount"):
        if person.get(key) is not None:
            amount = int(person[key])
            break
    row_key = row_key_of(person)
    if row_key is None or person.get("person_key") is None:
        # rows not identified as residents are the communes' (to verify), not a collector's
        raise OutcomeError("Người này chưa được xác định trong dữ liệu dân cư")
    with db.session() as s:
        row = FieldOutcome(
            row_key=row_key,
            person_key=int(person["person_key"]),
            person_id=str(person.get("person_id") or row_key)[:12],
            hamlet_code=person.get("hamlet_code"),
            collector_code=collector_code or person.get("collector_code"),
            reasons=None if reasons is None else str(reasons)[:200],
            outcome=outcome,
            outcome_date=day,
            amount=amount,
            note=note,
            source="web",
            recorded_by=recorded_by,
        )
        db.add_recorded(
            s,
            row,
            recorded_by,
            "field_outcome",
            role=role,
            unit_code=person.get("hamlet_code"),
            detail=f"kết quả: {OUTCOMES[outcome]}; người: {mask_value(row_key)}",
        )
        return {
            "id": row.id,
            "row_key": row_key,
            "outcome": outcome,
            "outcome_date": day,
            "amount": amount,
        }
