"""Dashboards of the province and of each unit (office, commune, hamlet), the potential
lists under a unit, and the workbooks to download.

The province page is the unit page of the province: every indicator against its target with
the gap in people and the pace needed, the monthly trends, the ranking of communes with the
lowest highlighted, the campaign's days.  A unit page shows the same for the unit, with its
children to drill down into.  Every route checks the unit against the user's scope.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from baophu.app import params, queries
from baophu.app.scope import require
from baophu.app.web import Page, current, filters_detail
from baophu.engine.targets import INDICATORS
from baophu.vn import formats

router = APIRouter()
# Text fields of a list row that may quote a personal ID (masked for roles without full IDs).
FREE_TEXT = (
    "reasons_vi",
    "reason_labels",
    "address",
    "record_id",
    "owner_name",
    "full_name",
    "household_id",
)
PERIOD_VI = {"year": "mỗi năm", "month": "mỗi tháng", "quarter": "mỗi quý"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

POTENTIAL_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("full_name", "Họ và tên", 26),
    ("person_id_shown", "Số định danh", 16),
    ("birth_date", "Ngày sinh", 12),
    ("sex", "Giới tính", 8),
    ("hamlet_name", "Thôn, ấp, khu phố", 20),
    ("address", "Địa chỉ", 28),
    ("phone", "Số điện thoại", 14),
    ("reasons_short", "Lý do", 40),
    ("reasons_vi", "Giải thích", 60),
    ("priority_vi", "Ưu tiên", 12),
    ("collector_name", "Nhân viên thu", 20),
    ("amount", "Số tiền dự kiến (đồng)", 16),
    ("amount_period_vi", "Kỳ đóng", 10),
    ("last_outcome_vi", "Kết quả gần nhất", 16),
)


def _unit_or_404(page: Page, code: str) -> dict[str, Any]:
    require(page.scope, "unit", code, page.snap)
    unit = queries.unit(page.snap, code)
    if unit is None:
        raise HTTPException(404)
    return unit


def _json(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` block (safe inside HTML)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _period(page: Page, code: str, date: str | None) -> tuple[list[dt.date], dt.date | None]:
    """The month-ends a unit's dashboard can show and the one asked for (None: the
    reference date of the marts, the latest)."""
    dates = queries.series_dates(page.snap, code)
    day = params.iso_date(date, "kỳ số liệu")
    if day is None or (dates and day == dates[0]):
        return dates, None
    if day not in dates:
        raise params.BadParameter("kỳ số liệu", "không có số liệu của ngày này")
    return dates, day


@router.get("/units/{code}")
def unit_page(
    code: str,
    page: Annotated[Page, Depends(current)],
    ind: str | None = None,
    date: str | None = None,
) -> Response:
    unit = _unit_or_404(page, code)
    snap = page.snap
    ind = params.choice(ind, INDICATORS, "chỉ tiêu", default="bhyt_rate")
    dates, at = _period(page, code, date)
    figures = (queries.unit_at(snap, code, at) if at else None) or unit
    achievements = queries.achievements(snap, code)
    trend = queries.trend(snap, code)
    ranking = queries.ranking(snap, unit, ind, page.scope, at)
    children = (
        queries.children(snap, code, page.scope, at) if unit.get("level") == "province" else []
    )
    campaign = queries.campaign(snap, code)
    arrears = queries.arrears(snap, unit.get("level") or "", code)
    potential = queries.potential_counts(snap, page.scope, code) if page.scope.sees_people else []
    people = queries.potential_people(snap, page.scope, code) if page.scope.sees_people else 0
    return page.render(
        "unit.html",
        unit=unit,
        figures=figures,
        dates=dates,
        at=at,
        level_vi=queries.level_vi(unit.get("level")),
        crumbs=queries.breadcrumbs(snap, code, page.scope),
        achievements=achievements,
        rates=queries.RATES,
        trend_json=_json(trend),
        ranking=ranking,
        children=children,
        campaign=[{**c, "chart_json": _json(c["chart"])} for c in campaign],
        arrears=arrears,
        potential_counts=potential,
        potential_total=sum(r["n"] for r in potential),
        potential_people=people,
        potential_available=queries.potential_available(snap),
        reason_vi=reason_labels(),
        indicators=INDICATORS,
        ind=ind,
    )


@router.get("/units/{code}/ranking")
def unit_ranking(
    code: str,
    page: Annotated[Page, Depends(current)],
    ind: str | None = None,
    date: str | None = None,
) -> Response:
    unit = _unit_or_404(page, code)
    ind = params.choice(ind, INDICATORS, "chỉ tiêu", default="bhyt_rate")
    _, at = _period(page, code, date)
    return page.render(
        "_ranking.html",
        unit=unit,
        ranking=queries.ranking(page.snap, unit, ind, page.scope, at),
        indicators=INDICATORS,
        ind=ind,
        at=at,
    )


# --------------------------------------------------------------------- potential lists


def reason_labels() -> dict[str, str]:
    try:
        from baophu.contracts.vocabularies import REASON_VI

        return dict(REASON_VI)
    except ImportError:  # pragma: no cover - the lists step not installed
        return {}


def _priority_vi() -> dict[int, str]:
    try:
        from baophu.contracts.vocabularies import PRIORITY_VI

        return dict(PRIORITY_VI)
    except ImportError:  # pragma: no cover
        return {}


def decorate_people(page: Page, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Masked IDs and phones (unless the role sees them), Vietnamese reasons, the last
    outcome recorded (the operational database's, newer than the one the list was computed
    with) and the row's opaque handle (``queries.row_handle``): nothing in a page is derived
    from a personal ID except the masked ID itself."""
    from baophu.operational import OUTCOMES
    from baophu.operational.outcomes import latest_outcomes
    from baophu.vn.masking import mask_text, mask_value

    reasons_vi = reason_labels()
    priority_vi = _priority_vi()
    full = page.scope.full_ids
    latest = latest_outcomes(page.ctx.db, [r["row_key"] for r in rows if r.get("row_key")])
    for r in rows:
        pid = r.get("person_id")
        r["person_id_shown"] = "" if pid is None else (str(pid) if full else mask_value(pid))
        if not full:
            r.pop("person_id", None)
            r["phone"] = mask_value(r.get("phone")) if r.get("phone") else r.get("phone")
            for key in FREE_TEXT:  # IDs and phones quoted in explanations are masked too
                value = r.get(key)
                if isinstance(value, str):
                    r[key] = mask_text(value)
        codes = [c for c in str(r.get("reasons") or "").split(",") if c]
        r["reason_codes"] = codes
        r["reasons_short"] = "; ".join(reasons_vi.get(c, c) for c in codes)
        if r.get("priority") is not None:
            r["priority_vi"] = priority_vi.get(int(r["priority"]), str(r["priority"]))
        last = latest.get(r.get("row_key") or "")
        if last is None and r.get("last_outcome"):
            last = {"outcome": r["last_outcome"], "outcome_date": r.get("last_outcome_date")}
        r["last_outcome"] = last
        r["last_outcome_vi"] = OUTCOMES.get(last["outcome"], "") if last else ""
        r["amount_period_vi"] = PERIOD_VI.get(str(r.get("amount_period")), "")
        if r.get("ord") is not None:
            r["handle"] = queries.row_handle(page.snap, r)
            r["dom_id"] = f"r{int(r['ord'])}"
        # keys derived from the ID never reach a page (the handle stands for the row)
        r.pop("row_key", None)
        r.pop("person_key", None)
    return rows


