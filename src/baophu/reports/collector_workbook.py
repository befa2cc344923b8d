"""The collector's work sheet: the potential list of one collector (or case officer, or the
rows a commune owns), one sheet per hamlet, as a collector carries it into the field.

Each row is one person (the ``potential_persons`` mart): name, birth date, sex, personal ID,
household, address, every reason in plain Vietnamese, priority, the amount to pay and its
period, phone if known, the last contact, and four columns left blank for the field:
**Kết quả** (a drop-down of the outcomes), **Ngày liên hệ**, **Số tiền đã thu**, **Ghi chú**.
Rows are sorted by priority and household: households with the most urgent person first,
the members of a household together.  People whose last outcome closes the case (enrolled,
moved, deceased, wrong data) are left out.

The header row is frozen and filtered; pages print landscape on A4, one page wide, the
header repeated.  A sheet "Thông tin" says whose list it is, the reference date and how to
fill it in; ``ingest.work_sheets`` reads the same layout back (``contracts.work_sheet``).

Nothing here computes: the rows come from the marts, the last outcomes from the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from baophu.backends import Store
from baophu.contracts.vocabularies import CLOSED_OUTCOMES, OUTCOME_VI, OUTCOMES, PRIORITY_VI
from baophu.contracts.work_sheet import (
    AMOUNT_HEADER,
    DATE_HEADER,
    HEADER_ROW,
    ID_HEADER,
    INFO_SHEET,
    KEY_HEADER,
    NAME_HEADER,
    NOTE_HEADER,
    OUTCOME_HEADER,
    OWNER_CODE_LABEL,
    OWNER_KIND_LABEL,
    PAID_HEADER,
)
from baophu.engine.potential import MART_PERSONS, MART_SUMMARY, ListsError
from baophu.vn.formats import date as vn_date
from baophu.vn.text import nfc

TITLE = "DANH SÁCH TIỀM NĂNG THAM GIA BHYT, BHXH TỰ NGUYỆN"
# (field of the row, header, kind, width)
COLUMNS: tuple[tuple[str, str, str, float], ...] = (
    ("stt", "STT", "int", 5),
    ("row_key", KEY_HEADER, "text", 14),
    ("full_name", NAME_HEADER, "text", 24),
    ("birth_date", "Ngày sinh", "date", 11),
    ("sex_vi", "Giới tính", "text", 7),
    ("person_id", ID_HEADER, "text", 14),
    ("household_id", "Mã hộ", "text", 15),
    ("address", "Địa chỉ", "wrap", 24),
    ("reasons_vi", "Lý do vận động", "wrap", 62),
    ("priority_vi", "Ưu tiên", "text", 11),
    ("amount", AMOUNT_HEADER, "money", 13),
    ("period_vi", "Kỳ", "text", 6),
    ("phone", "Điện thoại", "text", 12),
    ("last_contact", "Lần liên hệ trước", "wrap", 16),
    ("outcome", OUTCOME_HEADER, "input", 16),
    ("outcome_date", DATE_HEADER, "input_date", 12),
    ("amount_paid", PAID_HEADER, "input_money", 14),
    ("note", NOTE_HEADER, "input", 24),
)
SEX_VI = {"male": "Nam", "female": "Nữ"}
PERIOD_VI = {"year": "năm", "month": "tháng"}
OWNER_VI = {"collector": "Nhân viên thu", "officer": "Cán bộ chuyên quản", "commune": "Xã, phường"}


@dataclass
class Sheet:
    """One hamlet's rows (or the commune's rows without a hamlet)."""

    code: str
    name: str
    rows: list[dict[str, Any]]


@dataclass
class Owner:
    kind: str  # collector | officer | commune
    code: str
    name: str
    commune_name: str = ""


def ordered(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """By priority and household: the household's best priority, the household, the person's
    priority, oldest first."""

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            r.get("household_priority") or r.get("priority") or 9,
            r.get("household_id") or "~" + str(r.get("row_key")),
            r.get("priority") or 9,
            r.get("birth_date") or dt.date(2100, 1, 1),
            r.get("full_name") or "",
        )

    return sorted(rows, key=key)


def open_rows(
    rows: Iterable[dict[str, Any]],
    outcomes: Mapping[str, dict[str, Any]] | None = None,
    include_closed: bool = False,
) -> list[dict[str, Any]]:
    """Rows with their latest outcome (``outcomes``: row_key → ``last_outcome``,
    ``last_outcome_date``, ``contacts``, fresher than the mart's), closed cases left out."""
    out = []
    for r in rows:
        r = dict(r)
        o = (outcomes or {}).get(str(r.get("row_key")))
        if o:
            r.update({k: o.get(k) for k in ("last_outcome", "last_outcome_date", "contacts")})
        if not include_closed and r.get("last_outcome") in CLOSED_OUTCOMES:
            continue
        out.append(r)
    return out


def _display(r: dict[str, Any]) -> dict[str, Any]:
    last = r.get("last_outcome")
    contact = ""
    if last:
        contact = f"{OUTCOME_VI.get(last, last)} ({vn_date(r.get('last_outcome_date'))})"
        if (r.get("contacts") or 0) > 1:
            contact += f", {r['contacts']} lần"
    return {
        **r,
        "sex_vi": SEX_VI.get(str(r.get("sex")), r.get("sex") or ""),
        "priority_vi": PRIORITY_VI.get(int(r.get("priority") or 5), str(r.get("priority"))),
        "period_vi": PERIOD_VI.get(str(r.get("amount_period")), ""),
        "last_contact": contact,
    }


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", nfc(name)).strip()[:28] or "Danh sách"
    candidate, n = base, 2
    while candidate.lower() in used or candidate == INFO_SHEET:
        candidate = f"{base[:26]} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _formats(book: Any) -> dict[str, Any]:
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
    cell = {**base, "border": 1}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 14}),
        "subtitle": book.add_format({**base, "italic": True}),
        "bold": book.add_format({**base, "bold": True}),
        "plain": book.add_format(base),
        "header": book.add_format(
            {
                **cell,
                "bold": True,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "bg_color": "#DDEBF7",
            }
        ),
        "input_header": book.add_format(
            {
                **cell,
                "bold": True,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "bg_color": "#FFF2CC",
            }
        ),
        "text": book.add_format(cell),
        "wrap": book.add_format({**cell, "text_wrap": True}),
        "int": book.add_format({**cell, "num_format": "0"}),
        "money": book.add_format({**cell, "num_format": "#,##0"}),
        "date": book.add_format({**cell, "num_format": "dd/mm/yyyy"}),
        "fill": book.add_format({"bg_color": "#FFF2CC", "border": 1}),
        "border": book.add_format({"border": 1}),
        "input": book.add_format({**cell, "bg_color": "#FFFBEA", "locked": False}),
        "input_date": book.add_format(
            {**cell, "bg_color": "#FFFBEA", "num_format": "dd/mm/yyyy", "locked": False}
        ),
        "input_money": book.add_format(
            {**cell, "bg_color": "#FFFBEA", "num_format": "#,##0", "locked": False}
        ),
    }


