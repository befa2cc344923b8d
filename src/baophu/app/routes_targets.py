"""Targets: view them, set one by hand, allocate down the hierarchy with a chosen method and see
the result before confirming.

Who may change what (``scope.may_edit_target`` / ``scope.allocation_roots``): the province
administrator anything; office staff the units under their office, allocating from their
office; commune officials the hamlets of their commune, allocating from their commune; the
analyst and the field roles only look.

Setting a target writes the operational database at once.  The preview of an allocation
runs the engine on a read-only view of the workspace without writing; confirming runs it again
and writes ``targets_allocated``, then refreshes progress (``achievement_by_unit``) — in a
background job, since both need the workspace file for a few seconds.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from baophu.app import fmt, params, queries
from baophu.app.auth import Forbidden
from baophu.app.jobs import Job
from baophu.app.marts import MartCache, MartsUnavailable, readonly_store, writable_store
from baophu.app.scope import allocation_roots, may_edit_target, require
from baophu.app.web import Page, current
from baophu.engine.targets import INDICATORS, METHODS
from baophu.engine.units import LEVEL_VI
from baophu.operational.db import OperationalDB
from baophu.operational.manual_targets import (
    manual_target_rows,
    manual_targets_table,
    remove_manual_target,
    set_manual_target,
)
from baophu.operational.target_values import (
    TargetValueError,
    UnitFigures,
    figures_from_row,
    validated_target,
)

router = APIRouter()

METHOD_VI = {
    "uncovered": "Theo số người chưa tham gia",
    "uplift": "Nâng đều tỷ lệ",
    "last_year": "Theo kết quả năm trước",
    "weights": "Theo trọng số",
    "official": "Chính thức",
    "manual": "Giao bằng tay",
}
LEVEL_TO = {"province": "office", "office": "commune", "commune": "hamlet"}
LEVELS_BELOW = {
    "province": ("office", "commune", "hamlet"),
    "office": ("commune", "hamlet"),
    "commune": ("hamlet",),
}
_previews: dict[str, dict[str, Any]] = {}
_previews_lock = threading.Lock()


def _default_unit(page: Page) -> str | None:
    if page.viewer.scope_code and page.scope.root is not None:
        return page.viewer.scope_code
    province = queries.province(page.snap)
    return province["unit_code"] if province else None


# The only messages the targets page shows (``?message=<key>``).
MESSAGES = {
    "set": "Đã giao chỉ tiêu; tiến độ đang được tính lại.",
    "removed": "Đã xoá chỉ tiêu giao bằng tay; tiến độ đang được tính lại.",
    "allocated": "Đã xác nhận phân bổ; kết quả sẽ hiện sau khi tính xong.",
}


def _figures(page: Page, unit_code: str, indicator: str) -> UnitFigures:
    ind = INDICATORS[indicator]
    return figures_from_row(queries.unit(page.snap, unit_code), ind.numerator, ind.denominator)


@router.get("/targets")
def targets_page(
    page: Annotated[Page, Depends(current)],
    unit: str | None = None,
    indicator: str | None = None,
    message: str | None = None,
) -> Response:
    if not page.scope.sees_units or page.viewer.role == "collector":
        raise Forbidden("Vai trò của bạn không xem trang chỉ tiêu.")
    code = params.code(unit, "đơn vị") or _default_unit(page)
    if code is None:
        raise HTTPException(404)
    require(page.scope, "unit", code, page.snap)
    info = queries.unit(page.snap, code)
    if info is None:
        raise HTTPException(404)
    indicator = params.choice(indicator, INDICATORS, "chỉ tiêu", default="bhyt_rate")
    roots = allocation_roots(page.scope)
    can_allocate = info.get("level") in LEVEL_TO and (roots is None or code in roots)
    manual = [
        r
        for r in manual_target_rows(page.ctx.db)
        if page.scope.units is None or r["unit_code"] in page.scope.units
    ]
    year = _year(page)
    allocated = queries.allocated_children(page.snap, code, indicator, year)
    for a in allocated:
        a["method_vi"] = METHOD_VI.get(a.get("method") or "", a.get("method") or "")
    return page.render(
        "targets.html",
        unit=info,
        crumbs=queries.breadcrumbs(page.snap, code, page.scope),
        targets=queries.targets_for(page.snap, code),
        allocated=allocated,
        manual=manual,
        indicators=INDICATORS,
        indicator=indicator,
        methods=[(m, METHOD_VI.get(m, m)) for m in METHODS if m != "weights"],
        can_set=page.scope.may_edit_targets,
        may_edit_here=may_edit_target(page.scope, code, page.snap),
        can_allocate=can_allocate,
        to_level=LEVEL_TO.get(info.get("level") or "", "hamlet"),
        year=year,
        children=queries.children(page.snap, code, page.scope),
        jobs=[j for j in page.ctx.jobs.recent("targets") if j.username == page.viewer.username][:5],
        message=MESSAGES.get(message or ""),
    )


def _year(page: Page) -> int:
    ref = page.snap.reference_date()
    return dt.date.fromisoformat(ref[:10]).year if ref else dt.date.today().year


def _refresh_progress(cache: MartCache, db: OperationalDB, year: int) -> dict[str, Any]:
    from baophu.engine.targets import run_progress

    with writable_store(cache) as store:
        return run_progress(store, year, manual=manual_targets_table(db))


@router.post("/targets/set")
def set_target(
    page: Annotated[Page, Depends(current)],
    unit_code: Annotated[str, Form()] = "",
    indicator: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
    denominator: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    remove: Annotated[str, Form()] = "",
) -> Response:
    code = params.code(unit_code, "đơn vị")
    require(page.scope, "unit", code, page.snap)
    assert code is not None
    if not may_edit_target(page.scope, code, page.snap):
        raise Forbidden("Bạn không được giao chỉ tiêu cho đơn vị này.")
    indicator = params.choice(indicator, INDICATORS, "chỉ tiêu")
    target_year = params.integer(year, "năm", lo=2000, hi=2100)
    if target_year is None:
        raise params.BadParameter("năm", "chưa nhập")
    note = params.text(source, "căn cứ", max_length=500)
    db = page.ctx.db
    ind = INDICATORS[indicator]
    if params.flag(remove):
        remove_manual_target(db, target_year, code, indicator)
        page.audit(
            "target_remove",
            "manual_target",
            unit_code=code,
            detail=f"{ind.vi}, năm {target_year}",
        )
        key = "removed"
    else:
        try:
            target_value, den = validated_target(
                params.text(value, "giá trị", max_length=40) or "",
                is_rate=ind.is_rate,
                denominator=params.text(denominator, "mẫu số", max_length=40),
                figures=_figures(page, code, indicator),
                unit_code=code,
            )
        except TargetValueError as exc:
            raise HTTPException(400, exc.vi) from None
        set_manual_target(
            db,
            year=target_year,
            unit_code=code,
            indicator=indicator,
            target_value=target_value,
            denominator=den,
            source=note,
            set_by=page.viewer.username,
        )
        shown = fmt.pct(target_value, 2) if ind.is_rate else fmt.num(target_value)
        page.audit(
            "target_set",
            "manual_target",
            unit_code=code,
            detail=f"{ind.vi}, năm {target_year}: {shown}",
        )
        key = "set"
    cache, ctxdb = page.ctx.marts, page.ctx.db
    page.ctx.jobs.submit(
        "targets",
        f"Tính lại tiến độ sau khi giao chỉ tiêu {code}",
        page.viewer.username,
        lambda job: _refresh_progress(cache, ctxdb, target_year),
    )
    return _back(code, indicator, key)


def _back(unit: str, indicator: str, message_key: str) -> Response:
    from urllib.parse import urlencode

    query = urlencode({"unit": unit, "indicator": indicator, "message": message_key})
    return RedirectResponse(f"/targets?{query}", status_code=303)


def _allocation_args(
    page: Page, root: str, indicator: str, method: str, to_level: str, allow_below: str
) -> dict[str, Any]:
    root_code = params.code(root, "đơn vị")
    require(page.scope, "unit", root_code, page.snap)
    assert root_code is not None
    roots = allocation_roots(page.scope)
    if roots is not None and root_code not in roots:
        raise Forbidden("Bạn không được phân bổ chỉ tiêu từ đơn vị này.")
    indicator = params.choice(indicator, INDICATORS, "chỉ tiêu")
    method = params.choice(method, [m for m in METHODS if m != "weights"], "phương pháp")
    to_level = params.choice(to_level, ("office", "commune", "hamlet"), "cấp phân bổ")
    unit = queries.unit(page.snap, root_code) or {}
    below = LEVELS_BELOW.get(str(unit.get("level")), ())
    if to_level not in below:
        raise HTTPException(400, "Cấp phân bổ phải thấp hơn cấp của đơn vị.")
    return {
        "root": root_code,
        "name": indicator,
        "method": method,
        "to_level": to_level,
        "allow_below_achieved": params.flag(allow_below),
        "year": _year(page),
    }


def _run_allocation(store: Any, db: OperationalDB, args: dict[str, Any], write: bool) -> Any:
    from baophu.engine.targets import run_allocation

    return run_allocation(
        store,
        args["year"],
        args["name"],
        method=args["method"],
        root=args["root"],
        to_level=args["to_level"],
        allow_below_achieved=args["allow_below_achieved"],
        manual=manual_targets_table(db),
        write=write,
    )


@router.post("/targets/allocate/preview")
def allocate_preview(
    page: Annotated[Page, Depends(current)],
    root: Annotated[str, Form()] = "",
    indicator: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
    to_level: Annotated[str, Form()] = "",
    allow_below: Annotated[str, Form()] = "",
) -> Response:
    from baophu.engine.coverage import CoverageError
    from baophu.engine.targets import TargetsError

    args = _allocation_args(page, root, indicator, method, to_level, allow_below)
    try:
        with readonly_store(page.ctx.marts) as store:
            result = _run_allocation(store, page.ctx.db, args, write=False)
    except (TargetsError, CoverageError) as exc:
        message = str(exc).split(" / ")[0].replace(args["name"], INDICATORS[args["name"]].vi)
        return page.render("_alloc_preview.html", error=message, result=None, token=None)
    except MartsUnavailable:
        return page.render(
            "_alloc_preview.html",
            error="Không gian làm việc đang bận (một lệnh đang chạy); thử lại sau ít phút.",
            result=None,
            token=None,
        )
    rows = result["rows"]
    first_level = rows[0]["level"] if rows else None
    shown = [r for r in rows if r["level"] == first_level]
    if not shown:  # nothing to divide among: no confirm button
        return page.render(
            "_alloc_preview.html",
            error="Không có đơn vị cấp dưới nào để phân bổ chỉ tiêu này (0 đơn vị); "
            "hãy chọn đơn vị hoặc cấp khác.",
            result=None,
            token=None,
        )
    token = secrets.token_urlsafe(16)
    with _previews_lock:
        if len(_previews) > 100:
            _previews.clear()
        _previews[token] = {"args": args, "user": page.viewer.username}
    return page.render(
        "_alloc_preview.html",
        error=None,
        result=result,
        shown=shown,
        levels={r["level"] for r in rows},
        token=token,
        method_vi=METHOD_VI.get(args["method"], args["method"]),
        indicator_vi=INDICATORS[args["name"]].vi,
        is_rate=INDICATORS[args["name"]].is_rate,
    )


@router.post("/targets/allocate/confirm")
def allocate_confirm(
    page: Annotated[Page, Depends(current)], token: Annotated[str, Form()] = ""
) -> Response:
    if allocation_roots(page.scope) == frozenset():
        raise Forbidden("Bạn không được phân bổ chỉ tiêu.")
    with _previews_lock:
        preview = _previews.get(token)
        if preview is not None and preview["user"] == page.viewer.username:
            _previews.pop(token)
        else:
            preview = None
    if preview is None:
        raise HTTPException(404, "Bản xem trước không còn; hãy xem trước lại.")
    args = preview["args"]
    # the scope is checked again: the user's role may have changed since the preview
    _allocation_args(
        page,
        args["root"],
        args["name"],
        args["method"],
        args["to_level"],
        "1" if args["allow_below_achieved"] else "",
    )
    cache, db = page.ctx.marts, page.ctx.db

    def work(job: Job) -> dict[str, Any]:
        from baophu.engine.targets import run_progress

        with writable_store(cache) as store:
            job.progress = "Phân bổ"
            result = _run_allocation(store, db, args, write=True)
            job.progress = "Tính lại tiến độ"
            run_progress(store, args["year"], manual=manual_targets_table(db))
        return {"rows": len(result["rows"]), "root": args["root"], "indicator": args["name"]}

    page.ctx.jobs.submit(
        "targets",
        f"Phân bổ chỉ tiêu {INDICATORS[args['name']].vi} từ {args['root']}",
        page.viewer.username,
        work,
    )
    page.audit(
        "allocate",
        "targets_allocated",
        unit_code=args["root"],
        detail=f"{INDICATORS[args['name']].vi}, năm {args['year']}, "
        f"{METHOD_VI.get(args['method'], args['method']).lower()}, đến cấp "
        f"{LEVEL_VI.get(args['to_level'], args['to_level']).lower()}",
    )
    return _back(args["root"], args["name"], "allocated")


@router.get("/jobs/{job_id}")
def job_status(job_id: str, page: Annotated[Page, Depends(current)]) -> Response:
    job = page.ctx.jobs.get(job_id[:64])
    if job is None or (job.username != page.viewer.username and not page.scope.is_admin):
        raise HTTPException(404)
    return page.render("_job.html", job=job)
