"""The employer's labour report, form D02-LT (QĐ 1040/QĐ-BHXH), read from its workbook.

The form is a heading (the employer's name, code and tax code; the month reported), a
table with three header rows — group titles over single titles (each single title merged
down over two rows), then the columns numbered (1), (2), … — the workers one per row, and a
«Tổng cộng» row with the number of workers and the money columns totalled.  The reader
checks that structure before anything is imported: the header rows and their titles, the
merged cells (only the header's), the heading's employer and month, and the totals.  A form
that fails any of it is refused whole, naming the row and column.  The workers become rows
of ``declared_workforce`` whose values the validator then checks one by one (a bad ID or
date sends that row to the rejects file).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from baophu.contracts.forms import (
    D02LT_COLUMNS,
    D02LT_FORM,
    D02LT_TOTAL_LABEL,
    D02LT_TOTALLED,
    DECLARED_WORKFORCE,
)
from baophu.ingest.errors import ImportFileError
from baophu.ingest.forms.cells import cell_text, folded, number, raw_file, shown
from baophu.ingest.readers import RawFile, column_letters

MARKER = re.compile(r"\bd02\s*-?\s*lt\b")
HEADING_ROWS = 40  # the table starts within this many rows
_PERIOD = re.compile(r"thang\s*(\d{1,2})\s*(?:nam|/|-)\s*(\d{4})")
MONTH_COLUMNS = frozenset({"contribution_start", "contribution_end"})


def is_d02lt(path: Path) -> bool:
    """Whether a workbook is a D02-LT form (its heading names the form)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    if text_may_name_the_form(path) is False:
        return False
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        return False
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(min_row=1, max_row=8, values_only=True):
            if any(MARKER.search(folded(v)) for v in row if v is not None):
                return True
        return False
    finally:
        book.close()


_SHEET_HEAD = 1 << 16  # bytes of a worksheet's XML read for its first rows' own texts
_ROW_START = re.compile(r"<(?:\w+:)?row\b")
_TEXT_END = re.compile(r"</(?:\w+:)?(?:si|c)\s*>")  # a shared text's end, a cell's end
_TAG = re.compile(r"<[^>]*>")


def _texts(xml: str) -> str:
    """The texts of a part's XML one a line, each text's runs joined as its cell shows them."""
    import html

    return html.unescape(_TAG.sub("", _TEXT_END.sub("\n", xml)))


def text_may_name_the_form(path: Path) -> bool | None:
    """False when no text of the workbook's first rows can name the form, read from its
    parts without opening it as a workbook (a province imports hundreds of rosters and
    lists, one per commune, and opening each one to look for the form's name cost more than
    reading it).  The texts looked at are the shared ones and those written in the
    worksheets' first eight rows (inline texts, a formula's text).  None when the form's name
    is there or when unsure (the workbook is then opened and its heading read)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            names = book.namelist()
            texts: list[str] = []
            for name in names:
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with book.open(name) as sheet:
                        head = sheet.read(_SHEET_HEAD).decode("utf-8", errors="replace")
                    starts = [m.start() for m in _ROW_START.finditer(head)]
                    if len(starts) > 8:  # the first eight rows' elements, whole
                        head = head[: starts[8]]
                    elif len(head) == _SHEET_HEAD:
                        return None  # the first rows go on past what was read
                    texts.append(_texts(head))
            if "xl/sharedStrings.xml" in names:
                texts.append(_texts(book.read("xl/sharedStrings.xml").decode("utf-8")))
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, KeyError):
        return None
    if any(MARKER.search(folded(t)) for t in texts):
        return None
    return False


def _header_error(
    path: Path, line: int, row: int, col: int, label: str, expected: str, found: Any
) -> ImportFileError:
    return ImportFileError(
        "form_header_mismatch",
        path,
        row=row,
        column=label,
        form=D02LT_FORM,
        line=line,
        cell=f"{column_letters(col - 1)}{row}",
        expected=expected,
        found=cell_text(found) or "(trống)",
    )


def _expected_merges(top: int) -> set[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col) of the header's merged cells (1-based)."""
    merges: set[tuple[int, int, int, int]] = set()
    col = 1
    groups: dict[str, list[int]] = {}
    for _, group, _ in D02LT_COLUMNS:
        if group is None:
            merges.add((top, col, top + 1, col))
        else:
            groups.setdefault(group, []).append(col)
        col += 1
    for cols in groups.values():
        merges.add((top, min(cols), top, max(cols)))
    return merges


def _plain(value: Any) -> str:
    """A cell's text without spaces ("( 1 )" → "(1)")."""
    return "".join((cell_text(value) or "").split())


def _check_header(path: Path, sheet: Any, top: int) -> None:
    # A header row deleted: the column numbers (1), (2)… come one row early (or the workers
    # right under the titles).
    if _plain(sheet.cell(top + 1, 1).value) == "(1)":
        raise ImportFileError("form_header_row_missing", path, row=top + 1, form=D02LT_FORM, line=2)
    if _plain(sheet.cell(top + 2, 1).value) != "(1)":
        raise ImportFileError("form_header_row_missing", path, row=top + 2, form=D02LT_FORM, line=3)
    seen_groups: set[str] = set()
    for j, (_, group, label) in enumerate(D02LT_COLUMNS, start=1):
        first = sheet.cell(top, j).value
        second = sheet.cell(top + 1, j).value
        third = sheet.cell(top + 2, j).value
        if group is None:
            if folded(first) != folded(label):
                raise _header_error(path, 1, top, j, label, label, first)
            if second is not None:
                raise _header_error(path, 2, top + 1, j, label, "(ô gộp với dòng trên)", second)
        else:
            if group not in seen_groups:
                if folded(first) != folded(group):
                    raise _header_error(path, 1, top, j, label, group, first)
                seen_groups.add(group)
            if folded(second) != folded(label):
                raise _header_error(path, 2, top + 1, j, label, label, second)
        number_title = f"({j})"
        if _plain(third) != number_title:
            raise _header_error(path, 3, top + 2, j, label, number_title, third)


