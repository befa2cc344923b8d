"""The Excel workbook for a steering-committee meeting (Ban Chỉ đạo), built with xlsxwriter.

One summary sheet ("Tổng hợp": the province against its targets — gap in people and the pace
needed per week and per day — the communes with the lowest BHYT rate and, when targets have
been allocated, the lowest achievers), then one sheet per level (province, grassroots office,
commune, hamlet) with every unit's coverage.  Every cell holds a value, never a formula;
headers are Vietnamese, the header row is frozen and filtered, and a unit whose BHYT rate or
compulsory-BHXH rate is below its target is coloured (conditional formatting against the
target column, so it stays right when someone sorts or filters).

``write_meeting_workbook(store, path)`` reads the coverage and achievement marts;
``build_meeting_workbook`` only writes what it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from baophu.backends import Store
from baophu.engine.coverage import MART_BY_UNIT
from baophu.engine.targets import (
    INDICATORS,
    MART_ACHIEVEMENT,
    coverage_now,
    province_targets_summary,
)
from baophu.vn import formats

SUMMARY_SHEET = "Tổng hợp"
LEVEL_SHEETS: dict[str, str] = {
    "province": "Tỉnh",
    "office": "BHXH cơ sở",
    "commune": "Xã, phường",
    "hamlet": "Thôn, ấp, khu phố",
}
# (column of coverage_by_unit, Vietnamese header, kind, width)
UNIT_COLUMNS: tuple[tuple[str, str, str, float], ...] = (
    ("unit_code", "Mã đơn vị", "text", 11),
    ("unit_name", "Tên đơn vị", "text", 30),
    ("parent_code", "Mã đơn vị cấp trên", "text", 12),
    ("population", "Dân số", "int", 12),
    ("bhyt_insured", "Số người tham gia BHYT", "int", 14),
    ("bhyt_rate", "Tỷ lệ bao phủ BHYT", "pct", 11),
    ("bhyt_target_rate", "Chỉ tiêu tỷ lệ BHYT", "pct", 11),
    ("labour_force", "Lực lượng lao động trong độ tuổi", "int", 14),
    ("bhxh_participants", "Số người tham gia BHXH", "int", 14),
    ("bhxh_rate", "Tỷ lệ tham gia BHXH", "pct", 11),
    ("bhtn_participants", "Số người tham gia BHTN", "int", 14),
    ("bhtn_rate", "Tỷ lệ tham gia BHTN", "pct", 11),
    ("compulsory_required", "Số người thuộc diện BHXH bắt buộc", "int", 14),
    ("compulsory_participants_workplace", "Số người tham gia BHXH bắt buộc", "int", 14),
    ("compulsory_rate", "Tỷ lệ tham gia BHXH bắt buộc", "pct", 11),
    ("compulsory_target_rate", "Chỉ tiêu tỷ lệ BHXH bắt buộc", "pct", 11),
    ("voluntary_pool", "Số người thuộc diện BHXH tự nguyện", "int", 14),
    ("voluntary_participants", "Số người tham gia BHXH tự nguyện", "int", 14),
    ("voluntary_rate", "Tỷ lệ tham gia BHXH tự nguyện", "pct", 11),
    ("bhyt_insured_nonresident", "Người ngoài tỉnh tham gia BHYT tại tỉnh", "int", 14),
    ("residents_insured_elsewhere", "Cư dân tham gia BHYT ở tỉnh khác", "int", 14),
    ("bhyt_rate_projected", "Dự báo tỷ lệ BHYT cuối năm", "pct", 11),
)
# colour the rate when it is below the target in the given column
BELOW_TARGET: tuple[tuple[str, str], ...] = (
    ("bhyt_rate", "bhyt_target_rate"),
    ("compulsory_rate", "compulsory_target_rate"),
)
INDICATOR_COLUMNS: tuple[tuple[str, str, str, float], ...] = (
    ("name_vi", "Chỉ tiêu", "text", 34),
    ("target_rate", "Chỉ tiêu giao (tỷ lệ)", "pct", 12),
    ("target_people", "Chỉ tiêu giao (người)", "int", 14),
    ("achieved", "Đã đạt (người)", "int", 14),
    ("achieved_rate", "Tỷ lệ đã đạt", "pct", 12),
    ("gap", "Còn thiếu (người)", "int", 13),
    ("needed_per_week", "Cần phát triển mỗi tuần", "int", 13),
    ("needed_per_day", "Cần phát triển mỗi ngày", "int", 13),
    ("days_left", "Số ngày còn lại", "int", 10),
)
LOWEST_COLUMNS: tuple[tuple[str, str, str, float], ...] = (
    ("unit_code", "Mã xã, phường", "text", 12),
    ("unit_name", "Tên xã, phường", "text", 30),
    ("population", "Dân số", "int", 12),
    ("bhyt_insured", "Số người tham gia BHYT", "int", 14),
    ("bhyt_rate", "Tỷ lệ bao phủ BHYT", "pct", 12),
)
ACHIEVER_COLUMNS: tuple[tuple[str, str, str, float], ...] = (
    ("indicator_vi", "Chỉ tiêu", "text", 30),
    ("unit_code", "Mã đơn vị", "text", 12),
    ("unit_name", "Tên đơn vị", "text", 30),
    ("target_people", "Chỉ tiêu (người)", "int", 12),
    ("achieved", "Đã đạt", "int", 12),
    ("achievement_ratio", "Tỷ lệ hoàn thành", "pct", 12),
    ("gap", "Còn thiếu", "int", 12),
    ("rank", "Xếp hạng", "int", 8),
)


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    base = {"font_name": "Times New Roman", "font_size": 11}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 14}),
        "subtitle": book.add_format({**base, "italic": True}),
        "section": book.add_format({**base, "bold": True, "font_size": 12}),
        "header": book.add_format(
            {
                **base,
                "bold": True,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "bg_color": "#DDEBF7",
                "border": 1,
            }
        ),
        "text": book.add_format({**base, "border": 1}),
        "int": book.add_format({**base, "border": 1, "num_format": "#,##0"}),
        "pct": book.add_format({**base, "border": 1, "num_format": "0.0%"}),
        "below": book.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"}),
    }


def _write_table(
    sheet: Any,
    fmt: dict[str, Any],
    first_row: int,
    columns: Sequence[tuple[str, str, str, float]],
    rows: Sequence[dict[str, Any]],
) -> int:
    """Header at ``first_row`` and the rows below it; returns the last row written."""
    for c, (_, header, _, width) in enumerate(columns):
        sheet.write_string(first_row, c, header, fmt["header"])
        sheet.set_column(c, c, width)
    sheet.set_row(first_row, 45)
    r = first_row
    for r, row in enumerate(rows, start=first_row + 1):
        for c, (name, _, kind, _) in enumerate(columns):
            value = row.get(name)
            if value is None:
                sheet.write_blank(r, c, None, fmt[kind if kind != "text" else "text"])
            elif kind == "text":
                sheet.write_string(r, c, str(value), fmt["text"])
            else:
                sheet.write_number(r, c, float(value), fmt[kind])
    return r


def build_meeting_workbook(
    path: Path,
    *,
    province_name: str,
    reference_date: dt.date,
    indicators: Sequence[dict[str, Any]],
    lowest_communes: Sequence[dict[str, Any]],
    levels: Mapping[str, Sequence[dict[str, Any]]],
    lowest_achievers: Sequence[dict[str, Any]] = (),
) -> Path:
    """Write the workbook.  ``levels`` maps a level to its rows (``coverage_by_unit`` rows
    with ``bhyt_target_rate`` and ``compulsory_target_rate`` added)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    fmt = _formats(book)
    day = formats.date(reference_date)

    summary = book.add_worksheet(SUMMARY_SHEET)
    summary.write_string(
        0, 0, "BÁO CÁO TÌNH HÌNH THỰC HIỆN CHỈ TIÊU BAO PHỦ BHYT, BHXH, BHTN", fmt["title"]
    )
    summary.write_string(1, 0, f"{province_name} — số liệu đến ngày {day}", fmt["subtitle"])
    summary.write_string(3, 0, "1. Kết quả so với chỉ tiêu giao", fmt["section"])
    last = _write_table(summary, fmt, 4, INDICATOR_COLUMNS, indicators)
    summary.freeze_panes(5, 1)
    summary.autofilter(4, 0, max(last, 5), len(INDICATOR_COLUMNS) - 1)
    row = last + 2
    summary.write_string(
        row,
        0,
        f"2. {len(lowest_communes)} xã, phường có tỷ lệ bao phủ BHYT thấp nhất",
        fmt["section"],
    )
    row = _write_table(summary, fmt, row + 1, LOWEST_COLUMNS, lowest_communes) + 2
    if lowest_achievers:
        summary.write_string(
            row,
            0,
            "3. Đơn vị thấp nhất so với chỉ tiêu được giao (mời giải trình)",
            fmt["section"],
        )
        _write_table(summary, fmt, row + 1, ACHIEVER_COLUMNS, lowest_achievers)

    for level, sheet_name in LEVEL_SHEETS.items():
        rows = levels.get(level, [])
        sheet = book.add_worksheet(sheet_name)
        last = _write_table(sheet, fmt, 0, UNIT_COLUMNS, rows)
        sheet.freeze_panes(1, 2)
        sheet.autofilter(0, 0, max(last, 1), len(UNIT_COLUMNS) - 1)
        names = [c[0] for c in UNIT_COLUMNS]
        for rate, target in BELOW_TARGET:
            rc, tc = names.index(rate), names.index(target)
            rate_col, target_col = xl_col_to_name(rc), xl_col_to_name(tc)
            if rows:
                sheet.conditional_format(
                    1,
                    rc,
                    len(rows),
                    rc,
                    {
                        "type": "formula",
                        "criteria": f"=AND(ISNUMBER(${rate_col}2),ISNUMBER(${target_col}2),"
                        f"${rate_col}2<${target_col}2)",
                        "format": fmt["below"],
                    },
                )
    book.set_properties({"title": f"Họp Ban Chỉ đạo — {province_name} — {day}", "author": "baophu"})
    book.close()
    return path


