"""The monthly notice (C12-TS): hand-computed figures in the data, the workbook and the PDF.

Uses the hand-computed province of tests/engine/test_compliance_cases.py.  Employer DVA in
October 2025 (worked out there): opening balance 20,000,000; due 10,000,000 = BHXH 7,812,500 +
BHYT 1,406,250 + BHTN 625,000 + BHTNLĐ-BNN 156,250; paid 4,000,000 (10/10); interest
67,800; closing 20,000,000 + 10,000,000 + 67,800 − 4,000,000 = 26,067,800, of which
6,000,000 late (August's remainder).  November has no ledger row, so this month's amount is
estimated from October's: 10,000,000; to pay 26,067,800 + 10,000,000 = 36,067,800.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from baophu.engine.compliance.run import run_compliance
from baophu.reports.notice import (
    TITLE,
    NoticeError,
    dated_line,
    letterhead,
    load_notices,
    month_line,
    next_due_figures,
    next_due_row,
    notice_table,
    table_figures,
)
from baophu.reports.notice_pdf import notice_pdf_bytes, write_notice_pdf
from baophu.reports.notice_xlsx import write_notice_xlsx

D = dt.date
OCTOBER = D(2025, 10, 1)


def _cases() -> Any:
    path = Path(__file__).resolve().parents[1] / "engine" / "test_compliance_cases.py"
    spec = importlib.util.spec_from_file_location("compliance_cases", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    cases = _cases()
    tmp = tmp_path_factory.mktemp("notice")
    ws = cases.new_workspace(tmp / "ws")
    cases.import_case(ws, cases.write_case_inputs(tmp / "inputs", cases.UNITS_CSV))
    with ws.store() as store:
        run_compliance(store, cases.REFERENCE, stages=("arrears",))
    return ws


@pytest.fixture(scope="module")
def dva(computed: Any) -> Any:
    with computed.store() as store:
        return load_notices(store, OCTOBER, employer_code="DVA")[0]


def test_notice_data_hand_computed(dva: Any) -> None:
    assert (dva.employer_name, dva.officer_name, dva.office_name) == (
        "Công ty TNHH Ánh Dương",
        "Nguyễn Thị Lan",
        "BHXH cơ sở Biên Hòa",
    )
    assert dva.opening_balance == 20_000_000
    assert (dva.due_bhxh_funds, dva.due_bhyt, dva.due_bhtn, dva.due_bhtnld) == (
        7_812_500,
        1_406_250,
        625_000,
        156_250,
    )
    assert (dva.due_total, dva.paid, dva.interest, dva.adjustments) == (
        10_000_000,
        4_000_000,
        67_800,
        0,
    )
    assert dva.closing_balance == 26_067_800 and dva.late_amount == 6_000_000
    assert dva.deadline == D(2025, 11, 30) and dva.as_of == D(2025, 10, 31)
    assert dva.next_month == D(2025, 11, 1) and dva.next_deadline == D(2025, 12, 31)
    assert dva.next_due_estimated and dva.next_due_total == 10_000_000
    assert dva.to_pay == 36_067_800
    dva.check()


def test_notice_table_text_in_vietnamese_format(dva: Any) -> None:
    rows = {number: (label, values) for number, label, values in notice_table(dva)}
    assert rows["1"][1][-1] == "20.000.000"
    assert rows["4"] == (
        "Số phải đóng tháng 10/2025",
        ["7.812.500", "1.406.250", "625.000", "156.250", "10.000.000"],
    )
    assert rows["6"][1][-1] == "67.800" and rows["7"][1][-1] == "4.000.000"
    assert rows["8"][1][-1] == "26.067.800" and rows["8.1"][1][-1] == "6.000.000"
    label, values = next_due_row(dva)
    assert "tháng 11/2025" in label and values[-1] == "10.000.000"


def test_the_wording_both_builders_share(dva: Any, tmp_path: Path) -> None:
    """The figures behind the text table, the letterhead and the lines around the table; the
    workbook's row 9 says the amount is estimated, as the PDF does."""
    figures = {number: (label, values) for number, label, values in table_figures(dva)}
    assert figures["1"] == ("Số dư đầu kỳ (nợ +, thừa −)", [None, None, None, None, 20_000_000])
    assert figures["4"][1] == [7_812_500, 1_406_250, 625_000, 156_250, 10_000_000]
    assert [number for number, _, _ in notice_table(dva)] == list(figures)
    label, values = next_due_figures(dva)
    assert label == "Số tiền dự kiến phải đóng tháng 11/2025 (ước theo tháng gần nhất)"
    assert values[-1] == 10_000_000 and next_due_row(dva)[0] == label
    assert letterhead(dva)[2] == ("BHXH cơ sở Biên Hòa", "Mẫu C12-TS")
    assert letterhead(dva)[0] == ("BẢO HIỂM XÃ HỘI VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert (month_line(dva), dated_line(dva)) == ("Tháng 10/2025", "Ngày lập: 31/10/2025")
    path = tmp_path / "dva.xlsx"
    write_notice_xlsx(dva, path)
    ws = load_workbook(path).active
    row9 = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "9")
    assert ws.cell(row9, 2).value == label and ws.cell(row9, 7).value == 10_000_000


