"""Employers: arrears and evasion scores with filters, one employer's monthly history, its
C12-TS notice, and the signals behind its score explained.

Case officers see their own employers, office staff those of their office, commune officials
those of their commune, the province roles all of them.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from baophu.app import params, queries
from baophu.app.auth import Forbidden
from baophu.app.routes_units import download_response, list_workbook, reference_date_vi
from baophu.app.scope import require
from baophu.app.web import Page, current, filters_detail
from baophu.rules import wording

router = APIRouter()

EMPLOYER_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("employer_code", "Mã đơn vị", 12),
    ("employer_name", "Tên đơn vị", 36),
    ("tax_code", "Mã số thuế", 13),
    ("commune_name", "Xã, phường", 18),
    ("officer_name", "Cán bộ chuyên quản", 20),
    ("declared_headcount", "Số lao động", 10),
    ("late_amount", "Số tiền chậm đóng (đồng)", 16),
    ("months_late", "Số tháng chậm", 9),
    ("evasion_amount", "Số tiền trốn đóng (đồng)", 16),
    ("interest_outstanding", "Lãi chậm đóng chưa nộp (đồng)", 16),
    ("total_score", "Điểm rủi ro", 9),
)
STATUS_VI = {
    "": "Tất cả",
    "late": "Đang chậm đóng",
    "late3": "Chậm đóng từ 3 tháng",
    "evasion": "Có dấu hiệu trốn đóng",
    "flagged": "Cần kiểm tra (điểm rủi ro cao)",
}
SORT_VI = {
    "late": "Số tiền chậm đóng",
    "score": "Điểm rủi ro",
    "months": "Số tháng chậm",
    "name": "Tên đơn vị",
}


def _check(page: Page) -> None:
    if not page.scope.sees_employers:
        raise Forbidden("Vai trò của bạn không xem danh sách đơn vị sử dụng lao động.")


def _filters(
    page: Page,
    q: str | None,
    status: str | None,
    officer: str | None,
    commune: str | None,
    min_score: str | None,
    sort: str | None,
) -> dict[str, Any]:
    officer = params.code(officer, "cán bộ chuyên quản")
    commune = params.code(commune, "xã, phường")
    if officer:
        require(page.scope, "officer", officer, page.snap)
    if commune:
        require(page.scope, "unit", commune, page.snap)
    return {
        "q": params.text(q, "tìm", max_length=100),
        "status": params.optional_choice(status, STATUS_VI, "tình trạng"),
        "officer": officer,
        "commune": commune,
        "min_score": params.integer(min_score, "điểm rủi ro từ", lo=0, hi=100),
        "sort": params.choice(sort, SORT_VI, "sắp xếp", default="late"),
    }


LABELS = {"status": STATUS_VI, "sort": SORT_VI}


@router.get("/employers")
def employers(
    page: Annotated[Page, Depends(current)],
    q: str | None = None,
    status: str | None = None,
    officer: str | None = None,
    commune: str | None = None,
    min_score: str | None = None,
    sort: str | None = None,
    p: str | None = None,
) -> Response:
    _check(page)
    args = _filters(page, q, status, officer, commune, min_score, sort)
    page_no = params.page(p)
    result = queries.employers_page(page.snap, page.scope, page=page_no, **args)
    page.audit(
        "view",
        "employer_list",
        unit_code=page.scope.code,
        rows=len(result.rows),
        detail=filters_detail(LABELS, **args, page=result.page),
    )
    context: dict[str, Any] = {
        "result": result,
        "args": args,
        "status_vi": STATUS_VI,
        "sort_vi": SORT_VI,
    }
    if page.htmx and page.request.headers.get("hx-target") == "employer-table":
        return page.render("_employer_table.html", **context)
    return page.render(
        "employers.html",
        totals=queries.employers_totals(page.snap, page.scope),
        officers=queries.officers_in_scope(page.snap, page.scope),
        communes=queries.communes_in_scope(page.snap, page.scope),
        available=page.snap.has("employer_balance"),
        **context,
    )


@router.get("/employers.xlsx")
def employers_export(
    page: Annotated[Page, Depends(current)],
    q: str | None = None,
    status: str | None = None,
    officer: str | None = None,
    commune: str | None = None,
    min_score: str | None = None,
    sort: str | None = None,
) -> Response:
    _check(page)
    args = _filters(page, q, status, officer, commune, min_score, sort)
    result = queries.employers_page(page.snap, page.scope, page=1, size=1_000_000, **args)
    content = list_workbook(
        result.rows,
        EMPLOYER_COLUMNS,
        "DANH SÁCH ĐƠN VỊ SỬ DỤNG LAO ĐỘNG — TÌNH HÌNH ĐÓNG BHXH, BHYT, BHTN",
        f"Số liệu đến ngày {reference_date_vi(page)}; lọc: {filters_detail(LABELS, **args)}; "
        f"người tải: {page.viewer.full_name}",
    )
    page.audit(
        "export",
        "employer_list",
        unit_code=page.scope.code,
        rows=len(result.rows),
        detail=filters_detail(LABELS, **args),
    )
    return download_response(content, "don-vi-su-dung-lao-dong.xlsx")


def _employer_or_404(page: Page, code: str) -> dict[str, Any]:
    _check(page)
    row = queries.employer(page.snap, code)
    if row is None:
        # unknown to the marts: the same answer as outside the scope for non-province roles
        if not page.scope.province:
            raise Forbidden("Đối tượng này nằm ngoài phạm vi được giao cho bạn.")
        raise HTTPException(404)
    require(page.scope, "employer", code, page.snap)
    return row


@router.get("/employers/{code}")
def employer_page(code: str, page: Annotated[Page, Depends(current)]) -> Response:
    row = _employer_or_404(page, code)
    history = queries.employer_history(page.snap, code)
    signals = queries.employer_signals(page.snap, code)
    page.audit("view", "employer", unit_code=code, rows=len(history))
    ref = page.snap.reference_date("employer_balance")
    return page.render(
        "employer.html",
        e=row,
        history=history,
        signals=signals,
        months=queries.notice_months(page.snap, code),
        evasion_label=wording.evasion_label(dt.date.fromisoformat(ref[:10]))
        if ref
        else "Trốn đóng",
    )


@router.get("/employers/{code}/notice")
def employer_notice(
    code: str,
    page: Annotated[Page, Depends(current)],
    month: str | None = None,
    format: str | None = None,
) -> Response:
    """The C12-TS notice of a month (PDF or Excel), built from the compliance marts."""
    from baophu.reports.notice import NoticeError, load_notices
    from baophu.reports.notice_pdf import notice_pdf_bytes
    from baophu.reports.notice_xlsx import write_notice_xlsx

    _employer_or_404(page, code)
    day = params.month(month, "tháng")
    format = params.choice(format, ("pdf", "xlsx"), "định dạng", default="pdf")
    with page.snap.store() as store:
        try:
            notice = load_notices(store, day, employer_code=code)[0]
        except NoticeError as exc:
            raise HTTPException(404, str(exc)) from exc
    page.audit(
        "export", "notice", unit_code=code, rows=1, detail=f"tháng {day:%m/%Y}, tệp {format}"
    )
    name = f"thong-bao-C12-TS-{code}-{day:%Y-%m}"
    if format == "xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "notice.xlsx"
            write_notice_xlsx(notice, path)
            return download_response(path.read_bytes(), f"{name}.xlsx")
    return download_response(notice_pdf_bytes(notice), f"{name}.pdf", "application/pdf")
