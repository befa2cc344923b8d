"""The quarterly reports to the province's departments:

* Finance — state-budget money for BHYT and voluntary BHXH by paying department and group
  for the quarter of the reference date (``budget_arrears``, level ``quarter``);
* Health — BHYT spending against the estimate from the claims engine's mart
  (``claims_spending_monthly``; "chưa có số liệu" until it exists) and the insured by group
  (``bhyt_by_group``);
* the labour inspectorate — the employers proposed for inspection (``inspection_list``) and
  those late 3+ months (``employer_balance``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis

from baophu.reports.documents.fmt import date, money, month, num, pct, quarter_of
from baophu.reports.documents.frames import frame_for, province_phrase
from baophu.reports.documents.model import DocTable, Document
from baophu.reports.documents.monthly import SCOPE_COLUMN, arrears
from baophu.reports.documents.sources import MartSet
from baophu.vn.masking import mask_text

CLAIMS_MART = "claims_spending_monthly"
# Labels of the claims mart's columns when it has them (any other column prints by name).
CLAIMS_LABELS = {
    "month": "Tháng",
    "period": "Tháng",
    "facility_code": "Mã cơ sở KCB",
    "visits": "Lượt KCB",
    "spending": "Chi BHYT (đồng)",
    "fund_paid": "Quỹ BHYT thanh toán (đồng)",
    "estimate": "Dự toán (đồng)",
    "estimate_to_date": "Dự toán lũy kế (đồng)",
    "spending_to_date": "Chi lũy kế (đồng)",
    "share_of_estimate": "Tỷ lệ so với dự toán",
}
GROUP_VI = {
    "employee": "Người lao động",
    "pensioner": "Hưởng lương hưu, trợ cấp BHXH",
    "unemployment_benefit": "Hưởng trợ cấp thất nghiệp",
    "child_under_6": "Trẻ em dưới 6 tuổi",
    "poor": "Người thuộc hộ nghèo",
    "ethnic_minority_hardship": "Người DTTS vùng khó khăn",
    "meritorious": "Người có công",
    "social_protection": "Bảo trợ xã hội",
    "social_pension": "Hưởng trợ cấp hưu trí xã hội",
    "near_poor": "Người thuộc hộ cận nghèo",
    "student": "Học sinh, sinh viên",
    "farming_average": "Hộ nông lâm ngư diêm nghiệp mức sống trung bình",
    "household": "Tham gia theo hộ gia đình",
    "voluntary": "BHXH tự nguyện",
    "other": "Khác",
    "survivor_allowance": "Hưởng trợ cấp tuất hằng tháng",
}
PAYER_VI = {
    "employer": "Người sử dụng lao động",
    "si_fund": "Quỹ BHXH",
    "state_budget": "Ngân sách nhà nước",
    "budget_supported": "Ngân sách hỗ trợ",
    "household": "Hộ gia đình",
    "self": "Tự đóng",
}
INSPECTION_SHOWN = 100


def _frame(marts: MartSet, subtitle: str, recipients: list[str], issued: dt.date | None):
    province = marts.unit(None)
    return province, frame_for(
        "province",
        province["unit_name"],
        province["unit_name"],
        None,
        issued or marts.day,
        subtitle,
        recipients=recipients,
    )


# --------------------------------------------------------------------------------- finance


def build_finance(
    marts: MartSet, unit_code: str | None, work_dir: Path, issued: dt.date | None = None
) -> Document:
    year, q = quarter_of(marts.day)
    label = f"{year}-Q{q}"
    province, frame = _frame(
        marts,
        f"Tình hình ngân sách nhà nước đóng, hỗ trợ đóng BHYT, BHXH tự nguyện quý {q} năm {year}",
        [f"Sở Tài chính {province_phrase(marts.unit(None)['unit_name'])}", "Sở Nội vụ", "Sở Y tế"],
        issued,
    )
    b = marts.read("budget_arrears")
    b = b.filter((b.level == "quarter") & (b.quarter == label))
    rows = sorted(marts.rows(b), key=lambda r: (r["department_name"], r["group_name"] or ""))
    totals = b.group_by(["department", "department_name"]).aggregate(
        persons=b.persons.sum(),
        amount_due=b.amount_due.sum(),
        amount_paid=b.amount_paid.sum(),
        outstanding=b.outstanding.sum(),
        overdue_amount=b.overdue_amount.sum(),
        cumulative_outstanding=b.cumulative_outstanding.sum(),
    )
    by_department = {r["department"]: r for r in marts.rows(totals)}
    table_rows: list[list[str]] = []
    bold: set[int] = set()
    for department in sorted(by_department, key=lambda d: by_department[d]["department_name"]):
        t = by_department[department]
        for r in (r for r in rows if r["department"] == department):
            table_rows.append(
                [
                    r["department_name"],
                    r["group_name"] or r["participant_group"],
                    num(r["persons"]),
                    money(r["amount_due"]),
                    money(r["amount_paid"]),
                    money(r["outstanding"]),
                    money(r["overdue_amount"]),
                    money(r["cumulative_outstanding"]),
                ]
            )
        bold.add(len(table_rows))
        table_rows.append(
            [
                t["department_name"],
                "Cộng",
                num(t["persons"]),
                money(t["amount_due"]),
                money(t["amount_paid"]),
                money(t["outstanding"]),
                money(t["overdue_amount"]),
                money(t["cumulative_outstanding"]),
            ]
        )
    doc = Document("finance", province["unit_code"], province["unit_name"], frame, marts.stamp)
    doc.tables["quarter"] = DocTable(
        headers=[
            "Cơ quan chi trả",
            "Nhóm đối tượng",
            "Số người",
            "Phải chuyển (đồng)",
            "Đã chuyển (đồng)",
            "Còn phải chuyển (đồng)",
            "Quá hạn (đồng)",
            "Lũy kế còn nợ (đồng)",
        ],
        rows=table_rows,
        widths=[1.6, 2.6, 1.0, 1.5, 1.5, 1.5, 1.4, 1.5],
        bold_rows=bold,
        empty_text=f"Không có khoản ngân sách nhà nước phải chuyển trong quý {q}/{year}.",
    )
    doc.paragraphs["summary"] = [
        f"{t['department_name']}: phải chuyển {money(t['amount_due'])} đồng, đã chuyển "
        f"{money(t['amount_paid'])} đồng, còn phải chuyển {money(t['outstanding'])} đồng"
        + (f", trong đó quá hạn {money(t['overdue_amount'])} đồng" if t["overdue_amount"] else "")
        + "."
        for t in sorted(by_department.values(), key=lambda t: t["department_name"])
    ]
    doc.values.update({"quarter": f"{q}/{year}"})
    return doc


# ---------------------------------------------------------------------------------- health


def _claims_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return month(value) if column in ("month", "period") else date(value)
    if isinstance(value, float) and ("share" in column or "ratio" in column or "rate" in column):
        return pct(value)
    if isinstance(value, int | float):
        return num(value)
    return str(value)


def build_health(
    marts: MartSet, unit_code: str | None, work_dir: Path, issued: dt.date | None = None
) -> Document:
    year, q = quarter_of(marts.day)
    province, frame = _frame(
        marts,
        f"Tình hình chi khám bệnh, chữa bệnh BHYT và người tham gia BHYT quý {q} năm {year}",
        [f"Sở Y tế {province_phrase(marts.unit(None)['unit_name'])}", "Sở Tài chính"],
        issued,
    )
    doc = Document("health", province["unit_code"], province["unit_name"], frame, marts.stamp)
    claims = marts.optional(CLAIMS_MART, same_date=False)
    if claims is None:
        doc.tables["spending"] = DocTable(
            headers=[],
            rows=[],
            empty_text="Chưa có số liệu chi khám bệnh, chữa bệnh BHYT.",
        )
        doc.paragraphs["spending"] = [
            "Chưa có số liệu chi khám bệnh, chữa bệnh BHYT so với dự toán (bảng "
            f"{CLAIMS_MART} chưa được tính cho trạng thái dữ liệu này)."
        ]
    else:
        key = next((c for c in ("month", "period") if c in claims.columns), None)
        if key is not None:
            claims = claims.filter(
                (claims[key].cast("date") >= ibis.literal(dt.date(year, 1, 1)))
                & (claims[key].cast("date") <= ibis.literal(marts.day))
            ).order_by(key)
        columns = list(claims.columns)
        rows = marts.rows(claims)
        doc.tables["spending"] = DocTable(
            headers=[CLAIMS_LABELS.get(c, c) for c in columns],
            rows=[[_claims_cell(c, r[c]) for c in columns] for r in rows],
            empty_text=f"Không có số liệu chi BHYT năm {year}.",
        )
        doc.paragraphs["spending"] = [
            f"Số liệu chi BHYT từ tháng 01/{year} đến tháng {marts.day:%m/%Y} "
            f"({len(rows)} dòng, bảng {CLAIMS_MART})."
        ]
    g = marts.read("bhyt_by_group")
    g = g.filter(g.level == "province").order_by([ibis.desc("insured"), "participant_group"])
    groups = marts.rows(g)
    total = sum(int(r["insured"] or 0) for r in groups)
    doc.tables["groups"] = DocTable(
        headers=["Nhóm đối tượng", "Người đóng", "Số người tham gia BHYT", "Tỷ trọng"],
        rows=[
            [
                GROUP_VI.get(r["participant_group"], r["participant_group"]),
                PAYER_VI.get(r["payer"], r["payer"]),
                num(r["insured"]),
                pct(r["insured"] / total) if total else "",
            ]
            for r in groups
        ]
        + [["Tổng số", "", num(total), pct(1.0) if total else ""]],
        widths=[4.0, 2.2, 1.8, 1.2],
        bold_rows={len(groups)},
    )
    doc.values.update({"quarter": f"{q}/{year}"})
    return doc


# ------------------------------------------------------------------------------ inspection


def build_inspection(
    marts: MartSet, unit_code: str | None, work_dir: Path, issued: dt.date | None = None
) -> Document:
    unit = marts.unit(unit_code)
    province = marts.unit(None)
    year, q = quarter_of(marts.day)
    frame = frame_for(
        unit["level"] if unit["level"] in ("province", "office") else "province",
        unit["unit_name"],
        province["unit_name"],
        unit["unit_name"] if unit["level"] == "office" else None,
        issued or marts.day,
        f"Danh sách đơn vị sử dụng lao động đề nghị thanh tra, kiểm tra quý {q} năm {year}"
        + ("" if unit["level"] == "province" else f" — {unit['unit_name']}"),
        recipients=[
            f"Thanh tra {province_phrase(province['unit_name'])}",
            "Sở Nội vụ (lĩnh vực lao động)",
            "BHXH cơ sở",
        ],
    )
    doc = Document("inspection", unit["unit_code"], unit["unit_name"], frame, marts.stamp)
    ins = marts.read("inspection_list")
    if unit["level"] in SCOPE_COLUMN:
        ins = ins.filter(ins[SCOPE_COLUMN[unit["level"]]] == unit["unit_code"])
    n_total = int(ins.count().to_pyarrow().as_py())
    rows = marts.rows(ins.order_by(["list_rank", "entity_key"]).limit(INSPECTION_SHOWN))
    doc.tables["inspection"] = DocTable(
        headers=[
            "STT",
            "Tên đơn vị",
            "Mã số thuế",
            "Mã đơn vị BHXH",
            "Xã, phường",
            "Lý do đề nghị",
            "Điểm rủi ro",
            "Ước số tiền trốn, thiếu đóng mỗi tháng (đồng)",
        ],
        rows=[
            [
                num(r["list_rank"]),
                r["name"] or "",
                r["tax_code"] or "",
                r["employer_code"] or "(chưa đăng ký)",
                r["commune_name"] or "",
                mask_text(r["reason"] or ""),
                num(r["total_score"]),
                money(r["estimated_monthly_evaded"]),
            ]
            for r in rows
        ],
        widths=[0.6, 3.2, 1.4, 1.4, 1.6, 3.2, 0.9, 1.6],
        empty_text="Không có đơn vị nào trong danh sách đề nghị thanh tra, kiểm tra.",
    )
    summary_table, late, figures, _ = arrears(marts, unit)
    del summary_table
    doc.tables["late_employers"] = late
    parts = [
        f"{num(n_total)} đơn vị được đề xuất thanh tra, kiểm tra theo các dấu hiệu trốn đóng, "
        f"đóng không đủ số người, chậm đóng kéo dài"
        + (
            f" (danh sách dưới đây gồm {num(len(rows))} đơn vị đầu)."
            if n_total > len(rows)
            else "."
        )
    ]
    if figures is not None and figures.late_3plus is not None:
        parts.append(f"{num(figures.late_3plus)} đơn vị chậm đóng từ 3 tháng trở lên.")
    doc.paragraphs["summary"] = parts
    return doc
