"""The monthly risk report of a grassroots office (xlsx, Vietnamese), built with xlsxwriter.

Sheet "Tổng hợp": per kind of case, the cases and the amount at stake, how many were
confirmed or found to be false alarms and the amount recovered; sheet "Danh sách vụ việc":
every case of the office, largest amount first, with its rule, evidence, period, amount,
who it is assigned to and the verdict.  Personal IDs are masked (last four digits): the file
leaves the system.  Every cell holds a value, never a formula.

``risk_report_rows(store, office_code)`` reads the ``risk_cases`` mart;
``write_risk_workbook(path, office, month, rows, states)`` writes what it is given (``states``:
the follow-up of each case from the operational database, read by the caller).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from baophu.backends import Store
from baophu.engine.risk import KIND_TITLE_VI, KINDS, MART_CASES
from baophu.vn import formats
from baophu.vn.masking import mask_text, mask_value

SUMMARY_SHEET = "Tổng hợp"
LIST_SHEET = "Danh sách vụ việc"
LIST_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("kind_vi", "Loại vụ việc", 28),
    ("full_name", "Họ và tên", 24),
    ("person_id", "Số định danh", 15),
    ("agent_code", "Tổ chức dịch vụ thu", 14),
    ("collector_code", "Nhân viên thu", 13),
    ("evidence_vi", "Bằng chứng", 60),
    ("period_start", "Từ ngày", 11),
    ("period_end", "Đến ngày", 11),
    ("amount", "Số tiền (đồng)", 15),
    ("action_vi", "Việc cần làm", 40),
    ("assignee", "Giao cho", 14),
    ("verdict_vi", "Kết luận", 14),
    ("amount_recovered", "Đã thu hồi (đồng)", 15),
    ("recovered_on", "Ngày thu hồi", 12),
    ("case_id", "Mã vụ việc", 30),
)


def risk_report_rows(store: Store, office_code: str) -> list[dict[str, Any]]:
    """The cases the office owns, largest amount first."""
    t = store.read_mart(MART_CASES)
    t = t.filter(t.office_code == office_code).order_by([t.amount.desc(), t.case_id])
    return list(t.to_pyarrow().to_pylist())


def write_risk_workbook(
    path: Path,
    office: Mapping[str, Any],
    month: dt.date,
    rows: Sequence[Mapping[str, Any]],
    states: Mapping[str, Mapping[str, Any]],
) -> Path:
    """Write the office's report for ``month`` to ``path``; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0", "border": 1})
    text = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    day = book.add_format({"num_format": "dd/mm/yyyy", "border": 1})
    name = f"{office.get('unit_name') or office['unit_code']} ({office['unit_code']})"
    heading = f"BÁO CÁO KIỂM SOÁT RỦI RO THÁNG {month:%m/%Y}"

    summary = book.add_worksheet(SUMMARY_SHEET)
    summary.write(0, 0, heading, title)
    summary.write(1, 0, name)
    headers = (
        "Loại vụ việc",
        "Số vụ việc",
        "Số tiền (đồng)",
        "Đúng vi phạm",
        "Không vi phạm",
        "Chưa xử lý",
        "Đã thu hồi (đồng)",
    )
    for c, h in enumerate(headers):
        summary.write(3, c, h, head)
    summary.set_column(0, 0, 40)
    summary.set_column(1, 6, 16)
    totals = [0] * 6
    for r, kind in enumerate(KINDS, start=4):
        mine = [x for x in rows if x["kind"] == kind]
        verdicts = [states.get(str(x["case_id"]), {}).get("verdict") for x in mine]
        values = [
            len(mine),
            sum(int(x["amount"] or 0) for x in mine),
            verdicts.count("confirmed"),
            verdicts.count("false_alarm"),
            sum(v is None for v in verdicts),
            sum(int(states.get(str(x["case_id"]), {}).get("amount_recovered") or 0) for x in mine),
        ]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        summary.write(r, 0, KIND_TITLE_VI[kind], text)
        for c, v in enumerate(values, start=1):
            summary.write_number(r, c, v, money)
    last = 4 + len(KINDS)
    summary.write(last, 0, "Tổng cộng", head)
    for c, v in enumerate(totals, start=1):
        summary.write_number(last, c, v, money)
    summary.write(last + 2, 0, f"Lập ngày {formats.date(dt.date.today())}")

    sheet = book.add_worksheet(LIST_SHEET)
    sheet.write(0, 0, heading, title)
    sheet.write(1, 0, name)
    for c, (_, header, width) in enumerate(LIST_COLUMNS):
        sheet.write(3, c, header, head)
        sheet.set_column(c, c, width)
    sheet.freeze_panes(4, 0)
    for r, row in enumerate(rows, start=4):
        state = states.get(str(row["case_id"]), {})
        cells: dict[str, Any] = {
            **row,
            **state,
            "kind_vi": KIND_TITLE_VI.get(str(row["kind"]), row["kind"]),
            "person_id": mask_value(row.get("person_id")),
            "evidence_vi": mask_text(row.get("evidence_vi") or ""),
        }
        for c, (key, _, _) in enumerate(LIST_COLUMNS):
            cell = cells.get(key)
            if cell is None or cell == "":
                sheet.write_blank(r, c, None, text)
            elif key in ("amount", "amount_recovered"):
                sheet.write_number(r, c, int(cell), money)
            elif isinstance(cell, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(cell, dt.time()), day)
            else:
                sheet.write_string(r, c, str(cell), text)
    sheet.autofilter(3, 0, 3 + max(len(rows), 1), len(LIST_COLUMNS) - 1)
    book.close()
    return path
