"""Appraisal reviewers' outcomes on flagged BHYT claims: recording one (audited) and the
latest per claim, as the claims step takes them (``claim_reviews_table``: refused and
recovered amounts reduce the spending figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select

from baophu.operational.db import OperationalDB
from baophu.operational.models import CLAIM_REVIEW_OUTCOMES, ClaimReview


class ClaimReviewError(Exception):
    """A review outcome cannot be recorded (message in Vietnamese and English)."""


def record_claim_review(
    db: OperationalDB,
    facility_code: str,
    claim_code: str,
    outcome: str,
    recorded_by: str,
    *,
    amount: int | None = None,
    on: dt.date | None = None,
    note: str | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """Record ``outcome`` for claim (``facility_code``, ``claim_code``) and its audit event in
    one transaction.  Refused and recovered outcomes need the amount (VND, > 0)."""
    if outcome not in CLAIM_REVIEW_OUTCOMES:
        raise ClaimReviewError(
            f"Kết quả không hợp lệ: {outcome} (chọn: {', '.join(CLAIM_REVIEW_OUTCOMES)}) / "
            f"invalid outcome: {outcome}"
        )
    if outcome == "accepted":
        amount = None
    elif amount is None or amount <= 0:
        raise ClaimReviewError(
            "Cần số tiền từ chối hoặc thu hồi (lớn hơn 0) / the refused or recovered amount "
            "is required (greater than 0)"
        )
    day = on or dt.date.today()
    with db.session() as s:
        row = ClaimReview(
            facility_code=facility_code,
            claim_code=claim_code,
            outcome=outcome,
            amount=amount,
            outcome_date=day,
            note=note,
            recorded_by=recorded_by,
        )
        db.add_recorded(
            s,
            row,
            recorded_by,
            "claim_review",
            role=role,
            unit_code=facility_code,
            detail=f"hồ sơ {facility_code}/{claim_code}: {CLAIM_REVIEW_OUTCOMES[outcome]}",
        )
        return {"id": row.id, "outcome": outcome, "amount": amount, "outcome_date": day}


def claim_reviews_table(db: OperationalDB) -> pa.Table:
    """The latest outcome per claim: ``facility_code, claim_code, outcome, amount`` (the
    claims step's ``OUTCOME_SCHEMA``)."""
    with db.session() as s:
        last = (
            select(func.max(ClaimReview.id).label("id"))
            .group_by(ClaimReview.facility_code, ClaimReview.claim_code)
            .subquery()
        )
        rows = s.execute(
            select(
                ClaimReview.facility_code,
                ClaimReview.claim_code,
                ClaimReview.outcome,
                ClaimReview.amount,
            ).join(last, last.c.id == ClaimReview.id)
        ).all()
    return pa.table(
        {
            "facility_code": pa.array([r[0] for r in rows], pa.string()),
            "claim_code": pa.array([r[1] for r in rows], pa.string()),
            "outcome": pa.array([r[2] for r in rows], pa.string()),
            "amount": pa.array([float(r[3]) if r[3] is not None else 0.0 for r in rows],
                               pa.float64()),
        }
    )  # fmt: skip


def latest_reviews(
    db: OperationalDB, facility_codes: list[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest outcome per claim of ``facility_codes``: (facility, claim) → outcome,
    amount, date, by whom."""
    if not facility_codes:
        return {}
    with db.session() as s:
        last = (
            select(func.max(ClaimReview.id).label("id"))
            .where(ClaimReview.facility_code.in_(facility_codes))
            .group_by(ClaimReview.facility_code, ClaimReview.claim_code)
            .subquery()
        )
        rows = s.scalars(select(ClaimReview).join(last, last.c.id == ClaimReview.id)).all()
        return {
            (r.facility_code, r.claim_code): {
                "outcome": r.outcome,
                "outcome_vi": CLAIM_REVIEW_OUTCOMES[r.outcome],
                "amount": r.amount,
                "outcome_date": r.outcome_date,
                "recorded_by": r.recorded_by,
            }
            for r in rows
        }
