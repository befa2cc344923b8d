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

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from baophu.app.auth import Forbidden
from baophu.app.web import Page, current
from baophu.engine.nation import MART_BEHIND, MART_PAIRS, MART_PROVINCES, RATE_VI, RATES
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
    names = {p["unit_code"]: p["unit_name"] for p in provinces}
    for x in cross:
        home = x["home_province_code"]
        x["home_name"] = names.get(home, home) if home else "Không rõ"
        x["work_name"] = names.get(x["work_province_code"], x["work_province_code"])
    return page.render(
        "nation.html",
        cross=cross,
        available=available,
        nation=nation,
        provinces=provinces,
        behind=behind,
        sort=sort,
        sorts=[(k, RATE_VI[k]) for k in SORTS],
        rate_vi=RATE_VI,
        chart_json=_chart(provinces),
        reference_date=page.snap.reference_date(MART_PROVINCES),
    )


__all__ = ["router"]
