"""Reading a returned work sheet: the field outcomes a collector wrote into the workbook that
``reports.collector_workbook`` made (layout: ``contracts.work_sheet``), checked row by row.

``read_outcomes(path, today)`` finds, on every sheet, the header row of the work-sheet layout
(by its Vietnamese headers, with or without diacritics) and takes each row whose **Kết quả**
is filled in.  It checks the outcome (one of the seven, Vietnamese label or English code),
the date (a date, dd/mm/yyyy or yyyy-mm-dd, not in the future; empty means ``today``), the
amount collected (a whole number, not negative, ``1.263.600`` accepted: ``vn.parse``) and
the row key (present, the shape the lists give, agreeing with the personal ID column).
Every problem is an issue with the sheet, the row as Excel shows it, the column header, the
value and the reason in Vietnamese and English — the rows of the rejects file
(``ingest.rejects.write_rejects``).

A file that is not a readable workbook, or has no sheet in this layout, raises
``OutcomeFileError``; whether the people exist is checked by the caller against the data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baophu.contracts import work_sheet as layout
from baophu.contracts.model import fold_header
from baophu.contracts.vocabularies import OUTCOME_VI, OUTCOMES
from baophu.vn.parse import cell_text, whole_number
from baophu.vn.parse import day as parse_day

REASONS: dict[str, tuple[str, str]] = {
    "outcome_unknown": (
        "Kết quả không thuộc danh mục ({allowed}): {value}",
        "Outcome not in the list ({allowed}): {value}",
    ),
    "date_bad": (
        "Ngày liên hệ không hợp lệ (cần dd/mm/yyyy): {value}",
        "Invalid contact date (expected dd/mm/yyyy): {value}",
    ),
    "date_future": ("Ngày liên hệ ở tương lai: {value}", "Contact date is in the future: {value}"),
    "amount_bad": (
        "Số tiền đã thu phải là số nguyên không âm: {value}",
        "Amount collected must be a whole number, not negative: {value}",
    ),
    "key_missing": (
        "Thiếu mã dòng (không xoá, không sửa cột Mã dòng)",
        "Row key is missing (do not clear or edit the row-key column)",
    ),
    "key_bad": ("Mã dòng không hợp lệ: {value}", "Invalid row key: {value}"),
    "key_id_mismatch": (
        "Mã dòng không khớp số định danh {person_id}: {value}",
        "Row key does not match personal ID {person_id}: {value}",
    ),
    "key_unknown": (
        "Không có người mang mã dòng này trong dữ liệu dân cư: {value}",
        "No resident with this row key: {value}",
    ),
    "key_unidentified": (
        "Dòng chưa xác định được người (không có số định danh): chưa ghi nhận được kết quả; "
        "bổ sung số định danh qua nhà trường / xã rồi xuất lại danh sách: {value}",
        "Row not identified as a person (no personal ID): its outcome cannot be recorded yet; "
        "have the school / commune add the ID and export the list again: {value}",
    ),
    "duplicate": (
        "Trùng với dòng {first_row} (cùng người, kết quả và ngày)",
        "Same as row {first_row} (same person, outcome and date)",
    ),
}
# The columns a sheet must have to be read as a list sheet.
REQUIRED_HEADERS = (
    layout.KEY_HEADER,
    layout.OUTCOME_HEADER,
    layout.DATE_HEADER,
    layout.PAID_HEADER,
)
_PERSON_KEY = re.compile(r"^[0-9]{12}$")
_RECORD_KEY = re.compile(r"^(school_rosters|benefit_lists):.+")
_LABELS = {fold_header(v): k for k, v in OUTCOME_VI.items()} | {fold_header(k): k for k in OUTCOMES}
_LABELS[fold_header("Đã chuyển đi")] = "moved"  # the web's label


class OutcomeFileError(Exception):
    """The file cannot be read as a returned work sheet (Vietnamese and English)."""


@dataclass
class Issue:
    sheet: str
    row: int
    column: str
    value: str
    code: str
    vi: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": f"{self.sheet}!{self.row}",
            "column": self.column,
            "value": self.value,
            "severity": "reject",
            "reason_code": self.code,
            "reason_vi": self.vi,
            "reason_en": self.en,
        }


@dataclass
class ReturnedRow:
    sheet: str
    row: int
    row_key: str
    person_id: str | None
    full_name: str
    outcome: str
    outcome_date: dt.date
    amount_paid: int | None
    amount_listed: int | None
    note: str | None


@dataclass
class Returned:
    rows: list[ReturnedRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    sheets: int = 0


def issue(sheet: str, row: int, column: str, value: Any, code: str, **kw: Any) -> Issue:
    vi, en = REASONS[code]
    text = "" if value is None else str(value)
    return Issue(
        sheet, row, column, text, code, vi.format(value=text, **kw), en.format(value=text, **kw)
    )


def _header_map(cells: tuple[Any, ...]) -> dict[str, int]:
    return {fold_header(cell_text(v)): i for i, v in enumerate(cells) if cell_text(v)}


def read_outcomes(path: Path, today: dt.date | None = None) -> Returned:
    """The filled-in rows of a returned work sheet, and every problem found in them."""
    from openpyxl import load_workbook

    today = today or dt.date.today()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not a workbook, damaged
        raise OutcomeFileError(
            f"Không đọc được tệp Excel {path.name}: {exc}",
            f"cannot read the Excel file {path.name}: {exc}",
        ) from exc
    out = Returned()
    need = {fold_header(h) for h in REQUIRED_HEADERS}
    try:
        for ws in book.worksheets:
            if ws.title == layout.INFO_SHEET:
                for row in ws.iter_rows(values_only=True):
                    if row and len(row) >= 2 and cell_text(row[0]) and cell_text(row[1]):
                        out.meta[cell_text(row[0])] = cell_text(row[1])
                continue
            header: dict[str, int] | None = None
            for r, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                if header is None:
                    found = _header_map(cells)
                    if need <= set(found):
                        header = found
                        out.sheets += 1
                    continue
                _read_row(out, ws.title, r, cells, header, today)
    finally:
        book.close()
    if out.sheets == 0:
        columns = ", ".join(REQUIRED_HEADERS)
        raise OutcomeFileError(
            f"Tệp {path.name} không có trang danh sách nào đúng mẫu (cần các cột {columns})",
            f"{path.name} has no sheet in the work-sheet layout (columns {columns} are needed)",
        )
    _duplicates(out)
    return out


def _cell(cells: tuple[Any, ...], header: dict[str, int], name: str) -> Any:
    i = header.get(fold_header(name))
    return cells[i] if i is not None and i < len(cells) else None


def _read_row(
    out: Returned,
    sheet: str,
    r: int,
    cells: tuple[Any, ...],
    header: dict[str, int],
    today: dt.date,
) -> None:
    raw_outcome = _cell(cells, header, layout.OUTCOME_HEADER)
    if not cell_text(raw_outcome):
        return  # not visited (or not reported): nothing to import
    problems: list[Issue] = []
    outcome = _LABELS.get(fold_header(cell_text(raw_outcome)))
    if outcome is None:
        allowed = ", ".join(OUTCOME_VI[o] for o in OUTCOMES)
        problems.append(
            issue(sheet, r, layout.OUTCOME_HEADER, raw_outcome, "outcome_unknown", allowed=allowed)
        )
    raw_date = _cell(cells, header, layout.DATE_HEADER)
    day: dt.date | None = today
    if cell_text(raw_date):
        day = parse_day(raw_date)
        if day is None:
            problems.append(issue(sheet, r, layout.DATE_HEADER, raw_date, "date_bad"))
        elif day > today:
            problems.append(issue(sheet, r, layout.DATE_HEADER, raw_date, "date_future"))
    raw_paid = _cell(cells, header, layout.PAID_HEADER)
    paid: int | None = None
    if cell_text(raw_paid):
        try:
            paid = whole_number(raw_paid)
        except ValueError:
            problems.append(issue(sheet, r, layout.PAID_HEADER, raw_paid, "amount_bad"))
    key = cell_text(_cell(cells, header, layout.KEY_HEADER))
    person_id = cell_text(_cell(cells, header, layout.ID_HEADER)) or None
    if not key:
        problems.append(issue(sheet, r, layout.KEY_HEADER, key, "key_missing"))
    elif _RECORD_KEY.match(key):
        problems.append(issue(sheet, r, layout.KEY_HEADER, key, "key_unidentified"))
    elif not _PERSON_KEY.match(key):
        problems.append(issue(sheet, r, layout.KEY_HEADER, key, "key_bad"))
    elif person_id and person_id != key:
        problems.append(
            issue(sheet, r, layout.KEY_HEADER, key, "key_id_mismatch", person_id=person_id)
        )
    if problems:
        out.issues.extend(problems)
        return
    listed = _cell(cells, header, layout.AMOUNT_HEADER)
    try:
        amount_listed = whole_number(listed) if cell_text(listed) else None
    except ValueError:
        amount_listed = None
    assert outcome is not None and day is not None
    out.rows.append(
        ReturnedRow(
            sheet=sheet,
            row=r,
            row_key=key,
            person_id=person_id or key,
            full_name=cell_text(_cell(cells, header, layout.NAME_HEADER)),
            outcome=outcome,
            outcome_date=day,
            amount_paid=paid,
            amount_listed=amount_listed,
            note=cell_text(_cell(cells, header, layout.NOTE_HEADER)) or None,
        )
    )


def _duplicates(out: Returned) -> None:
    seen: dict[tuple[str, str, dt.date], int] = {}
    keep: list[ReturnedRow] = []
    for row in out.rows:
        k = (row.row_key, row.outcome, row.outcome_date)
        if k in seen:
            out.issues.append(
                issue(
                    row.sheet,
                    row.row,
                    layout.KEY_HEADER,
                    row.row_key,
                    "duplicate",
                    first_row=seen[k],
                )
            )
            continue
        seen[k] = row.row
        keep.append(row)
    out.rows = keep
