"""The monthly BHYT spending workbook for the provincial Health department (Sở Y tế), built
with xlsxwriter from the claims marts: every cell a value, Vietnamese headers, header rows
frozen and filtered.

Sheets: "Dự toán" (use of the estimate, the projection to 31 December and the month it runs
out), "Theo tháng" (the year month by month: spent, to date, pro-rated estimate, projection
and its interval), "Cơ sở KCB" (each facility against its expected spending), "Chỉ số"
(B02/B04 indicators per facility against its peers, PEPPER percentiles), "Tăng chi phí"
(B26), "Cảnh báo" (flagged claims counted and summed by facility and rule — no names: the
named review list stays in the application, audited).

``write_claims_workbook(store, path)`` reads the marts; ``build_claims_workbook`` writes
what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from baophu.backends import Store
from baophu.engine.claims import (
    FLAG_TITLES_VI,
    INDICATOR_VI,
    MART_COST_GROWTH,
    MART_ESTIMATE,
    MART_ESTIMATE_SUMMARY,
    MART_FACILITY_ESTIMATE,
    MART_FLAGS,
    MART_INDICATORS,
)

Column = tuple[str, str, str, float]  # key, Vietnamese header, kind (text|int|money|pct|num), width

MONTH_COLUMNS: tuple[Column, ...] = (
    ("month", "Tháng", "int", 8),
    ("spent", "Chi trong tháng (đồng)", "money", 18),
    ("spent_cum", "Chi lũy kế (đồng)", "money", 18),
    ("profile_share", "Tỷ trọng theo mùa vụ", "pct", 12),
    ("prorated_estimate", "Dự toán theo tiến độ (đồng)", "money", 18),
    ("use_prorated", "Tỷ lệ so với tiến độ", "pct", 12),
    ("projected_cum", "Dự báo lũy kế (đồng)", "money", 18),
    ("projected_low", "Cận dưới (đồng)", "money", 18),
    ("projected_high", "Cận trên (đồng)", "money", 18),
)
FACILITY_COLUMNS: tuple[Column, ...] = (
    ("rank", "Thứ hạng", "int", 8),
    ("facility_code", "Mã cơ sở KCB", "text", 12),
    ("level", "Tuyến", "text", 14),
    ("spent_ytd", "Đã chi lũy kế (đồng)", "money", 18),
    ("expected", "Dự kiến chi năm (đồng)", "money", 18),
    ("use", "Tỷ lệ sử dụng", "pct", 12),
    ("use_prorated", "Tỷ lệ so với tiến độ", "pct", 12),
)
INDICATOR_COLUMNS: tuple[Column, ...] = (
    ("facility_code", "Mã cơ sở KCB", "text", 12),
    ("level", "Tuyến", "text", 14),
    ("indicator", "Chỉ số", "text", 26),
    ("visits", "Số lượt", "int", 10),
    ("value_current", "Kỳ này", "num", 14),
    ("value_previous", "Kỳ trước", "num", 14),
    ("value_last_year", "Cùng kỳ năm trước", "num", 14),
    ("change_previous", "So với kỳ trước", "pct", 12),
    ("change_last_year", "So với cùng kỳ", "pct", 12),
    ("peer_percentile", "Bách phân vị cùng tuyến", "pct", 12),
    ("peer_median", "Trung vị cùng tuyến", "num", 14),
    ("review", "Cần xem xét", "text", 10),
)
GROWTH_COLUMNS: tuple[Column, ...] = (
    ("rank_province", "Thứ hạng", "int", 8),
    ("facility_code", "Mã cơ sở KCB", "text", 12),
    ("level", "Tuyến", "text", 14),
    ("avg_cost", "Chi phí bình quân kỳ này (đồng)", "money", 18),
    ("avg_cost_last_year", "Cùng kỳ năm trước (đồng)", "money", 18),
    ("growth", "Tăng", "pct", 12),
)
FLAG_COLUMNS: tuple[Column, ...] = (
    ("facility_code", "Mã cơ sở KCB", "text", 12),
    ("rule", "Quy tắc", "text", 34),
    ("claims", "Số hồ sơ", "int", 10),
    ("amount", "Số tiền nghi vấn (đồng)", "money", 18),
)
LEVEL_VI = {
    "central": "Trung ương",
    "provincial": "Tỉnh",
    "regional": "Khu vực",
    "commune_station": "Trạm y tế xã",
}


def write_claims_workbook(store: Store, path: Path) -> Path:
    summary = store.read_mart(MART_ESTIMATE_SUMMARY).to_pyarrow().to_pylist()
    months = store.read_mart(MART_ESTIMATE).order_by("month").to_pyarrow().to_pylist()
    fac = store.read_mart(MART_FACILITY_ESTIMATE).order_by("rank").to_pyarrow().to_pylist()
    ind = store.read_mart(MART_INDICATORS)
    indicators = ind.order_by(["facility_code", "indicator"]).to_pyarrow().to_pylist()
    growth = store.read_mart(MART_COST_GROWTH).order_by("rank_province").to_pyarrow().to_pylist()
    f = store.read_mart(MART_FLAGS)
    flags = (
        f.group_by(["facility_code", "rule"])
        .aggregate(claims=f.count(), amount=f.amount_at_stake.sum())
        .order_by(["facility_code", "rule"])
        .to_pyarrow()
        .to_pylist()
    )
    return build_claims_workbook(
        path, summary[0] if summary else {}, months, fac, indicators, growth, flags
    )


def build_claims_workbook(
    path: Path,
    summary: dict[str, Any],
    months: Sequence[dict[str, Any]],
    facilities: Sequence[dict[str, Any]],
    indicators: Sequence[dict[str, Any]],
    growth: Sequence[dict[str, Any]],
    flags: Sequence[dict[str, Any]],
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    try:
        styles = {
            "head": wb.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                   "bg_color": "#DDEBF7", "border": 1}),
            "title": wb.add_format({"bold": True, "font_size": 13}),
            "text": wb.add_format({}),
            "int": wb.add_format({"num_format": "#,##0"}),
            "money": wb.add_format({"num_format": "#,##0"}),
            "num": wb.add_format({"num_format": "#,##0.00"}),
            "pct": wb.add_format({"num_format": "0.0%"}),
        }  # fmt: skip
        _summary_sheet(wb, styles, summary)
        _table(wb, styles, "Theo tháng", MONTH_COLUMNS, months)
        fac = [{**r, "level": LEVEL_VI.get(r["level"], r["level"])} for r in facilities]
        _table(wb, styles, "Cơ sở KCB", FACILITY_COLUMNS, fac)
        review_vi = {"high": "Cao", "low": "Thấp"}
        ind = [
            {
                **r,
                "level": LEVEL_VI.get(r["level"], r["level"]),
                "indicator": INDICATOR_VI.get(r["indicator"], r["indicator"]),
                "review": review_vi.get(r["review"] or "", ""),
            }
            for r in indicators
        ]
        _table(wb, styles, "Chỉ số", INDICATOR_COLUMNS, ind)
        grown = [{**r, "level": LEVEL_VI.get(r["level"], r["level"])} for r in growth]
        _table(wb, styles, "Tăng chi phí", GROWTH_COLUMNS, grown)
        named = [{**r, "rule": FLAG_TITLES_VI.get(r["rule"], r["rule"])} for r in flags]
        _table(wb, styles, "Cảnh báo", FLAG_COLUMNS, named)
    finally:
        wb.close()
    return path


def _summary_sheet(wb: Any, styles: dict[str, Any], s: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Dự toán")
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 22)
    ws.write(0, 0, f"Sử dụng dự toán chi KCB BHYT năm {s.get('year', '')}", styles["title"])
    rows: list[tuple[str, Any, str]] = [
        ("Dự toán được giao (lần điều chỉnh gần nhất, đồng)", s.get("estimate"), "money"),
        ("Lần điều chỉnh", s.get("revision"), "int"),
        ("Tháng số liệu", s.get("reference_month"), "int"),
        ("Đã chi lũy kế (đồng)", s.get("spent_ytd"), "money"),
        ("Tỷ lệ sử dụng dự toán năm", s.get("use_annual"), "pct"),
        ("Dự toán theo tiến độ mùa vụ (đồng)", s.get("prorated_estimate"), "money"),
        ("Tỷ lệ so với dự toán theo tiến độ", s.get("use_prorated"), "pct"),
        ("Dự báo chi cả năm (đồng)", s.get("projected_year_end"), "money"),
        ("Cận dưới dự báo (90%, đồng)", s.get("projected_low"), "money"),
        ("Cận trên dự báo (90%, đồng)", s.get("projected_high"), "money"),
        ("Dự báo so với dự toán", s.get("projected_use"), "pct"),
        ("Tháng dự báo hết dự toán", s.get("runs_out_month"), "int"),
        ("Năm làm hồ sơ mùa vụ", s.get("profile_years"), "text"),
    ]
    ws.write(2, 0, "Chỉ tiêu", styles["head"])
    ws.write(2, 1, "Giá trị", styles["head"])
    for i, (label, value, kind) in enumerate(rows, start=3):
        ws.write(i, 0, label)
        if value is None or value == "":
            ws.write_blank(i, 1, None)
        else:
            ws.write(i, 1, value, styles[kind])


def _table(
    wb: Any,
    styles: dict[str, Any],
    name: str,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
) -> None:
    ws = wb.add_worksheet(name)
    for c, (_, header, _, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write(0, c, header, styles["head"])
    for r, row in enumerate(rows, start=1):
        for c, (key, _, kind, _) in enumerate(columns):
            value = row.get(key)
            if value is None or (isinstance(value, float) and value != value):
                ws.write_blank(r, c, None)
            elif kind == "text":
                ws.write_string(r, c, str(value))
            else:
                ws.write_number(r, c, float(value), styles[kind])
    ws.freeze_panes(1, 0)
    if rows:
        ws.autofilter(0, 0, len(rows), len(columns) - 1)
