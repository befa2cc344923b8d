"""e-declaration dossiers (XML) that agents and employers submit through an IVAN provider:
envelope ``Hoso/NoiDung/{ThongTinIVAN, ThongTinDonVi, ThongTinHoSo/ToKhais/FileToKhai}``.

Each ``FileToKhai`` holds one form (``MaToKhai``): TK1-TS participant registrations load
into ``registration_declarations``; the D03-TS (BHYT) and D05-TS (voluntary BHXH) lists, whose
rows carry the agent's receipts (NgayBienLai, SoBienLai, the money, the months, the first
month, the participant's CCCD and the collector's staff ID, QĐ 490/QĐ-BHXH), load into
``agent_receipts``.  The file is streamed with ``lxml.etree.iterparse``: no DTD, no entities,
no network (a DOCTYPE or ENTITY is refused outright).  Each form's «TongCong» (number of
people, total money) must add up; a row's line in the file is its row in every message.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from lxml import etree

from baophu.contracts import CONTRACTS
from baophu.contracts.forms import EDECL_FORMS, EDECL_ROOT, EDECL_ROW
from baophu.ingest.errors import ImportFileError
from baophu.ingest.forms.cells import number, raw_file, shown
from baophu.ingest.readers import RawFile

_MONTH = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{4})\s*$")
# The money each form totals, by element.
AMOUNT_ELEMENT = {"TK1-TS": "Mucdong", "D03-TS": "Tiendong", "D05-TS": "Tongtien"}


def is_edeclaration(path: Path) -> bool:
    if path.suffix.lower() != ".xml":
        return False
    with open(path, "rb") as fh:
        head = fh.read(4096)
    return f"<{EDECL_ROOT}".encode() in head


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


class _Form:
    def __init__(self, line: int) -> None:
        self.line = line
        self.code: str | None = None
        self.code_line = line
        self.rows: list[tuple[int, dict[str, str]]] = []
        self.total_people: tuple[int, str | None] | None = None
        self.total_money: tuple[int, str | None] | None = None


def read_edeclaration(path: Path) -> RawFile:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ImportFileError("xml_unsafe", path)
    stack: list[str] = []
    envelope: dict[str, str] = {}
    seen: set[str] = set()
    forms: list[_Form] = []
    current: _Form | None = None
    row: dict[str, str] | None = None
    row_line = 0
    try:
        for event, el in etree.iterparse(
            str(path),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        ):
            tag = _local(el.tag)
            if event == "start":
                stack.append(tag)
                seen.add("/".join(stack))
                if tag == "FileToKhai":
                    current = _Form(el.sourceline or 0)
                elif tag == EDECL_ROW and current is not None:
                    row, row_line = {}, el.sourceline or 0
                continue
            text = (el.text or "").strip()
            parent = stack[-2] if len(stack) > 1 else ""
            if row is not None and parent == EDECL_ROW:
                row[tag] = text
            elif tag == EDECL_ROW and current is not None and row is not None:
                current.rows.append((row_line, row))
                row = None
            elif current is not None and tag == "MaToKhai":
                current.code, current.code_line = text.upper(), el.sourceline or 0
            elif current is not None and parent == "TongCong" and tag == "SoNguoi":
                current.total_people = (el.sourceline or 0, text)
            elif current is not None and parent == "TongCong" and tag == "TongTien":
                current.total_money = (el.sourceline or 0, text)
            elif tag == "FileToKhai" and current is not None:
                forms.append(current)
                current = None
            elif (
                parent in ("ThongTinDonVi", "ThongTinHoSo", "ThongTinIVAN") and tag not in envelope
            ):
                envelope[tag] = text
            stack.pop()
            if tag not in (EDECL_ROW, "FileToKhai"):
                el.clear(keep_tail=False)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        raise ImportFileError("xml_malformed", path, row=line, detail=str(exc.msg)[:200]) from exc
    root = f"{EDECL_ROOT}"
    for part in (
        f"{root}/NoiDung",
        f"{root}/NoiDung/ThongTinIVAN",
        f"{root}/NoiDung/ThongTinDonVi",
        f"{root}/NoiDung/ThongTinHoSo",
        f"{root}/NoiDung/ThongTinHoSo/ToKhais",
        f"{root}/NoiDung/ThongTinHoSo/ToKhais/FileToKhai",
    ):
        if part not in seen:
            raise ImportFileError("xml_envelope", path, element=part)
    if not envelope.get("MaDonVi"):
        raise ImportFileError("xml_envelope", path, element=f"{root}/NoiDung/ThongTinDonVi/MaDonVi")
    tables = set()
    for form in forms:
        if form.code not in EDECL_FORMS:
            raise ImportFileError(
                "xml_unknown_form",
                path,
                row=form.code_line,
                column="MaToKhai",
                form=form.code or "(trống)",
            )
        tables.add(EDECL_FORMS[form.code][0])
        _check_totals(path, form)
    if len(tables) > 1:
        raise ImportFileError(
            "xml_mixed_forms", path, forms=", ".join(sorted({f.code or "" for f in forms}))
        )
    table = tables.pop()
    if table == "registration_declarations":
        return _registrations(path, envelope, forms)
    return _receipts(path, envelope, forms)


def _check_totals(path: Path, form: _Form) -> None:
    assert form.code is not None
    if not form.rows:
        raise ImportFileError("form_no_rows", path, row=form.line, form=form.code)
    if form.total_people is None:
        raise ImportFileError("form_no_total", path, row=form.line, form=form.code)
    line, text = form.total_people
    if number(text) != len(form.rows):
        raise ImportFileError(
            "form_totals",
            path,
            row=line,
            column="SoNguoi",
            label="SoNguoi",
            expected=shown(len(form.rows)),
            found=text or "(trống)",
        )
    element = AMOUNT_ELEMENT[form.code]
    if form.total_money is not None:
        line, text = form.total_money
        total = sum(number(r.get(element)) or 0.0 for _, r in form.rows)
        found = number(text)
        if found is None or abs(found - total) > 0.5:
            raise ImportFileError(
                "form_totals",
                path,
                row=line,
                column="TongTien",
                label=f"TongTien ({element})",
                expected=shown(total),
                found=shown(found) if found is not None else text or "(trống)",
            )


def _first_day(text: str | None) -> str | None:
    """A D05-TS month ("10/2026") as its first day; a date as written."""
    if not text:
        return None
    found = _MONTH.match(text)
    if found:
        return dt.date(int(found.group(2)), int(found.group(1)), 1).strftime("%d/%m/%Y")
    return text


def _receipts(path: Path, envelope: dict[str, str], forms: list[_Form]) -> RawFile:
    contract = CONTRACTS["agent_receipts"]
    names = [
        "agent_code",
        "receipt_no",
        "receipt_date",
        "collector_code",
        "person_id",
        "si_code",
        "full_name",
        "scheme",
        "amount",
        "months",
        "period_start",
    ]
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    lines: list[int] = []
    for form in forms:
        assert form.code is not None
        _, fields, scheme = EDECL_FORMS[form.code]
        for line, row in form.rows:
            lines.append(line)
            values = {
                column: row.get(element) or None for element, column in fields.items() if column
            }
            values["period_start"] = _first_day(values.get("period_start"))
            values["agent_code"] = envelope["MaDonVi"]
            values["scheme"] = scheme
            for n in names:
                columns[n].append(values.get(n))
    headers = [contract.column(n).vi for n in names]
    return raw_file(path, headers, [columns[n] for n in names], lines, "xml")


def _registrations(path: Path, envelope: dict[str, str], forms: list[_Form]) -> RawFile:
    contract = CONTRACTS["registration_declarations"]
    names = [c.name for c in contract.columns]
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    lines: list[int] = []
    for form in forms:
        assert form.code is not None
        _, fields, _ = EDECL_FORMS[form.code]
        for line, row in form.rows:
            lines.append(line)
            values = {
                column: row.get(element) or None for element, column in fields.items() if column
            }
            values["submitter_code"] = envelope["MaDonVi"]
            values["dossier_no"] = envelope.get("SoHoSo") or None
            values["submitted_date"] = envelope.get("NgayLap") or None
            for n in names:
                columns[n].append(values.get(n))
    headers = [contract.column(n).vi for n in names]
    return raw_file(path, headers, [columns[n] for n in names], lines, "xml")
