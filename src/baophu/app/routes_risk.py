"""Risk cases on the web: the cases of a unit (scoped per row, IDs masked by role, every view
audited), one case with its evidence and history, and the follow-up — assignment, verdict
(confirmed / false alarm) with the amount recovered and its date — kept in the operational
database by the case's stable id (``operational.risk_cases``), so it survives re-runs.

Who: the province roles and office staff see the cases (office staff: those their office
owns); commune officials see the cases of the people of their commune; the province
administrator and office staff record the follow-up.  Collectors and case officers do not
see risk cases (a collector may be the subject of one).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from baophu.app import params
from baophu.app.auth import Forbidden
from baophu.app.scope import Scope, people_condition, require, require_role
from baophu.app.web import Page, current, filters_detail
from baophu.engine.risk import KIND_TITLE_VI, MART_CASES, case_label
from baophu.operational.models import RISK_VERDICTS
from baophu.operational.risk_cases import (
    RiskCaseError,
    assign_case,
    case_history,
    case_states,
    record_verdict,
)
from baophu.vn.masking import mask_text, mask_value

router = APIRouter()
VIEW_ROLES = frozenset({"province_admin", "province_analyst", "office_staff", "commune_official"})
EDIT_ROLES = frozenset({"province_admin", "office_staff"})
PAGE_SIZE = 100
TABLE = f"mart_{MART_CASES}"
COLUMNS = (
    "case_id, kind, rule_vi, action_vi, person_id, full_name, persons, evidence, evidence_vi, "
    "period_start, period_end, amount, office_code, collector_code, agent_code, hamlet_code"
)


def scope_condition(scope: Scope) -> tuple[str, list[Any]]:
    """The cases a scope may see, per row."""
    if scope.province:
        return "TRUE", []
    if scope.role == "office_staff" and scope.code:
        return "office_code = ?", [scope.code]
    if scope.role == "commune_official":
        return people_condition(scope, "hamlet_code")
    return "FALSE", []


def _shown(page: Page, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """IDs in full for the roles that work with the people (commune officials), masked for
    everyone else, also where free text quotes them."""
    full = page.scope.full_ids
    states = case_states(page.ctx.db, [r["case_id"] for r in rows])
    for r in rows:
        if not full:
            r["person_id"] = mask_value(r["person_id"]) if r["person_id"] else ""
            r["persons"] = ",".join(mask_value(p) for p in (r["persons"] or "").split(",") if p)
            r["evidence_vi"] = mask_text(r["evidence_vi"])
        r["kind_vi"] = KIND_TITLE_VI.get(r["kind"], r["kind"])
        r["state"] = states.get(r["case_id"], {})
    return rows


def _available(page: Page) -> bool:
    return bool(page.snap.has(MART_CASES))


@router.get("/units/{code}/risk")
def risk_cases_page(
    code: str,
    page: Annotated[Page, Depends(current)],
    kind: str | None = None,
    p: str | None = None,
) -> Response:
    require_role(page.scope, VIEW_ROLES)
    require(page.scope, "unit", code, page.snap)
    kind = params.optional_choice(kind, KIND_TITLE_VI, "loại vụ việc")
    number = params.page(p)
    args = {"kind": kind, "page": number}
    rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    total = 0
    if _available(page):
        where, values = scope_condition(page.scope)
        place = (
            "(office_code IN (SELECT unit_code FROM mart_unit_ancestors WHERE ancestor_code = ?)"
            " OR hamlet_code IN (SELECT unit_code FROM mart_unit_ancestors "
            "WHERE ancestor_code = ?))"
        )
        where = f"{where} AND {place}"
        values = [*values, code, code]
        totals = page.snap.rows(
            f"SELECT kind, count(*) AS cases, sum(amount) AS amount FROM {TABLE} "
            f"WHERE {where} GROUP BY kind ORDER BY kind",
            values,
        )
        for t in totals:
            t["kind_vi"] = KIND_TITLE_VI.get(t["kind"], t["kind"])
        if kind is not None:
            where += " AND kind = ?"
            values.append(kind)
        total = int(page.snap.scalar(f"SELECT count(*) FROM {TABLE} WHERE {where}", values))
        rows = page.snap.rows(
            f"SELECT {COLUMNS} FROM {TABLE} WHERE {where} ORDER BY amount DESC, case_id "
            f"LIMIT {PAGE_SIZE} OFFSET {(number - 1) * PAGE_SIZE}",
            values,
        )
        rows = _shown(page, rows)
    page.audit(
        "view",
        "risk_cases",
        unit_code=code,
        rows=len(rows),
        detail=filters_detail({"kind": KIND_TITLE_VI}, kind=kind, page=number),
    )
    return page.render(
        "risk.html",
        unit_code=code,
        rows=rows,
        totals=totals,
        total=total,
        args=args,
        pages=max(1, -(-total // PAGE_SIZE)),
        kind_vi=KIND_TITLE_VI,
        available=_available(page),
    )


def _case_or_404(page: Page, case_id: str) -> dict[str, Any]:
    require_role(page.scope, VIEW_ROLES)
    if not _available(page):
        raise HTTPException(404)
    where, values = scope_condition(page.scope)
    row = page.snap.one(
        f"SELECT {COLUMNS} FROM {TABLE} WHERE case_id = ? AND {where}", [case_id, *values]
    )
    if row is None:
        raise HTTPException(404)
    return row


def _may_edit(page: Page, case: dict[str, Any]) -> bool:
    if page.scope.role == "province_admin":
        return True
    return page.scope.role == "office_staff" and case["office_code"] == page.scope.code


@router.get("/risk/case")
def risk_case_page(page: Annotated[Page, Depends(current)], id: str = "") -> Response:
    case_id = params.text(id, "vụ việc", max_length=200) or ""
    case = _case_or_404(page, case_id)
    raw = {"case_id": case["case_id"], "kind": case["kind"], "office_code": case["office_code"]}
    shown = _shown(page, [dict(case)])[0]
    history = case_history(page.ctx.db, case_id)
    page.audit(
        "view", "risk_case", unit_code=case["office_code"], rows=1, detail=case_label(case_id)
    )
    return page.render(
        "risk_case.html",
        case=shown,
        raw=raw,
        history=history,
        verdicts=RISK_VERDICTS,
        can_edit=_may_edit(page, case),
    )


def _editable(page: Page, case_id: str) -> dict[str, Any]:
    require_role(page.scope, EDIT_ROLES)
    case = _case_or_404(page, params.text(case_id, "vụ việc", max_length=200) or "")
    if not _may_edit(page, case):
        raise Forbidden("Chỉ BHXH cơ sở phụ trách vụ việc mới ghi kết quả xử lý.")
    return case


def _back(case_id: str) -> Response:
    return RedirectResponse(f"/risk/case?id={quote(case_id, safe='')}", status_code=303)


@router.post("/risk/assign")
def assign(
    page: Annotated[Page, Depends(current)],
    case_id: Annotated[str, Form()] = "",
    assignee: Annotated[str, Form()] = "",
) -> Response:
    case = _editable(page, case_id)
    who = params.code(assignee, "người được giao")
    try:
        assign_case(page.ctx.db, case, who or "", page.viewer.username, role=page.viewer.role)
    except RiskCaseError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _back(case["case_id"])


@router.post("/risk/verdict")
def verdict(
    page: Annotated[Page, Depends(current)],
    case_id: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "",
    amount_recovered: Annotated[str, Form()] = "",
    recovered_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    case = _editable(page, case_id)
    chosen = params.choice(verdict, RISK_VERDICTS, "kết luận")
    amount = params.integer(amount_recovered, "số tiền thu hồi", lo=0, hi=10**13)
    day = params.iso_date(recovered_on, "ngày thu hồi")
    text = params.text(note, "ghi chú", max_length=1000, multiline=True)
    try:
        record_verdict(
            page.ctx.db,
            case,
            chosen,
            page.viewer.username,
            amount_recovered=amount,
            recovered_on=day,
            note=(text or "").strip() or None,
            role=page.viewer.role,
        )
    except RiskCaseError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _back(case["case_id"])
