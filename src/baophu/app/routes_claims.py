"""The "Chi KCB BHYT" section: the province's spending against its estimate with the
projection (ECharts), facilities against their expected spending and their peers, and the
review list of flagged claims with the reviewer's outcome in two clicks (HTMX).

Who sees it: the province roles (every facility) and appraisal reviewers (their own
facilities, per row: ``scope.facility_condition``).  Personal IDs and card numbers are masked
for every role; every view of named claims is audited.  Outcomes are recorded by an appraisal
reviewer for their facilities, or by the province administrator.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import Response

from baophu.app import params
from baophu.app.auth import Forbidden
from baophu.app.scope import facility_condition, require
from baophu.app.web import Page, current
from baophu.engine.claims import FLAG_TITLES_VI, INDICATOR_VI, SIGNALS_VI
from baophu.operational import CLAIM_REVIEW_OUTCOMES
from baophu.operational.claim_reviews import (
    ClaimReviewError,
    latest_reviews,
    record_claim_review,
)
from baophu.vn import formats
from baophu.vn.masking import mask_value

router = APIRouter()
REVIEWERS = frozenset({"appraisal_reviewer", "province_admin"})
LIST_SIZE = 30
RATE_INDICATORS = {"inpatient_rate"}
BILLION = 1_000_000_000


def _check(page: Page) -> None:
    if not page.scope.sees_claims:
        raise Forbidden("Vai trò của bạn không xem chi khám chữa bệnh BHYT.")


def _ready(page: Page) -> bool:
    return page.snap.has("claims_review_list") and page.snap.has("claims_estimate_summary")


def _curve(page: Page) -> tuple[dict[str, Any] | None, str]:
    summary = page.snap.one("SELECT * FROM mart_claims_estimate_summary")
    months = page.snap.rows("SELECT * FROM mart_claims_estimate ORDER BY month")

    def b(v: Any) -> float | None:
        return None if v is None else round(float(v) / BILLION, 2)

    chart = {
        "dates": [f"{m['month']:02d}/{m['year']}" for m in months],
        "series": [
            {"name": "Chi lũy kế", "data": [b(m["spent_cum"]) for m in months]},
            {"name": "Dự báo", "data": [b(m["projected_cum"]) for m in months]},
            {"name": "Cận dưới", "data": [None if m["actual"] else b(m["projected_low"])
                                         for m in months]},
            {"name": "Cận trên", "data": [None if m["actual"] else b(m["projected_high"])
                                         for m in months]},
            {"name": "Dự toán năm", "data": [b(m["estimate"]) for m in months]},
            {"name": "Dự toán theo tiến độ", "data": [b(m["prorated_estimate"]) for m in months]},
        ],
    }  # fmt: skip
    return summary, json.dumps(chart, ensure_ascii=False)


def _names(page: Page) -> dict[str, dict[str, Any]]:
    if not page.snap.has_table("facilities"):
        return {}
    rows = page.snap.rows("SELECT facility_code, facility_name, level FROM facilities")
    return {r["facility_code"]: r for r in rows}


def _review_rows(page: Page, facility: str | None, limit: int) -> list[dict[str, Any]]:
    cond, args = facility_condition(page.scope)
    order = "rank_province"
    if facility is not None:
        cond, args, order = f"({cond}) AND facility_code = ?", [*args, facility], "rank_facility"
    rows = page.snap.rows(
        f"SELECT * FROM mart_claims_review_list WHERE {cond} ORDER BY {order} LIMIT ?",
        [*args, limit],
    )
    reviews = latest_reviews(page.ctx.db, sorted({r["facility_code"] for r in rows}))
    why = _explanations(page)
    return [
        _decorate(page, r, reviews.get((r["facility_code"], r["claim_code"])), why) for r in rows
    ]


def _explanations(page: Page) -> dict[str, str]:
    if not page.snap.has("claims_rules"):
        return {}
    rows = page.snap.rows("SELECT rule, explanation_vi, source_vi FROM mart_claims_rules")
    return {r["rule"]: f"{r['explanation_vi']} Căn cứ: {r['source_vi']}" for r in rows}


def _decorate(
    page: Page,
    r: dict[str, Any],
    review: dict[str, Any] | None,
    why: dict[str, str] | None = None,
) -> dict[str, Any]:
    why = _explanations(page) if why is None else why
    codes = (r["rules"] or "").split(";")
    return {
        "why": " | ".join(why.get(c, "") for c in codes if why.get(c)),
        **r,
        "person_id_shown": mask_value(r["person_id"]) if r["person_id"] else "",
        "card_shown": mask_value(r["card_number"]) if r["card_number"] else "",
        "rules_vi": "; ".join(FLAG_TITLES_VI.get(c, c) for c in (r["rules"] or "").split(";")),
        "review": review,
        "dom_id": f"claim-{r['facility_code']}-{r['claim_code']}",
        "can_record": page.viewer.role in REVIEWERS
        and (page.scope.facilities is None or r["facility_code"] in page.scope.facilities),
    }


@router.get("/claims")
def claims_home(page: Annotated[Page, Depends(current)], facility: str | None = None) -> Response:
    """The section's home: the province's curve (province roles), facilities, scores and the
    review list — of every facility in scope, or of ``facility``."""
    _check(page)
    facility = params.code(facility, "cơ sở KCB")
    if facility:
        require(page.scope, "facility", facility, page.snap)
    if not _ready(page):
        return page.render("claims.html", available=False)
    cond, args = facility_condition(page.scope)
    if facility:
        cond, args = f"({cond}) AND facility_code = ?", [*args, facility]
    names = _names(page)
    province = page.scope.facilities is None and not facility
    summary, chart = _curve(page) if province else (None, "")
    facilities = page.snap.rows(
        f"SELECT * FROM mart_claims_facility_estimate WHERE {cond} ORDER BY rank LIMIT 20", args
    )
    scores = page.snap.rows(
        f"SELECT * FROM mart_claims_scores WHERE entity = 'facility' AND {cond} "
        "ORDER BY rank LIMIT 10",
        args,
    )
    for s in scores:
        s["signals_vi"] = "; ".join(SIGNALS_VI.get(x, x) for x in (s["signals"] or "").split(";"))
    rows = _review_rows(page, facility, LIST_SIZE)
    page.audit("view", "claims_review_list", unit_code=facility or page.scope.code, rows=len(rows))
    return page.render(
        "claims.html",
        available=True,
        summary=summary,
        chart_json=chart,
        facilities=facilities,
        scores=scores,
        rows=rows,
        names=names,
        outcomes=CLAIM_REVIEW_OUTCOMES,
        runs_out=_month_vi(summary),
    )


def _month_vi(summary: dict[str, Any] | None) -> str:
    if not summary:
        return ""
    m = summary.get("runs_out_month")
    return f"{m:02d}/{summary['year']}" if m else "không hết trong năm"


@router.get("/claims/facilities/{code}")
def facility_page(code: str, page: Annotated[Page, Depends(current)]) -> Response:
    _check(page)
    code = params.code(code, "cơ sở KCB") or ""
    require(page.scope, "facility", code, page.snap)
    names = _names(page)
    if code not in names or not _ready(page):
        raise HTTPException(404)
    indicators = page.snap.rows(
        "SELECT * FROM mart_claims_indicators WHERE facility_code = ? ORDER BY indicator", [code]
    )
    for r in indicators:
        fmt_value = formats.percent if r["indicator"] in RATE_INDICATORS else formats.number
        r["name_vi"] = INDICATOR_VI.get(r["indicator"], r["indicator"])
        for k in ("value_current", "value_previous", "value_last_year", "peer_median"):
            r[f"{k}_vi"] = "" if r[k] is None else fmt_value(r[k])
    signals = page.snap.rows(
        "SELECT * FROM mart_claims_signals WHERE facility_code = ? AND z >= 3.5 "
        "ORDER BY z DESC LIMIT 20",
        [code],
    )
    for s in signals:
        s["signal_vi"] = SIGNALS_VI.get(s["signal"], s["signal"])
    estimate = page.snap.one(
        "SELECT * FROM mart_claims_facility_estimate WHERE facility_code = ?", [code]
    )
    rows = _review_rows(page, code, 50)
    page.audit("view", "claims_review_list", unit_code=code, rows=len(rows))
    return page.render(
        "claims_facility.html",
        facility=names[code],
        indicators=indicators,
        signals=signals,
        estimate=estimate,
        rows=rows,
        outcomes=CLAIM_REVIEW_OUTCOMES,
    )


@router.post("/claims/facilities/{code}/review")
def record_review(
    code: str,
    page: Annotated[Page, Depends(current)],
    claim: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
) -> Response:
    """One reviewer's outcome on a flagged claim of the facility; refused and recovered take
    the claim's amount at stake."""
    _check(page)
    code = params.code(code, "cơ sở KCB") or ""
    require(page.scope, "facility", code, page.snap)
    if page.viewer.role not in REVIEWERS:
        raise Forbidden("Chỉ giám định viên của cơ sở này ghi kết quả giám định.")
    outcome = params.choice(outcome, CLAIM_REVIEW_OUTCOMES, "kết quả")
    claim = params.text(claim, "mã liên kết", max_length=64) or ""
    row = page.snap.one(
        "SELECT * FROM mart_claims_review_list WHERE facility_code = ? AND claim_code = ?",
        [code, claim],
    )
    if row is None:
        raise HTTPException(404)
    amount = None if outcome == "accepted" else max(round(row["amount_at_stake"] or 0), 1)
    try:
        record_claim_review(
            page.ctx.db, code, claim, outcome, page.viewer.username,
            amount=amount, role=page.viewer.role,
        )  # fmt: skip
    except ClaimReviewError as exc:
        raise HTTPException(400, str(exc)) from exc
    review = latest_reviews(page.ctx.db, [code]).get((code, claim))
    return page.render(
        "_claim_row.html", r=_decorate(page, row, review), outcomes=CLAIM_REVIEW_OUTCOMES
    )