def _write_sheet(
    book: Any,
    fmt: dict[str, Any],
    name: str,
    owner: Owner,
    sheet: Sheet,
    reference_date: dt.date,
    exported: dt.date,
) -> None:
    ws = book.add_worksheet(name)
    last_col = len(COLUMNS) - 1
    ws.write_string(0, 0, TITLE, fmt["title"])
    place = sheet.name if sheet.code == "" else f"{sheet.name} ({sheet.code})"
    ws.write_string(
        1,
        0,
        f"{OWNER_VI.get(owner.kind, '')}: {owner.name} ({owner.code}) — {place}"
        + (f", {owner.commune_name}" if owner.commune_name else ""),
        fmt["bold"],
    )
    ws.write_string(
        2,
        0,
        f"Số liệu đến ngày {vn_date(reference_date)}; xuất ngày {vn_date(exported)}; "
        f"{len(sheet.rows)} người.",
        fmt["subtitle"],
    )
    ws.write_string(
        3,
        0,
        "Ghi kết quả vào các cột tô vàng (Kết quả chọn trong danh sách, Ngày liên hệ, Số tiền "
        "đã thu, Ghi chú); không sửa cột Mã dòng. Gửi lại tệp này để cập nhật.",
        fmt["plain"],
    )
    for c, (_, header, kind, width) in enumerate(COLUMNS):
        style = fmt["input_header"] if kind.startswith("input") else fmt["header"]
        ws.write_string(HEADER_ROW, c, header, style)
        ws.set_column(c, c, width)
    ws.set_row(HEADER_ROW, 32)
    r = HEADER_ROW
    for i, row in enumerate(sheet.rows, start=1):
        r = HEADER_ROW + i
        d = _display(row)
        d["stt"] = i
        for c, (field, _, kind, _) in enumerate(COLUMNS):
            value = d.get(field)
            if kind.startswith("input") or value is None or value == "":
                continue  # empty: borders and the yellow fill come from the table's format
            if kind in ("int", "money"):
                ws.write_number(r, c, float(value), fmt[kind])
            elif kind == "date":
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt["date"])
            else:
                ws.write_string(r, c, nfc(value), fmt[kind if kind == "wrap" else "text"])
    first, last = HEADER_ROW + 1, max(r, HEADER_ROW + 1)
    col = {header: i for i, (_, header, _, _) in enumerate(COLUMNS)}
    inputs = [i for i, (_, _, kind, _) in enumerate(COLUMNS) if kind.startswith("input")]
    always = {"type": "formula", "criteria": "TRUE"}
    ws.conditional_format(first, inputs[0], last, inputs[-1], {**always, "format": fmt["fill"]})
    ws.conditional_format(first, 0, last, last_col, {**always, "format": fmt["border"]})
    labels = [OUTCOME_VI[o] for o in OUTCOMES]
    ws.data_validation(
        first,
        col[OUTCOME_HEADER],
        last,
        col[OUTCOME_HEADER],
        {
            "validate": "list",
            "source": labels,
            "input_title": "Kết quả liên hệ",
            "input_message": "Chọn một kết quả trong danh sách",
            "error_title": "Kết quả không hợp lệ",
            "error_message": "Chọn: " + ", ".join(labels),
        },
    )
    ws.data_validation(
        first,
        col[DATE_HEADER],
        last,
        col[DATE_HEADER],
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(reference_date.year - 1, 1, 1),
            "maximum": dt.date(reference_date.year + 1, 12, 31),
            "error_message": "Nhập ngày dạng dd/mm/yyyy",
        },
    )
    ws.data_validation(
        first,
        col[PAID_HEADER],
        last,
        col[PAID_HEADER],
        {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "error_message": "Nhập số tiền (số nguyên, đồng)",
        },
    )
    ws.freeze_panes(HEADER_ROW + 1, col[NAME_HEADER] + 1)
    ws.autofilter(HEADER_ROW, 0, max(r, HEADER_ROW), last_col)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_header(f"&L&8{nfc(owner.name)} ({owner.code})&R&8{nfc(place)}")
    ws.set_footer("&L&8Số liệu đến " + vn_date(reference_date) + "&R&8Trang &P/&N")


