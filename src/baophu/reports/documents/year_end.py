"""The year-end report to the People's Committee (seed 003: results reported by 15/12):
the year against the plan, by indicator for the province and by unit for the grassroots
offices and the communes — all from ``achievement_by_unit``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from baophu.engine.targets import INDICATORS
from baophu.reports.documents import charts, narrative
from baophu.reports.documents.fmt import num, pct
from baophu.reports.documents.frames import frame_for, province_phrase
from baophu.reports.documents.model import DocTable, Document
from baophu.reports.documents.monthly import achievement_cells, achievement_rows
from baophu.reports.documents.sources import MartSet


def _verdict(r: dict[str, Any]) -> str:
    return "Đạt" if r["gap"] is not None and r["gap"] <= 0 else "Chưa đạt"


def province_table(rows: list[dict[str, Any]]) -> DocTable:
    return DocTable(
        headers=[
            "Chỉ tiêu",
            "Kế hoạch (tỷ lệ)",
            "Kế hoạch (người)",
            "Thực hiện (người)",
            "Tỷ lệ hoàn thành",
            "Còn thiếu (người)",
            "Đánh giá",
        ],
        rows=[
            [
                INDICATORS[r["indicator"]].vi,
                pct(r["target_rate"]) if r["target_rate"] is not None else "",
                *achievement_cells(r),
                _verdict(r),
            ]
            for r in rows
        ],
        widths=[3.4, 1.3, 1.4, 1.4, 1.3, 1.3, 1.1],
        empty_text="Chưa có chỉ tiêu giao cho năm này.",
    )


def units_table(rows: list[dict[str, Any]]) -> DocTable:
    return DocTable(
        headers=[
            "Hạng",
            "Mã",
            "Đơn vị",
            "Chỉ tiêu",
            "Kế hoạch (người)",
            "Thực hiện (người)",
            "Tỷ lệ hoàn thành",
            "Còn thiếu (người)",
        ],
        rows=[
            [
                num(r["rank"]),
                r["unit_code"],
                r["unit_name"],
                INDICATORS[r["indicator"]].vi,
                *achievement_cells(r),
            ]
            for r in rows
        ],
        widths=[0.7, 1.1, 3.0, 2.4, 1.3, 1.3, 1.2, 1.2],
        empty_text="Chưa giao chỉ tiêu cho cấp này.",
    )


def level_rows(marts: MartSet, year: int, level: str) -> list[dict[str, Any]]:
    a = marts.read("achievement_by_unit")
    a = a.filter((a.hierarchy == "units") & (a.year == year) & (a.level == level))
    return sorted(
        marts.rows(a),
        key=lambda r: (list(INDICATORS).index(r["indicator"]), r["rank"], r["unit_code"]),
    )


def build_year_end(
    marts: MartSet, unit_code: str | None, work_dir: Path, issued: dt.date | None = None
) -> Document:
    province = marts.unit(None)
    day = marts.day
    year = day.year
    rows = achievement_rows(marts, year, province["unit_code"])
    doc = Document(
        kind="year_end",
        unit_code=province["unit_code"],
        unit_name=province["unit_name"],
        frame=frame_for(
            "province",
            province["unit_name"],
            province["unit_name"],
            None,
            issued or day,
            f"Kết quả thực hiện chỉ tiêu phát triển đối tượng tham gia BHXH, BHYT, BHTN năm {year}",
            recipients=[
                f"UBND {province_phrase(province['unit_name'])} (qua Sở Nội vụ)",
                "BHXH Việt Nam (b/c)",
                "Các thành viên Ban Chỉ đạo",
            ],
        ),
        stamp=marts.stamp,
    )
    offices = level_rows(marts, year, "office")
    communes = level_rows(marts, year, "commune")
    doc.tables["province"] = province_table(rows)
    doc.tables["offices"] = units_table(offices)
    doc.tables["communes"] = units_table(communes)
    summary = [
        s
        for s in (
            narrative.indicator_sentence(
                narrative.IndicatorFigures(
                    name_vi=INDICATORS[r["indicator"]].vi,
                    achieved=r["achieved"],
                    target_people=r["target_people"],
                    gap=r["gap"],
                    behind_plan=r["behind_plan"],
                    needed_per_week=r["needed_per_week"],
                )
            )
            for r in rows
        )
        if s
    ]
    for level_vi, level in (("BHXH cơ sở", offices), ("xã, phường", communes)):
        for name in dict.fromkeys(r["indicator"] for r in level):
            of = [r for r in level if r["indicator"] == name]
            reached = sum(1 for r in of if r["gap"] is not None and r["gap"] <= 0)
            summary.append(
                narrative.units_reached_sentence(reached, len(of), level_vi, INDICATORS[name].vi)
            )
    doc.paragraphs["summary"] = summary
    bhyt_offices = [r for r in offices if r["indicator"] == "bhyt_rate"]
    doc.charts["offices"] = charts.achievement_chart(
        work_dir / f"{doc.file_stem()}-offices.png",
        "Tỷ lệ hoàn thành chỉ tiêu BHYT theo BHXH cơ sở",
        [(r["unit_name"], r["achievement_ratio"]) for r in bhyt_offices]
        or [(province["unit_name"], rows[0]["achievement_ratio"] if rows else None)],
    )
    doc.values.update({"year": str(year), "day": f"{day:%d/%m/%Y}"})
    return doc
