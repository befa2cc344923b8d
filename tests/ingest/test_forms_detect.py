"""Which workbooks are read as a D02-LT form: the form's name in the first eight rows of the
first sheet, whatever wrote the workbook (texts shared, inline, or in runs of rich text).
Most workbooks are rosters and lists; they are told apart without opening them as
workbooks (``text_may_name_the_form``), and the answer is the same."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlsxwriter

from baophu.ingest.forms.d02lt import is_d02lt, text_may_name_the_form

HEADING = "Mẫu D02-LT (Ban hành kèm theo QĐ số 1040/QĐ-BHXH)"


def _xlsxwriter(path: Path, rows: dict[int, str], **options: object) -> Path:
    book = xlsxwriter.Workbook(str(path), options)
    sheet = book.add_worksheet()
    for row, text in rows.items():
        sheet.write_string(row, 0, text)
    book.close()
    return path


def test_a_heading_in_shared_strings(tmp_path: Path) -> None:
    path = _xlsxwriter(tmp_path / "form.xlsx", {0: "Đơn vị: Công ty A", 2: HEADING})
    assert is_d02lt(path)


def test_a_heading_in_inline_strings(tmp_path: Path) -> None:
    # constant_memory: xlsxwriter writes every text inline in the sheet, none shared
    path = _xlsxwriter(tmp_path / "form.xlsx", {1: HEADING}, constant_memory=True)
    assert text_may_name_the_form(path) is None
    assert is_d02lt(path)


def test_a_heading_split_in_runs_of_rich_text(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True})
    sheet.write_rich_string(0, 0, "Mẫu ", bold, "D02", "-LT")
    book.close()
    assert is_d02lt(path)


def test_the_name_written_in_lower_case_without_a_hyphen(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["B4"] = "mẫu d02 lt"
    book.save(tmp_path / "form.xlsx")
    assert is_d02lt(tmp_path / "form.xlsx")


def test_a_roster_is_not_a_form_and_is_told_without_opening_it(tmp_path: Path) -> None:
    rows = {0: "Họ và tên", 1: "Nguyễn Văn An", 2: "Trần Thị Bình"}
    path = _xlsxwriter(tmp_path / "roster.xlsx", rows)
    assert text_may_name_the_form(path) is False
    assert not is_d02lt(path)


def test_the_name_two_texts_apart_is_not_the_form(tmp_path: Path) -> None:
    # "Mẫu D02" in one cell and "LT" in the next are two texts: no cell names the form
    path = _xlsxwriter(tmp_path / "two.xlsx", {0: "Mẫu D02", 1: "LT hàng tháng"})
    assert not is_d02lt(path)


def test_the_name_below_the_heading_rows_is_not_the_form(tmp_path: Path) -> None:
    path = _xlsxwriter(tmp_path / "late.xlsx", {0: "Danh sách", 20: HEADING})
    assert not is_d02lt(path)


def test_a_broken_file_is_not_a_form(tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert text_may_name_the_form(path) is None
    assert not is_d02lt(path)


def test_inline_texts_are_read_in_the_first_eight_rows_only(tmp_path: Path) -> None:
    # every text inline (xlsxwriter's constant_memory, as the generator writes rosters)
    roster = {0: "Họ và tên", **{i: f"Học sinh {i}" for i in range(1, 400)}}
    path = _xlsxwriter(tmp_path / "roster.xlsx", roster, constant_memory=True)
    assert text_may_name_the_form(path) is False
    assert not is_d02lt(path)
    late = {**roster, 9: HEADING}  # row 10: below the heading rows
    path = _xlsxwriter(tmp_path / "late.xlsx", late, constant_memory=True)
    assert text_may_name_the_form(path) is False
    assert not is_d02lt(path)
    early = {**roster, 7: HEADING}  # row 8: the last of the heading rows
    path = _xlsxwriter(tmp_path / "early.xlsx", early, constant_memory=True)
    assert text_may_name_the_form(path) is None
    assert is_d02lt(path)
