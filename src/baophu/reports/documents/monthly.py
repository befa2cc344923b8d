"""The monthly steering-committee report ("Báo cáo kết quả thực hiện chỉ tiêu BHXH, BHYT
tháng …", seeds 000 and 004) of a province, a grassroots office or a commune.

Sections, each read from a mart: the indicators against the year's target (gap in people,
pace needed; ``achievement_by_unit``), the coverage rates now and a month ago with the trend
chart (``coverage_by_unit``, ``coverage_series``), the units below ranked with the lowest
called to report (``achievement_by_unit``), arrears and the employers late 3+ months
(``arrears_by_unit``, ``arrears_trend``, ``employer_balance``), the campaign when one runs
(``campaign_progress``), the potential lists by reason (``potential_summary``) and the short
text generated from those figures (``narrative``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis

from baophu.contracts.vocabularies import REASON_VI, REASONS
from baophu.engine.compliance import arrears_ratio_ceiling
from baophu.engine.dates import add_months, month_start
from baophu.engine.targets import INDICATORS
from baophu.reports.documents import charts, narrative
from baophu.reports.documents.fmt import money, num, pct
from baophu.reports.documents.frames import CHILD_LEVEL, CHILD_LEVEL_VI, frame_for
from baophu.reports.documents.model import DocTable, Document, DocumentError
from baophu.reports.documents.sources import MartSet

RATES: tuple[tuple[str, str], ...] = (
    ("bhyt_rate", "Tỷ lệ bao phủ BHYT (so với dân số)"),
    ("bhxh_rate", "Tỷ lệ tham gia BHXH (so với lực lượng lao động)"),
    ("bhtn_rate", "Tỷ lệ tham gia BHTN (so với lực lượng lao động)"),
    ("compulsory_rate", "Tỷ lệ tham gia BHXH bắt buộc (so với số thuộc diện)"),
    ("voluntary_rate", "Tỷ lệ tham gia BHXH tự nguyện (so với số thuộc diện)"),
)
TREND = (("bhyt_rate", "BHYT"), ("bhxh_rate", "BHXH"), ("bhtn_rate", "BHTN"))
TREND_MONTHS = 12
LATE_EMPLOYERS_SHOWN = 20
SCOPE_COLUMN = {"office": "office_code", "commune": "commune_code"}


def indicator_order(name: str) -> int:
    names = list(INDICATORS)
    return names.index(name) if name in names else len(names)


def previous_month_end(day: dt.date) -> dt.date:
    return month_start(day) - dt.timedelta(days=1)


def _series_rows(marts: MartSet, unit: str, days: list[dt.date]) -> dict[dt.date, dict[str, Any]]:
    s = marts.read("coverage_series")
    s = s.filter((s.unit_code == unit) & s.reference_date.cast("date").isin(days))
    out = {}
    for r in marts.rows(s):
        day = r["reference_date"]
        out[day.date() if isinstance(day, dt.datetime) else day] = r
    return out


def achievement_rows(marts: MartSet, year: int, unit: str) -> list[dict[str, Any]]:
    a = marts.read("achievement_by_unit")
    a = a.filter((a.hierarchy == "units") & (a.year == year) & (a.unit_code == unit))
    return sorted(marts.rows(a), key=lambda r: indicator_order(r["indicator"]))


def achievement_cells(r: dict[str, Any]) -> list[str]:
    """An ``achievement_by_unit`` row's planned people, people reached, completion ratio and
    people still missing, as table cells."""
    return [
        num(r["target_people"]),
        num(r["achieved"]),
        pct(r["achievement_ratio"]),
        num(r["gap"]),
    ]


def indicator_figures(
    targets: list[dict[str, Any]], now: dict[str, Any], before: dict[str, Any] | None
) -> list[narrative.IndicatorFigures]:
    out = []
    for r in targets:
        ind = INDICATORS[r["indicator"]]
        rate = now.get(ind.name) if ind.is_rate else None
        last_rate = before.get(ind.name) if (before and ind.is_rate) else None
        out.append(
            narrative.IndicatorFigures(
                name_vi=ind.vi,
                rate=rate,
                rate_last_month=last_rate,
                achieved=r["achieved"],
                achieved_last_month=None if before is None else before.get(ind.numerator),
                target_people=r["target_people"],
                gap=r["gap"],
                behind_plan=r["behind_plan"],
                needed_per_week=r["needed_per_week"],
            )
        )
    return out


def targets_table(targets: list[dict[str, Any]], before: dict[str, Any] | None) -> DocTable:
    rows = []
    for r in targets:
        ind = INDICATORS[r["indicator"]]
        last = None if before is None else before.get(ind.numerator)
        behind = r["behind_plan"]
        rows.append(
            [
                ind.vi,
                pct(r["target_rate"]) if r["target_rate"] is not None else "",
                num(r["target_people"]),
                num(r["achieved"]),
                num(last),
                pct(r["achievement_ratio"]),
                num(r["gap"]),
                "" if behind is None else ("chậm " if behind > 0 else "vượt ") + num(abs(behind)),
                num(r["needed_per_week"]),
                num(r["needed_per_day"]),
            ]
        )
    return DocTable(
        headers=[
            "Chỉ tiêu",
            "Tỷ lệ giao",
            "Chỉ tiêu năm (người)",
            "Đã đạt (người)",
            "Tháng trước (người)",
            "Tỷ lệ hoàn thành",
            "Còn thiếu (người)",
            "So với tiến độ (người)",
            "Cần mỗi tuần",
            "Cần mỗi ngày",
        ],
        rows=rows,
        widths=[3.2, 1.1, 1.4, 1.4, 1.4, 1.2, 1.2, 1.3, 1.0, 1.0],
        empty_text="Chưa có chỉ tiêu giao cho năm này.",
    )


def rates_table(now: dict[str, Any], before: dict[str, Any] | None) -> DocTable:
    rows = []
    for column, label in RATES:
        value = now.get(column)
        last = None if before is None else before.get(column)
        change = ""
        if value is not None and last is not None:
            delta = value - last
            change = ("+" if delta >= 0 else "−") + f"{abs(delta) * 100:.2f}".replace(".", ",")
        rows.append([label, pct(value), pct(last), change])
    return DocTable(
        headers=["Tỷ lệ", "Tháng này", "Tháng trước", "Thay đổi (điểm %)"],
        rows=rows,
        widths=[4.5, 1.3, 1.3, 1.4],
    )


def ranking(marts: MartSet, year: int, unit: dict[str, Any]) -> tuple[DocTable, list[str], str]:
    """The units one level below ranked by BHYT achievement (the mart's rank among all units
    of that level in the province), and the names of those called to report."""
    level = unit["level"]
    child = CHILD_LEVEL.get(level)
    if child is None:
        return DocTable(headers=[], rows=[]), [], ""
    cov = marts.read("coverage_by_unit")
    kids = cov.filter(cov.level == child)
    if level != "province":
        kids = kids.filter(kids.parent_code == unit["unit_code"])
    rates = {r["unit_code"]: r for r in marts.rows(kids.select("unit_code", "bhyt_rate"))}
    a = marts.read("achievement_by_unit")
    a = a.filter(
        (a.hierarchy == "units")
        & (a.year == year)
        & (a.indicator == "bhyt_rate")
        & (a.level == child)
        & a.unit_code.isin(list(rates) or [""])
    )
    rows = sorted(marts.rows(a), key=lambda r: (r["rank"], r["unit_code"]))
    called = [r["unit_name"] for r in rows if r["is_lowest"]]
    table = DocTable(
        headers=[
            "Hạng" if level == "province" else "Hạng (toàn tỉnh)",
            "Mã",
            f"Tên {CHILD_LEVEL_VI[child]}",
            "Tỷ lệ BHYT",
            "Chỉ tiêu (người)",
            "Đã đạt (người)",
            "Tỷ lệ hoàn thành",
            "Còn thiếu (người)",
            "Mời giải trình",
        ],
        rows=[
            [
                num(r["rank"]),
                r["unit_code"],
                r["unit_name"],
                pct(rates[r["unit_code"]]["bhyt_rate"]),
                *achievement_cells(r),
                "X" if r["is_lowest"] else "",
            ]
            for r in rows
        ],
        widths=[0.8, 1.2, 3.2, 1.1, 1.3, 1.3, 1.2, 1.2, 1.0],
        empty_text="Chưa giao chỉ tiêu BHYT cho cấp dưới (baophu targets allocate).",
    )
    return table, called, CHILD_LEVEL_VI[child]


def arrears(
    marts: MartSet, unit: dict[str, Any]
) -> tuple[DocTable, DocTable, narrative.ArrearsFigures | None, dict[str, Any]]:
    level, code = unit["level"], unit["unit_code"]
    by_unit = marts.read("arrears_by_unit")
    found = marts.rows(by_unit.filter((by_unit.dimension == level) & (by_unit.unit_code == code)))
    row = found[0] if found else {}
    trend = marts.read("arrears_trend")
    this_month = month_start(marts.day)
    last_month = add_months(this_month, -1)
    months = {
        (r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]): r
        for r in marts.rows(
            trend.filter(
                (trend.dimension == level)
                & (trend.unit_code == code)
                & trend.month.cast("date").isin([this_month, last_month])
            )
        )
    }
    now, before = months.get(this_month, {}), months.get(last_month, {})
    summary = DocTable(
        headers=["Nội dung", "Tháng này", "Tháng trước"],
        rows=[
            ["Số đơn vị sử dụng lao động", num(row.get("employers")), ""],
            [
                "Số đơn vị đang chậm đóng",
                num(row.get("employers_late")),
                num(before.get("employers_late")),
            ],
            [
                "Số đơn vị chậm đóng từ 3 tháng trở lên",
                num(row.get("employers_late_3plus")),
                num(before.get("employers_late_3plus")),
            ],
            [
                "Số tiền chậm đóng (đồng)",
                money(row.get("late_amount")),
                money(before.get("late_amount")),
            ],
            [
                "Trong đó chậm đóng từ 3 tháng trở lên (đồng)",
                money(row.get("late_3plus_amount")),
                money(before.get("late_3plus_amount")),
            ],
            [
                "Tỷ lệ chậm đóng so với số phải thu",
                pct(row.get("arrears_ratio")),
                pct(before.get("arrears_ratio")),
            ],
            ["Lãi chậm đóng chưa nộp (đồng)", money(row.get("interest_outstanding")), ""],
        ],
        widths=[4.5, 2.0, 2.0],
    )
    figures = (
        narrative.ArrearsFigures(
            ratio=row.get("arrears_ratio"),
            ratio_last_month=before.get("arrears_ratio"),
            ceiling=arrears_ratio_ceiling(marts.day),
            late_3plus=row.get("employers_late_3plus"),
            late_3plus_last_month=before.get("employers_late_3plus"),
        )
        if row
        else None
    )
    balance = marts.read("employer_balance")
    late = balance.filter(balance.late_3plus)
    if level in SCOPE_COLUMN:
        late = late.filter(late[SCOPE_COLUMN[level]] == code)
    late = late.order_by([ibis.desc("late_amount"), "employer_code"]).limit(LATE_EMPLOYERS_SHOWN)
    employers = DocTable(
        headers=[
            "STT",
            "Mã đơn vị",
            "Tên đơn vị",
            "Xã, phường",
            "Số tháng chậm",
            "Số tiền chậm đóng (đồng)",
            "Lãi chưa nộp (đồng)",
        ],
        rows=[
            [
                str(i),
                r["employer_code"],
                r["employer_name"],
                r["commune_name"] or "",
                num(r["months_late"]),
                money(r["late_amount"]),
                money(r["interest_outstanding"]),
            ]
            for i, r in enumerate(marts.rows(late), 1)
        ],
        widths=[0.6, 1.5, 4.0, 2.0, 1.0, 1.8, 1.6],
        empty_text="Không có đơn vị chậm đóng từ 3 tháng trở lên.",
    )
    return summary, employers, figures, {**row, "month": now}


def campaign(marts: MartSet, unit: str) -> DocTable | None:
    c = marts.optional("campaign_progress", same_date=False)
    if c is None:
        return None
    c = c.filter(c.unit_code == unit)
    rows = marts.rows(c)
    if not rows:
        return None
    last = max(r["day"] for r in rows)
    rows = sorted(
        (r for r in rows if r["day"] == last), key=lambda r: indicator_order(r["indicator"])
    )
    return DocTable(
        headers=[
            "Chỉ tiêu",
            "Ngày thứ",
            "Đã đạt (người)",
            "Cần đạt theo tiến độ",
            "Vượt (+) / thiếu (−)",
            "Còn thiếu đến đích",
            "Cần mỗi ngày",
        ],
        rows=[
            [
                INDICATORS[r["indicator"]].vi,
                num(r["day_number"]),
                num(r["achieved"]),
                num(r["needed_by_day"]),
                ("+" if r["ahead"] >= 0 else "−") + num(abs(r["ahead"])),
                num(r["still_needed"]),
                num(r["needed_per_day"]),
            ]
            for r in rows
        ],
        widths=[3.2, 0.9, 1.4, 1.5, 1.4, 1.4, 1.1],
    )


def potential(marts: MartSet, unit: dict[str, Any]) -> DocTable:
    s = marts.read("potential_summary")
    if unit["level"] in SCOPE_COLUMN:
        s = s.filter(s[SCOPE_COLUMN[unit["level"]]] == unit["unit_code"])
    g = s.group_by("reason").aggregate(
        persons=s.persons.sum().cast("int64"), priority_1=s.priority_1.sum().cast("int64")
    )
    found = {r["reason"]: r for r in marts.rows(g)}
    rows = [
        [
            REASON_VI.get(reason, reason),
            num(found[reason]["persons"]),
            num(found[reason]["priority_1"]),
        ]
        for reason in REASONS
        if reason in found
    ]
    if "*" in found:
        rows.append(["Tổng số người (mỗi người tính một lần)", num(found["*"]["persons"]), ""])
    return DocTable(
        headers=["Lý do cần vận động", "Số người", "Trong đó ưu tiên 1"],
        rows=rows,
        widths=[5.0, 1.5, 1.5],
        bold_rows={len(rows) - 1} if "*" in found else set(),
    )


def build_monthly(
    marts: MartSet, unit_code: str | None, work_dir: Path, issued: dt.date | None = None
) -> Document:
    unit = marts.unit(unit_code)
    if unit["level"] not in ("province", "office", "commune"):
        raise DocumentError(
            "Báo cáo tháng lập cho tỉnh, BHXH cơ sở hoặc xã, phường / the monthly report is "
            "made for the province, a grassroots office or a commune"
        )
    province = marts.unit(None)
    day = marts.day
    year = day.year
    before_day = previous_month_end(day)
    series_days = [add_months(month_start(day), -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    series_days = [add_months(d, 1) - dt.timedelta(days=1) for d in series_days]
    series = _series_rows(marts, unit["unit_code"], [*series_days, before_day])
    before = series.get(before_day)
    targets = achievement_rows(marts, year, unit["unit_code"])
    figures = indicator_figures(targets, unit, before)
    rank_table, called, child_vi = ranking(marts, year, unit)
    arrears_summary, late_table, arrears_figures, _ = arrears(marts, unit)
    subtitle = (
        f"Kết quả thực hiện chỉ tiêu BHXH, BHYT, BHTN tháng {day.month:02d} năm {day.year}"
        + ("" if unit["level"] == "province" else f" — {unit['unit_name']}")
    )
    doc = Document(
        kind="monthly",
        unit_code=unit["unit_code"],
        unit_name=unit["unit_name"],
        frame=frame_for(
            unit["level"],
            unit["unit_name"],
            province["unit_name"],
            unit["unit_name"] if unit["level"] == "office" else None,
            issued or day,
            subtitle,
        ),
        stamp=marts.stamp,
    )
    trend_days = [d for d in series_days if d in series]
    target_rates = [
        (label, r["target_rate"])
        for name, label in TREND
        for r in targets
        if r["indicator"] == name and r["target_rate"] is not None
    ]
    doc.charts["trend"] = charts.trend_chart(
        work_dir / f"{doc.file_stem()}-trend.png",
        f"Tỷ lệ bao phủ theo tháng — {unit['unit_name']}",
        trend_days,
        [(label, [series[d].get(name) for d in trend_days]) for name, label in TREND],
        target_rates,
    )
    doc.tables["targets"] = targets_table(targets, before)
    doc.tables["rates"] = rates_table(unit, before)
    doc.tables["ranking"] = rank_table
    doc.tables["arrears"] = arrears_summary
    doc.tables["late_employers"] = late_table
    campaign_table = campaign(marts, unit["unit_code"])
    if campaign_table is not None:
        doc.tables["campaign"] = campaign_table
    doc.tables["potential"] = potential(marts, unit)
    doc.paragraphs["summary"] = narrative.summary(figures, arrears_figures, called, child_vi)
    doc.values.update(
        {
            "month": f"{day.month:02d}/{day.year}",
            "year": str(year),
            "unit_name": unit["unit_name"],
            "child_level": child_vi,
            "has_ranking": bool(child_vi),
            "has_campaign": campaign_table is not None,
            "late_3plus_total": num(arrears_figures.late_3plus if arrears_figures else None),
            "called": ", ".join(called),
        }
    )
    return doc
