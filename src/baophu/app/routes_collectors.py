"""A collector's page: their list, an outcome per person in two clicks, their achievement
and commission.

Collectors record outcomes for the people of their own list; office staff and commune
officials may open the pages of the collectors working in their area (read-only).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import Response

from baophu.app import params, queries
from baophu.app.auth import Forbidden
from baophu.app.routes_units import decorate_people, download_response, reason_labels
from baophu.app.scope import require
from baophu.app.web import Page, current, filters_detail
from baophu.fieldwork import collector_achievement
from baophu.operational import OUTCOMES
from baophu.operational.outcomes import OutcomeError, record_outcome

router = APIRouter()
# The outcomes offered in the row menu, most frequent first.
NOTE_MAX = 1000  # characters of an outcome's note
MENU = ("enrolled", "promised", "contacted", "refused", "moved", "deceased", "wrong_data")


def _collector_or_404(page: Page, code: str) -> dict[str, Any]:
    require(page.scope, "collector", code, page.snap)
    info = queries.collector(page.snap, code)
    if info is None:
        raise HTTPException(404)
    return info


def _reference_day(page: Page) -> dt.date:
    """The data's reference date: coverage's, else the lists', else today."""
    ref = page.snap.reference_date() or page.snap.reference_date("potential_persons")
    return dt.date.fromisoformat(ref[:10]) if ref else dt.date.today()


def _achievement(page: Page, code: str) -> dict[str, Any]:
    """The collector's achievement and commission (``fieldwork.achievement``, as ``baophu
    lists achievement`` computes it) for the year of the data's reference date."""
    with page.snap.store() as store:
        return collector_achievement(page.ctx.db, store, code, _reference_day(page).year)


@router.get("/collectors/{code}")
def collector_page(
    code: str,
    page: Annotated[Page, Depends(current)],
    reason: str | None = None,
    hamlet: str | None = None,
    p: str | None = None,
) -> Response:
    info = _collector_or_404(page, code)
    reason = params.optional_choice(reason, reason_labels(), "lý do")
    hamlet = params.code(hamlet, "thôn, ấp")
    if hamlet:
        require(page.scope, "person_hamlet", hamlet, page.snap)
    mine = ("collector", code)
    args: dict[str, Any] = {"reason": reason, "hamlet": hamlet, "page": params.page(p)}
    result = queries.potential_page(
        page.snap,
        page.scope,
        None,
        reason=args["reason"],
        hamlet=args["hamlet"],
        page=args["page"],
        owner=mine,
    )
    rows = decorate_people(page, result.rows)
    page.audit(
        "view",
        "collector_list",
        unit_code=code,
        rows=len(rows),
        detail=filters_detail(**args),
    )
    context: dict[str, Any] = {
        "collector": info,
        "result": result,
        "rows": rows,
        "args": args,
        "menu": [(c, OUTCOMES[c]) for c in MENU],
        "can_record": page.viewer.role == "collector" and page.viewer.scope_code == code,
        "reason_vi": reason_labels(),
        "available": queries.potential_available(page.snap),
    }
    if page.htmx and page.request.headers.get("hx-target") == "collector-table":
        return page.render("_collector_table.html", **context)
    return page.render(
        "collector.html",
        achievement=_achievement(page, code),
        counts=queries.potential_counts(page.snap, page.scope, None, owner=mine),
        **context,
    )