def _write_info(
    book: Any,
    fmt: dict[str, Any],
    owner: Owner,
    reference_date: dt.date,
    exported: dt.date,
    n_people: int,
    state_id: str,
) -> None:
    ws = book.add_worksheet(INFO_SHEET)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 60)
    ws.write_string(0, 0, TITLE, fmt["title"])
    facts = [
        (OWNER_KIND_LABEL, owner.kind),
        (OWNER_CODE_LABEL, owner.code),
        ("Tên người phụ trách", owner.name),
        ("Xã, phường", owner.commune_name),
        ("Số liệu đến ngày", vn_date(reference_date)),
        ("Ngày xuất", vn_date(exported)),
        ("Số người", str(n_people)),
        ("Mã trạng thái dữ liệu", state_id),
    ]
    for i, (k, v) in enumerate(facts, start=2):
        ws.write_string(i, 0, k, fmt["bold"])
        ws.write_string(i, 1, nfc(v), fmt["plain"])
    r = len(facts) + 3
    ws.write_string(r, 0, "Kết quả được chấp nhận", fmt["bold"])
    for i, code in enumerate(OUTCOMES, start=r):
        ws.write_string(i, 1, OUTCOME_VI[code], fmt["plain"])
    r += len(OUTCOMES) + 1
    notes = [
        "Mỗi dòng là một người; cột Lý do vận động ghi mọi lý do, mỗi lý do một dòng.",
        "Cột Số tiền phải đóng: theo năm (BHYT) hoặc theo tháng (BHXH tự nguyện), xem cột Kỳ.",
        "Chỉ ghi vào các cột tô vàng; dòng không ghi Kết quả được bỏ qua khi nhập lại.",
        "Ngày liên hệ dạng dd/mm/yyyy; để trống thì lấy ngày nhập tệp.",
        "Số tiền đã thu là số nguyên (đồng), không âm.",
    ]
    ws.write_string(r, 0, "Hướng dẫn", fmt["bold"])
    for i, text in enumerate(notes, start=r):
        ws.write_string(i, 1, text, fmt["plain"])


