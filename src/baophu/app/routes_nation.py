"""The national view ("Toàn quốc"): every province side by side with its rates and ranks, the
nation's totals, BHYT coverage by province as a chart, and the provinces behind their
monthly targets, and the people across provinces counted by (home, work) pair — read from a
national workspace's ``nation_provinces``, ``nation_behind_targets`` and
``nation_cross_province_pairs`` marts (``baophu nation build`` / ``nation rank``).  The
named rows of ``nation_cross_province`` are not shown here.

Who sees it: the national analyst only (``scope.national``).  The page holds province
aggregates and no named person; a province's users are refused it (they see only their
province), and the national analyst in turn sees nothing of a province's units, people,
employers or claims (``scope``).  Like the province's dashboards it shows aggregates only,
so it is not written to the audit log (named lists are).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from baophu.app.auth import Forbidden
from baophu.app.web import Page, current
from baophu.engine.nation import (
    MART_BEHIND,
    MART_PAIRS,
    MART_PROVINCES,
    MART_UNITS,
    NATION_CODE,
    RATE_VI,
    RATES,
)
from baophu.engine.targets import INDICATORS

router = APIRouter()
SORTS = (*RATES, "arrears_ratio")


def _provinces(page: Page, sort: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The nation's row and the provinces ranked on ``sort`` (1 first, then by code)."""
    rows = page.snap.rows(
        f"SELECT * FROM mart_{MART_PROVINCES} "
        f"ORDER BY level = 'nation' DESC, {sort}_rank, unit_code"
    )
    nation = next((r for r in rows if r["level"] == "nation"), None)
    return nation, [r for r in rows if r["level"] == "province"]


def _chart(provinces: list[dict[str, Any]]) -> str:
    ordered = sorted(
        (p for p in provinces if p.get("bhyt_rate") is not None),
        key=lambda p: (-float(p["bhyt_rate"]), p["unit_code"]),
    )
    chart = {
        "dates": [p["unit_name"] for p in ordered],
        "series": [
            {
                "name": RATE_VI["bhyt_rate"],
                "data": [round(float(p["bhyt_rate"]) * 100, 2) for p in ordered],
            }
        ],
    }
    return json.dumps(chart, ensure_ascii=False)


def _name_pairs(cross: list[dict[str, Any]], names: dict[str, str]) -> None:
    """The provinces' names beside each (home, work) pair's codes (an unknown home: "Không
    rõ")."""
    for x in cross:
        home = x["home_province_code"]
        x["home_name"] = names.get(home, home) if home else "Không rõ"
        x["work_name"] = names.get(x["work_province_code"], x["work_province_code"])


@router.get("/nation")
def nation_page(page: Annotated[Page, Depends(current)], sort: str = "bhyt_rate") -> Response:
    if not page.scope.national:
        raise Forbidden("Chỉ cán bộ cấp trung ương xem số liệu toàn quốc.")
    if sort not in SORTS:
        sort = "bhyt_rate"
    available = page.snap.has(MART_PROVINCES)
    nation, provinces = _provinces(page, sort) if available else (None, [])
    behind = (
        page.snap.rows(
            f"SELECT * FROM mart_{MART_BEHIND} ORDER BY behind_plan DESC, unit_code, indicator"
        )
        if page.snap.has(MART_BEHIND)
        else []
    )
    for r in behind:
        known = INDICATORS.get(r["indicator"])
        r["indicator_vi"] = known.vi if known else r["indicator"]
    cross = (
        page.snap.rows(
            f"SELECT * FROM mart_{MART_PAIRS} "
            "ORDER BY home_province_code IS NULL, home_province_code, work_province_code"
        )
        if page.snap.has(MART_PAIRS)
        else []
    )
    _name_pairs(cross, {p["unit_code"]: p["unit_name"] for p in provinces})
    return page.render(
        "nation.html",
        cross=cross,
        available=available,
        units_available=page.snap.has(MART_UNITS),
        nation=nation,
        provinces=provinces,
        behind=behind,
        sort=sort,
        sorts=[(k, RATE_VI[k]) for k in SORTS],
        rate_vi=RATE_VI,
        chart_json=_chart(provinces),
        reference_date=page.snap.reference_date(MART_PROVINCES),
    )


LEVEL_VI = {
    "nation": "Toàn quốc",
    "province": "Tỉnh, thành phố",
    "office": "BHXH cơ sở",
    "commune": "Xã, phường",
    "hamlet": "Thôn, ấp, khu phố",
}


def _unit(page: Page, code: str) -> dict[str, Any] | None:
    if code == NATION_CODE:
        return page.snap.one(f"SELECT * FROM mart_{MART_PROVINCES} WHERE level = 'nation'")
    return page.snap.one(f"SELECT * FROM mart_{MART_UNITS} WHERE unit_code = ?", [code])


def _trail(page: Page, unit: dict[str, Any]) -> list[dict[str, Any]]:
    """The units above ``unit``, the nation first (at most four steps up)."""
    trail: list[dict[str, Any]] = []
    parent = unit.get("parent_code")
    while parent and len(trail) < 5:
        above = _unit(page, parent)
        if above is None:
            break
        trail.insert(0, above)
        parent = above.get("parent_code") if above["level"] != "nation" else None
    return trail


@router.get("/nation/units/{unit_code}")
def nation_unit_page(page: Annotated[Page, Depends(current)], unit_code: str) -> Response:
    """One unit of the nation (a province, office, commune or hamlet) with its figures and
    the units directly under it, each a link one level down: the national view drilled
    down.  Aggregates only, national analyst only."""
    if not page.scope.national:
        raise Forbidden("Chỉ cán bộ cấp trung ương xem số liệu toàn quốc.")
    if not page.snap.has(MART_UNITS):
        raise HTTPException(404, "Chưa có số liệu theo đơn vị (chạy baophu nation rank).")
    unit = _unit(page, unit_code)
    if unit is None:
        raise HTTPException(404, "Không có đơn vị này trong số liệu toàn quốc.")
    children = page.snap.rows(
        f"SELECT * FROM mart_{MART_UNITS} WHERE parent_code = ? ORDER BY province_code, unit_code",
        [unit_code],
    )
    behind: list[dict[str, Any]] = []
    cross: list[dict[str, Any]] = []
    if unit["level"] == "province":
        if page.snap.has(MART_BEHIND):
            behind = page.snap.rows(
                f"SELECT * FROM mart_{MART_BEHIND} WHERE unit_code = ? "
                "ORDER BY behind_plan DESC, indicator",
                [unit_code],
            )
        for r in behind:
            known = INDICATORS.get(r["indicator"])
            r["indicator_vi"] = known.vi if known else r["indicator"]
        if page.snap.has(MART_PAIRS):
            cross = page.snap.rows(
                f"SELECT * FROM mart_{MART_PAIRS} "
                "WHERE home_province_code = ? OR work_province_code = ? "
                "ORDER BY home_province_code IS NULL, home_province_code, work_province_code",
                [unit_code, unit_code],
            )
            provinces = page.snap.rows(
                f"SELECT unit_code, unit_name FROM mart_{MART_UNITS} WHERE level = 'province'"
            )
            _name_pairs(cross, {r["unit_code"]: r["unit_name"] for r in provinces})
    return page.render(
        "nation_unit.html",
        unit=unit,
        trail=_trail(page, unit),
        children=children,
        behind=behind,
        cross=cross,
        level_vi=LEVEL_VI,
        rate_vi=RATE_VI,
        reference_date=page.snap.reference_date(MART_UNITS),
    )


__all__ = ["router"]