def _potential_args(
    reason: str | None, hamlet: str | None, collector: str | None, page_no: str | None
) -> dict[str, Any]:
    return {
        "reason": params.optional_choice(reason, reason_labels(), "lý do"),
        "hamlet": params.code(hamlet, "thôn, ấp"),
        "collector": params.code(collector, "nhân viên thu"),
        "page": params.page(page_no),
    }


@router.get("/units/{code}/potential")
def potential_list(
    code: str,
    page: Annotated[Page, Depends(current)],
    reason: str | None = None,
    hamlet: str | None = None,
    collector: str | None = None,
    p: str | None = None,
) -> Response:
    unit = _unit_or_404(page, code)
    if not page.scope.sees_people:
        from baophu.app.auth import Forbidden

        raise Forbidden("Vai trò của bạn không xem danh sách người tham gia tiềm năng.")
    args = _potential_args(reason, hamlet, collector, p)
    if args["hamlet"]:
        require(page.scope, "person_hamlet", args["hamlet"], page.snap)
    if args["collector"]:
        require(page.scope, "collector", args["collector"], page.snap)
    result = queries.potential_page(page.snap, page.scope, code, **args)
    rows = decorate_people(page, result.rows)
    page.audit(
        "view",
        "potential_list",
        unit_code=code,
        rows=len(rows),
        detail=filters_detail(**args),
    )
    context: dict[str, Any] = {
        "unit": unit,
        "result": result,
        "rows": rows,
        "args": args,
        "reason_vi": reason_labels(),
        "available": queries.potential_available(page.snap),
    }
    if page.htmx and page.request.headers.get("hx-target") == "potential-table":
        return page.render("_potential_table.html", **context)
    return page.render(
        "potential.html",
        crumbs=queries.breadcrumbs(page.snap, code, page.scope),
        hamlets=queries.hamlets_under(page.snap, code, page.scope),
        collectors=queries.collectors_under(page.snap, code, page.scope),
        counts=queries.potential_counts(page.snap, page.scope, code),
        **context,
    )