def write_meeting_workbook(
    store: Store, path: Path, reference_date: dt.date | None = None, lowest: int = 5
) -> Path:
    """Read the coverage (and, when present, achievement) marts and write the workbook."""
    coverage, day = coverage_now(store, reference_date)
    summary = province_targets_summary(store, day.year, day, lowest=lowest)
    default_target = {i["indicator"]: i["target_rate"] for i in summary["indicators"]}
    own: dict[tuple[str, str], float] = {}
    achievers: list[dict[str, Any]] = []
    if store.has_mart(MART_ACHIEVEMENT):
        ach = store.read_mart(MART_ACHIEVEMENT)
        ach = ach.filter((ach.hierarchy == "units") & (ach.year == day.year))
        for r in ach.to_pyarrow().to_pylist():
            if r["target_rate"] is not None:
                own[(r["unit_code"], r["indicator"])] = r["target_rate"]
            if r["is_lowest"] and r["level"] == "commune":
                achievers.append({**r, "indicator_vi": INDICATORS[r["indicator"]].vi})
    rows = store.read_mart(MART_BY_UNIT).order_by("unit_code").to_pyarrow().to_pylist()
    levels: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVEL_SHEETS}
    for r in rows:
        code = r["unit_code"]
        r["bhyt_target_rate"] = own.get((code, "bhyt_rate"), default_target.get("bhyt_rate"))
        r["compulsory_target_rate"] = own.get(
            (code, "compulsory_participants"), default_target.get("compulsory_participants")
        )
        if r["level"] in levels:
            levels[r["level"]].append(r)
    achievers.sort(key=lambda r: (r["indicator"], r["rank"]))
    del coverage
    return build_meeting_workbook(
        path,
        province_name=summary["province_name"],
        reference_date=day,
        indicators=summary["indicators"],
        lowest_communes=summary["lowest_communes"],
        levels=levels,
        lowest_achievers=achievers,
    )