def test_notice_workbook_holds_the_amounts(dva: Any, tmp_path: Path) -> None:
    path = tmp_path / "dva.xlsx"
    write_notice_xlsx(dva, path)
    ws = load_workbook(path).active
    cells = {(r, c): ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, 8)}
    assert TITLE in cells.values()
    labels = {v: r for (r, c), v in cells.items() if c == 2 and isinstance(v, str)}
    header = next(r for (r, c), v in cells.items() if v == "STT")
    assert [cells[(header, c)] for c in range(3, 8)] == [
        "BHXH",
        "BHYT",
        "BHTN",
        "BHTNLĐ-BNN",
        "Cộng",
    ]
    due = labels["Số phải đóng tháng 10/2025"]
    assert [cells[(due, c)] for c in range(3, 8)] == [
        7_812_500,
        1_406_250,
        625_000,
        156_250,
        10_000_000,
    ]
    assert cells[(labels["Số dư đầu kỳ (nợ +, thừa −)"], 7)] == 20_000_000
    assert cells[(labels["Lãi chậm đóng phát sinh trong tháng"], 7)] == 67_800
    assert cells[(labels["Số dư cuối kỳ (nợ +, thừa −)"], 7)] == 26_067_800
    assert cells[(labels["Trong đó: số tiền chậm đóng (quá hạn)"], 7)] == 6_000_000


def test_notice_pdf_is_a_valid_one_page_pdf_with_embedded_font(dva: Any, tmp_path: Path) -> None:
    data = notice_pdf_bytes(dva)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1
    assert b"DejaVuSans" in data  # the vendored font, embedded (Vietnamese glyphs)
    assert notice_pdf_bytes(dva) == data  # deterministic
    path = tmp_path / "dva.pdf"
    write_notice_pdf(dva, path)
    assert path.read_bytes() == data
    from pypdf import PdfReader

    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(path).pages))
    assert TITLE in text and "Tháng 10/2025" in text
    assert "Công ty TNHH Ánh Dương" in text
    for amount in ("20.000.000", "7.812.500", "156.250", "67.800", "26.067.800", "36.067.800"):
        assert amount in text
    assert "30/11/2025" in text  # deadline of October, dd/mm/yyyy


def test_credit_and_no_data(computed: Any) -> None:
    with computed.store() as store:
        dvb = load_notices(store, D(2025, 11, 1), employer_code="DVB")[0]
        # November: 8,000,000 owed, 9,000,000 paid → a credit of 1,000,000
        assert (dvb.opening_balance, dvb.paid, dvb.closing_balance) == (
            8_000_000,
            9_000_000,
            -1_000_000,
        )
        # no dues declared after October: nothing expected, the credit is carried forward
        assert (dvb.next_due_total, dvb.to_pay) == (0, 0)
        with pytest.raises(NoticeError, match="Không có số liệu tháng 01/2026"):
            load_notices(store, D(2026, 1, 1), employer_code="DVB")
        with pytest.raises(NoticeError, match="no data"):
            load_notices(store, OCTOBER, employer_code="NOPE")