@router.post("/collectors/{code}/outcomes")
def record(
    code: str,
    page: Annotated[Page, Depends(current)],
    row: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """One outcome for a row of the collector's own list, named by its opaque handle."""
    _collector_or_404(page, code)
    if page.viewer.role != "collector" or page.viewer.scope_code != code:
        raise Forbidden("Chỉ nhân viên thu được giao danh sách này mới ghi kết quả.")
    outcome = params.choice(outcome, OUTCOMES, "kết quả")
    note = params.text(note, "ghi chú", max_length=NOTE_MAX, multiline=True) or ""
    handle = params.text(row, "dòng danh sách", max_length=32) or ""
    try:
        person = queries.potential_by_handle(
            page.snap, page.scope, handle, owner=("collector", code)
        )
    except queries.StaleHandle:
        raise HTTPException(
            409, "Danh sách đã được cập nhật; hãy tải lại trang rồi ghi kết quả."
        ) from None
    if person is None:
        raise Forbidden("Người này không thuộc danh sách của bạn.")
    try:
        record_outcome(
            page.ctx.db,
            person,
            outcome,
            page.viewer.username,
            collector_code=code,
            note=note.strip() or None,
            role=page.viewer.role,
        )
    except OutcomeError as exc:
        raise HTTPException(400, str(exc)) from exc
    rows = decorate_people(page, [dict(person)])
    return page.render(
        "_collector_row.html",
        r=rows[0],
        collector={"collector_code": code},
        menu=[(c, OUTCOMES[c]) for c in MENU],
        can_record=True,
        achievement=_achievement(page, code),
        oob=True,
    )


@router.get("/collectors/{code}/list.xlsx")
def collector_export(
    code: str,
    page: Annotated[Page, Depends(current)],
    reason: str | None = None,
    hamlet: str | None = None,
) -> Response:
    """The collector's work sheets (one per hamlet, the outcome columns to fill in), as the
    lists step writes them; IDs and phones masked for the roles that do not see them."""
    info = _collector_or_404(page, code)
    reason = params.optional_choice(reason, reason_labels(), "lý do")
    hamlet = params.code(hamlet, "thôn, ấp")
    if hamlet:
        require(page.scope, "person_hamlet", hamlet, page.snap)
    rows = queries.potential_all(
        page.snap,
        page.scope,
        None,
        reason=reason or None,
        hamlet=hamlet or None,
        owner=("collector", code),
    )
    content = work_workbook(page, rows, ("collector", code, str(info["full_name"])))
    page.audit(
        "export",
        "collector_list",
        unit_code=code,
        rows=len(rows),
        detail=filters_detail(reason=reason, hamlet=hamlet),
    )
    return download_response(content, f"danh-sach-{code}.xlsx")


def work_workbook(page: Page, rows: list[dict[str, Any]], owner: tuple[str, str, str]) -> bytes:
    """An owner's work sheets (``reports.collector_workbook``) from list rows, with the last
    outcomes recorded so far; closed cases left out."""
    import tempfile
    from pathlib import Path

    from baophu.app.routes_units import FREE_TEXT
    from baophu.operational.outcomes import latest_outcomes
    from baophu.reports.collector_workbook import (
        Owner,
        build_work_workbook,
        open_rows,
        sheets_by_hamlet,
    )
    from baophu.vn.masking import mask_text, mask_value

    keys = [str(r["row_key"]) for r in rows if r.get("row_key")]
    outcomes = {
        k: {"last_outcome": v["outcome"], "last_outcome_date": v["outcome_date"]}
        for k, v in latest_outcomes(page.ctx.db, keys).items()
    }
    rows = open_rows(rows, outcomes)
    if not page.scope.full_ids:
        for r in rows:
            r["person_id"] = mask_value(r.get("person_id"))
            r["row_key"] = mask_text(str(r.get("row_key") or ""))
            r["phone"] = mask_value(r.get("phone"))
            r.pop("person_key", None)
            for key in FREE_TEXT:
                if isinstance(r.get(key), str):
                    r[key] = mask_text(r[key])
    sheets = sheets_by_hamlet(rows)
    ref = page.snap.reference_date("potential_persons") or page.snap.reference_date() or ""
    day = dt.date.fromisoformat(ref[:10]) if ref else dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_work_workbook(
            Path(tmp) / "book.xlsx", Owner(*owner), sheets, day, page.snap.state_id
        )
        return path.read_bytes()
