"""The monthly notice (C12-TS) as Excel workbooks, written with xlsxwriter.

Owns two layouts with the content of ``notice``:

* ``write_notice_xlsx`` — one employer's notice laid out like the form (title, employer,
  the C12-TS table with one column per scheme, the amount expected this month);
* ``write_notices_workbook`` — one row per employer (a case officer's employers, or any list):
  the same figures side by side, for the officer to follow up and filter.

Amounts are numbers (whole VND) with a thousands format, so they can be summed and checked;
headers are Vietnamese.  Every text cell is written with ``write_string`` (an employer named
``=HYPERLINK(…)`` stays text, never a live formula).  Workbooks are written in constant-memory
mode.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter

from baophu.reports import notice
from baophu.reports.notice import NoticeData
from baophu.vn.formats import date as vn_date
from baophu.vn.formats import month as vn_month
from baophu.vn.text import nfc

AMOUNT_FORMAT = "#,##0"

ROW_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("STT", "", 6),
    ("Mã đơn vị", "employer_code", 13),
    ("Tên đơn vị", "employer_name", 40),
    ("Mã số thuế", "tax_code", 12),
    ("Địa chỉ", "address", 34),
    ("Tháng", "month", 9),
    ("Số dư đầu kỳ", "opening_balance", 15),
    ("Phải đóng BHXH", "due_bhxh_funds", 14),
    ("Phải đóng BHYT", "due_bhyt", 14),
    ("Phải đóng BHTN", "due_bhtn", 14),
    ("Phải đóng BHTNLĐ-BNN", "due_bhtnld", 14),
    ("Tổng phải đóng", "due_total", 15),
    ("Điều chỉnh", "adjustments", 12),
    ("Lãi chậm đóng", "interest", 13),
    ("Đã nộp trong tháng", "paid", 15),
    ("Số dư cuối kỳ", "closing_balance", 15),
    ("Trong đó chậm đóng", "late_amount", 15),
    ("Lãi chưa nộp", "interest_outstanding", 13),
    ("Dự kiến phải đóng tháng sau", "next_due_total", 15),
    ("Tổng cần nộp", "to_pay", 15),
    ("Hạn đóng", "deadline", 11),
)


def _table_values(n: NoticeData) -> list[tuple[str, str, list[int | None]]]:
    return [*notice.table_figures(n), ("9", *notice.next_due_figures(n))]


def _merged_text(ws: Any, row: int, last_col: int, text: str, fmt: Any) -> None:
    """Text across columns 0..last_col of a row, written as a string (``merge_range`` alone
    would write a leading ``=`` as a formula)."""
    ws.merge_range(row, 0, row, last_col, "", fmt)
    ws.write_string(row, 0, text, fmt)


def write_notice_xlsx(n: NoticeData, path: Path) -> None:
    """One employer's notice as a workbook laid out like form C12-TS."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("C12-TS")
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 13, "align": "center"})
    centre = wb.add_format({"align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter"})
    cell = wb.add_format({"border": 1})
    amount = wb.add_format({"border": 1, "num_format": AMOUNT_FORMAT})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 6, 16)
    (vss, nation), (province, motto), (office, form) = notice.letterhead(n)
    ws.write_string(0, 0, vss)
    ws.write_string(0, 4, nation, bold)
    ws.write_string(1, 0, province, bold)
    ws.write_string(1, 4, motto, bold)
    ws.write_string(2, 0, office)
    ws.write_string(2, 4, form)
    _merged_text(ws, 4, 6, notice.TITLE, title)
    _merged_text(ws, 5, 6, notice.month_line(n), centre)
    row = 7
    for label, value in notice.header_lines(n):
        ws.write_string(row, 0, nfc(f"{label}:"), bold)
        ws.write_string(row, 2, nfc(value))
        row += 1
    _merged_text(ws, row, 6, nfc(notice.intro_line(n)), wrap)
    ws.set_row(row, 30)
    row += 2
    for col, header in enumerate(notice.TABLE_HEADERS):
        ws.write_string(row, col, header, head)
    row += 1
    for number, label, values in _table_values(n):
        ws.write_string(row, 0, number, cell)
        ws.write_string(row, 1, nfc(label), cell)
        for col, figure in enumerate(values, start=2):
            if figure is None:
                ws.write_blank(row, col, None, cell)
            else:
                ws.write_number(row, col, figure, amount)
        row += 1
    row += 1
    for line in notice.closing_lines(n):
        _merged_text(ws, row, 6, nfc(line), wrap)
        ws.set_row(row, 30)
        row += 1
    row += 1
    ws.write_string(row, 4, notice.dated_line(n), centre)
    ws.write_string(row + 1, 4, "GIÁM ĐỐC", bold)
    wb.close()


def write_notices_workbook(notices: Iterable[NoticeData], path: Path, title: str) -> int:
    """Many notices, one row each (e.g. every employer of a case officer); returns rows."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Thông báo C12-TS")
    bold = wb.add_format({"bold": True, "font_size": 12})
    head = wb.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    amount = wb.add_format({"num_format": AMOUNT_FORMAT})
    for col, (_, _, width) in enumerate(ROW_COLUMNS):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, notice.TITLE, bold)
    ws.write_string(1, 0, nfc(title))
    ws.set_row(3, 42)
    for col, (header, _, _) in enumerate(ROW_COLUMNS):
        ws.write_string(3, col, header, head)
    count = 0
    for count, n in enumerate(notices, start=1):
        values = n.as_dict()
        r = 3 + count
        for col, (_, key, _) in enumerate(ROW_COLUMNS):
            if not key:
                ws.write_number(r, col, count)
                continue
            value = values[key]
            if key in ("month",):
                ws.write_string(r, col, vn_month(value))
            elif key == "deadline":
                ws.write_string(r, col, vn_date(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(r, col, value, amount)
            elif value is None:
                ws.write_blank(r, col, None)
            else:
                ws.write_string(r, col, nfc(str(value)))
    ws.autofilter(3, 0, 3 + max(count, 1), len(ROW_COLUMNS) - 1)
    ws.freeze_panes(4, 3)
    wb.close()
    return count