def _check_merges(path: Path, sheet: Any, top: int) -> None:
    expected = _expected_merges(top)
    labels = [label for _, _, label in D02LT_COLUMNS]
    for rng in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        box = (rng.min_row, rng.min_col, rng.max_row, rng.max_col)
        if rng.max_row < top or box in expected:
            continue  # the heading's titles, or the header as the form draws it
        col = min(rng.min_col, len(labels))
        raise ImportFileError(
            "form_merged_cells",
            path,
            row=rng.min_row,
            column=labels[col - 1],
            form=D02LT_FORM,
            range=rng.coord,
        )


def _heading(path: Path, sheet: Any, top: int) -> tuple[str, str]:
    """The employer's code and the month (mm/yyyy) from the rows above the table."""
    code: str | None = None
    period: str | None = None
    for r in range(1, top):
        cells = [sheet.cell(r, c).value for c in range(1, sheet.max_column + 1)]
        for i, value in enumerate(cells):
            text = folded(value)
            if code is None and text.startswith("ma don vi"):
                after = str(value).split(":", 1)[1].strip() if ":" in str(value) else ""
                if not after:
                    after = next((cell_text(v) or "" for v in cells[i + 1 :] if v), "")
                if not after:
                    raise ImportFileError(
                        "form_heading_bad",
                        path,
                        row=r,
                        form=D02LT_FORM,
                        field="Mã đơn vị",
                        value="(trống)",
                    )
                code = after
            if period is None:
                found = _PERIOD.search(text)
                if found:
                    month, year = int(found.group(1)), int(found.group(2))
                    if not 1 <= month <= 12:
                        raise ImportFileError(
                            "form_heading_bad",
                            path,
                            row=r,
                            form=D02LT_FORM,
                            field="Tháng",
                            value=cell_text(value) or "",
                        )
                    period = f"{month:02d}/{year}"
    if code is None:
        raise ImportFileError("form_heading_missing", path, form=D02LT_FORM, field="Mã đơn vị")
    if period is None:
        raise ImportFileError("form_heading_missing", path, form=D02LT_FORM, field="Tháng … năm …")
    return code, period


def read_d02lt(path: Path) -> RawFile:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:
        raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
    sheet = book.worksheets[0]
    top = next(
        (
            r
            for r in range(1, min(HEADING_ROWS, sheet.max_row) + 1)
            if folded(sheet.cell(r, 1).value) == "stt"
        ),
        None,
    )
    if top is None:
        raise ImportFileError("form_header_missing", path, form=D02LT_FORM)
    _check_header(path, sheet, top)
    _check_merges(path, sheet, top)
    employer, period = _heading(path, sheet, top)
    names = [name for name, _, _ in D02LT_COLUMNS]
    values: dict[str, list[str | None]] = {name: [] for name in names}
    rows: list[int] = []
    total_row: int | None = None
    for r in range(top + 3, sheet.max_row + 1):
        cells = [sheet.cell(r, j).value for j in range(1, len(names) + 1)]
        if folded(cells[0]).startswith(folded(D02LT_TOTAL_LABEL)):
            total_row = r
            break
        if all(v is None or str(v).strip() == "" for v in cells):
            continue
        rows.append(r)
        for name, value in zip(names, cells, strict=True):
            values[name].append(cell_text(value, month=name in MONTH_COLUMNS))
    if total_row is None:
        raise ImportFileError("form_no_total", path, row=sheet.max_row + 1, form=D02LT_FORM)
    if not rows:
        raise ImportFileError("form_no_rows", path, row=top + 3, form=D02LT_FORM)
    _check_totals(path, sheet, total_row, names, values, len(rows))
    contract = DECLARED_WORKFORCE
    headers = [contract.column("employer_code").vi, contract.column("period").vi]
    columns: list[list[str | None]] = [[employer] * len(rows), [period] * len(rows)]
    for name in names:  # the table's own headers (the form repeats «Ngày bắt đầu»)
        headers.append(contract.column(name).vi)
        columns.append(values[name])
    return raw_file(path, headers, columns, rows, "xlsx")


def _check_totals(
    path: Path,
    sheet: Any,
    total_row: int,
    names: list[str],
    values: dict[str, list[str | None]],
    count: int,
) -> None:
    labels = {name: label for name, _, label in D02LT_COLUMNS}
    people = number(sheet.cell(total_row, names.index("full_name") + 1).value)
    if people is None or int(people) != count:
        raise ImportFileError(
            "form_totals",
            path,
            row=total_row,
            column=labels["full_name"],
            label=f"{labels['full_name']} (số người)",
            expected=shown(count),
            found=cell_text(sheet.cell(total_row, names.index("full_name") + 1).value) or "(trống)",
        )
    for name in D02LT_TOTALLED:
        col = names.index(name) + 1
        written = sheet.cell(total_row, col).value
        total = sum(number(v) or 0.0 for v in values[name])
        found = number(written)
        if found is None and written is None and total == 0:
            continue
        if found is None or abs(found - total) > 0.5:
            raise ImportFileError(
                "form_totals",
                path,
                row=total_row,
                column=labels[name],
                label=labels[name],
                expected=shown(total),
                found=shown(found) if found is not None else cell_text(written) or "(trống)",
            )