@router.get("/units/{code}/potential.xlsx")
def potential_export(
    code: str,
    page: Annotated[Page, Depends(current)],
    reason: str | None = None,
    hamlet: str | None = None,
    collector: str | None = None,
) -> Response:
    unit = _unit_or_404(page, code)
    if not page.scope.sees_people:
        from baophu.app.auth import Forbidden

        raise Forbidden("Vai trò của bạn không tải danh sách người tham gia tiềm năng.")
    args = _potential_args(reason, hamlet, collector, None)
    args.pop("page")
    if args["hamlet"]:
        require(page.scope, "person_hamlet", args["hamlet"], page.snap)
    if args["collector"]:
        require(page.scope, "collector", args["collector"], page.snap)
    rows = decorate_people(page, queries.potential_all(page.snap, page.scope, code, **args))
    content = list_workbook(
        rows,
        POTENTIAL_COLUMNS,
        f"DANH SÁCH NGƯỜI THAM GIA TIỀM NĂNG — {unit.get('unit_name', code)}",
        f"Số liệu đến ngày {reference_date_vi(page)}; lọc: {filters_detail(**args)}; "
        f"người tải: {page.viewer.full_name} ({page.viewer.username})",
    )
    page.audit(
        "export", "potential_list", unit_code=code, rows=len(rows), detail=filters_detail(**args)
    )
    return download_response(content, f"danh-sach-tiem-nang-{code}.xlsx")


def reference_date_vi(page: Page) -> str:
    ref = page.snap.reference_date()
    if not ref:
        return ""
    return formats.date(ref[:10])


def list_workbook(
    rows: list[dict[str, Any]],
    columns: tuple[tuple[str, str, float], ...],
    title: str,
    subtitle: str,
) -> bytes:
    from baophu.reports.notice_lists import write_list_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.xlsx"
        write_list_xlsx(rows, path, title, columns, subtitle)
        return path.read_bytes()


def download_response(content: bytes, name: str, media_type: str = XLSX) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/units/{code}/workbook.xlsx")
def unit_workbook(code: str, page: Annotated[Page, Depends(current)]) -> Response:
    """The steering-committee workbook for the unit and everything under it."""
    from baophu.reports.meeting_workbook import LEVEL_SHEETS, build_meeting_workbook

    unit = _unit_or_404(page, code)
    snap = page.snap
    if not snap.has("coverage_by_unit"):
        raise HTTPException(404)
    rows = snap.rows(
        "SELECT c.* FROM mart_coverage_by_unit c WHERE c.unit_code IN "
        "(SELECT unit_code FROM mart_unit_ancestors WHERE ancestor_code = ?) ORDER BY unit_code",
        [code],
    )
    targets: dict[tuple[str, str], float] = {}
    achievers: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    if snap.has("achievement_by_unit"):
        ach = snap.rows(
            "SELECT * FROM mart_achievement_by_unit WHERE hierarchy = 'units' AND unit_code IN "
            "(SELECT unit_code FROM mart_unit_ancestors WHERE ancestor_code = ?)",
            [code],
        )
        for r in ach:
            if r["target_rate"] is not None:
                targets[(r["unit_code"], r["indicator"])] = r["target_rate"]
            if r["is_lowest"] and r["level"] == "commune":
                achievers.append({**r, "indicator_vi": INDICATORS[r["indicator"]].vi})
        for r in queries.achievements(snap, code):
            indicators.append(
                {
                    **r,
                    "name_vi": r["indicator_vi"],
                    "target_value": r["target_rate"] if r["is_rate"] else r["target_people"],
                }
            )
    levels: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVEL_SHEETS}
    for r in rows:
        r["bhyt_target_rate"] = targets.get((r["unit_code"], "bhyt_rate"))
        r["compulsory_target_rate"] = targets.get((r["unit_code"], "compulsory_participants"))
        if r["level"] in levels:
            levels[r["level"]].append(r)
    lowest = sorted(
        levels.get("commune", []), key=lambda r: (r["bhyt_rate"] is None, r["bhyt_rate"] or 0)
    )[:5]
    ref = snap.reference_date() or dt.date.today().isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_meeting_workbook(
            Path(tmp) / "book.xlsx",
            province_name=str(unit.get("unit_name") or code),
            reference_date=dt.date.fromisoformat(ref[:10]),
            indicators=indicators,
            lowest_communes=lowest,
            levels=levels,
            lowest_achievers=achievers,
        )
        content = path.read_bytes()
    page.audit("export", "meeting_workbook", unit_code=code, rows=len(rows))
    return download_response(content, f"so-lieu-hop-ban-chi-dao-{code}.xlsx")