def build_work_workbook(
    path: Path,
    owner: Owner,
    sheets: Sequence[Sheet],
    reference_date: dt.date,
    state_id: str = "",
    exported: dt.date | None = None,
) -> Path:
    """Write one owner's work sheets (one per hamlet) and the information sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exported = exported or dt.date.today()
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_properties({"title": TITLE, "author": "baophu", "company": "BHXH"})
    fmt = _formats(book)
    used: set[str] = set()
    for sheet in sheets:
        _write_sheet(
            book, fmt, _sheet_name(sheet.name, used), owner, sheet, reference_date, exported
        )
    _write_info(
        book, fmt, owner, reference_date, exported, sum(len(s.rows) for s in sheets), state_id
    )
    book.close()
    return path


# ----------------------------------------------------------------------- from the marts


def _persons(store: Store, **equal: str) -> list[dict[str, Any]]:
    """The owner's people: rows of ``potential_persons`` (each with ``reasons_vi``, the
    explanation of every reason, one per line)."""
    t = store.read_mart(MART_PERSONS)
    for column, value in equal.items():
        t = t.filter(t[column] == value)
    return list(t.to_pyarrow().to_pylist())


def _mart_stamp(store: Store) -> tuple[dt.date, str]:

    entry = store.mart_entry(MART_PERSONS)
    if entry is not None:
        return entry.reference_day, entry.state_id
    raise ListsError(
        "Chưa có danh sách tiềm năng: chạy 'baophu lists' trước / the potential lists have "
        "not been computed: run 'baophu lists' first"
    )


def sheets_by_hamlet(rows: list[dict[str, Any]]) -> list[Sheet]:
    """One sheet per hamlet (named after it, else after the commune), in hamlet-code order with
    the rows that have no hamlet last; each sheet's rows ``ordered``."""
    groups: dict[str, list[dict[str, Any]]] = {}
    names: dict[str, str] = {}
    for r in rows:
        code = str(r.get("hamlet_code") or "")
        groups.setdefault(code, []).append(r)
        names[code] = str(r.get("hamlet_name") or r.get("commune_name") or code)
    return [
        Sheet(code=code, name=names[code], rows=ordered(groups[code]))
        for code in sorted(groups, key=lambda c: (c == "", c))
    ]


def write_owner_workbook(
    store: Store,
    owner_type: str,
    owner_code: str,
    out_dir: Path,
    outcomes: Mapping[str, dict[str, Any]] | None = None,
    commune_code: str | None = None,
    include_closed: bool = False,
) -> dict[str, Any] | None:
    """The work sheets of one collector / case officer / commune (``owner_type``), limited to
    one commune when given; None when they own no open row.  Returns ``path``, ``rows``,
    ``owner_name``."""
    reference_date, state_id = _mart_stamp(store)
    filters = {"owner_type": owner_type, "owner_code": owner_code}
    if commune_code:
        filters["commune_code"] = commune_code
    rows = open_rows(_persons(store, **filters), outcomes, include_closed)
    if not rows:
        return None
    first = rows[0]
    name = str(first.get("owner_name") or owner_code)
    commune_name = str(first.get("commune_name") or "") if commune_code else ""
    owner = Owner(owner_type, owner_code, name, commune_name)
    path = Path(out_dir) / f"danh_sach_{_file_part(owner_code)}.xlsx"
    build_work_workbook(path, owner, sheets_by_hamlet(rows), reference_date, state_id)
    return {"path": path, "rows": len(rows), "owner_name": name}


def _file_part(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]", "_", code)


def write_commune_workbooks(
    store: Store,
    commune_code: str,
    out_dir: Path,
    outcomes: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Every collector's work sheets for one commune, and the commune's own rows (people no
    collector owns, pupils and benefit rows not identified), under ``out_dir/<commune>``.
    Returns ``commune_name``, ``folder``, ``files``, ``rows`` (per file)."""
    s = store.read_mart(MART_SUMMARY)
    s = s.filter((s.commune_code == commune_code) & (s.reason == "*"))
    owners = (
        s.filter(s.owner_type.isin(["collector", "commune"]))
        .select("owner_type", "owner_code")
        .distinct()
        .order_by(["owner_type", "owner_code"])
        .to_pyarrow()
        .to_pylist()
    )
    folder = Path(out_dir) / _file_part(commune_code)
    files: list[Path] = []
    rows: dict[str, int] = {}
    for o in owners:
        written = write_owner_workbook(
            store, o["owner_type"], o["owner_code"], folder, outcomes, commune_code
        )
        if written:
            files.append(written["path"])
            rows[str(written["path"])] = written["rows"]
    units = store.table("units")
    names = units.filter(units.unit_code == commune_code).select("unit_name").to_pyarrow()
    commune_name = names.column(0)[0].as_py() if names.num_rows else commune_code
    return {"commune_name": commune_name, "folder": folder, "files": files, "rows": rows}
