"""A minimal, fast and deterministic writer of one-sheet .xlsx workbooks.

General-purpose writers spend a Python call per cell, which is far too slow for a million
pupils.  Here the XML of all data rows is assembled column-wise with Arrow string kernels and
compressed in one go.  Cells are inline strings (text) or numbers; empty values are empty
cells.  Document properties and zip member timestamps are fixed, so the same content always
gives the same bytes.  The files open in Excel, LibreOffice, openpyxl and fastexcel.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FIXED_TIME = (2026, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 1

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="3"><font><sz val="11"/><name val="Times New Roman"/></font>'
    '<font><b/><sz val="11"/><name val="Times New Roman"/></font>'
    '<font><b/><sz val="13"/><name val="Times New Roman"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Microsoft Excel</Application></Properties>'
)


def _core(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>baophu synth</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


@dataclass(frozen=True)
class Sheet:
    """What one workbook holds: title lines, a header row, and columns (text or integers)."""

    titles: Sequence[str]
    headers: Sequence[str]
    columns: Sequence[pa.Array]  # string arrays (text cells) or integer arrays (numbers)
    widths: Sequence[float] | None = None
    sheet_name: str = "Sheet1"


def _text_cells(values: pa.Array) -> pa.Array:
    values = values.cast(pa.string())
    if len(values) and pc.any(pc.match_substring_regex(values, "[&<>]")).as_py():
        for raw, esc in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            values = pc.replace_substring(values, raw, esc)
    cells = pc.binary_join_element_wise(
        '<c t="inlineStr"><is><t>', values, "</t></is></c>", "", null_handling="emit_null"
    )
    return pc.fill_null(cells, "<c/>")


def _number_cells(values: pa.Array) -> pa.Array:
    cells = pc.binary_join_element_wise(
        "<c><v>", values.cast(pa.string()), "</v></c>", "", null_handling="emit_null"
    )
    return pc.fill_null(cells, "<c/>")


def _fixed_rows(lines: Sequence[Sequence[str]], style: Sequence[int], first_row: int) -> str:
    out = []
    for i, (cells, s) in enumerate(zip(lines, style, strict=True)):
        xml = "".join(f'<c s="{s}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for v in cells)
        out.append(f'<row r="{first_row + i}">{xml}</row>')
    return "".join(out)


def _arrow_bytes(array: pa.Array) -> bytes:
    """The concatenated UTF-8 bytes of a string array without nulls."""
    if not len(array):
        return b""
    bufs = array.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32)
    lo = int(offsets[array.offset])
    hi = int(offsets[array.offset + len(array)])
    return bytes(memoryview(bufs[2])[lo:hi])


def sheet_xml(sheet: Sheet) -> bytes:
    """The worksheet XML of ``sheet``."""
    n = len(sheet.columns[0]) if sheet.columns else 0
    n_fixed = len(sheet.titles) + 1
    head = _fixed_rows(
        [[t] for t in sheet.titles] + [list(sheet.headers)], [2] * len(sheet.titles) + [1], 1
    )
    last_col = _column_letter(len(sheet.headers))
    cols = ""
    if sheet.widths:
        cols = (
            "<cols>"
            + "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(sheet.widths)
            )
            + "</cols>"
        )
    start = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last_col}{n + n_fixed}"/>{cols}<sheetData>{head}'
    )
    body = b""
    if n:
        parts = []
        for col in sheet.columns:
            is_number = pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
            parts.append(_number_cells(col) if is_number else _text_cells(col))
        rownum = pa.array(np.arange(n_fixed + 1, n_fixed + 1 + n, dtype=np.int64)).cast(pa.string())
        rows = pc.binary_join_element_wise('<row r="', rownum, '">', *parts, "</row>", "")
        body = _arrow_bytes(rows)
    return start.encode("utf-8") + body + b"</sheetData></worksheet>"


def _column_letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def write_xlsx(path: Path, sheet: Sheet, title: str = "") -> None:
    """Write ``sheet`` as a one-sheet workbook at ``path`` (deterministic bytes)."""
    members = [
        ("[Content_Types].xml", _CONTENT_TYPES.encode()),
        ("_rels/.rels", _RELS.encode()),
        ("docProps/app.xml", _APP.encode()),
        ("docProps/core.xml", _core(title or (sheet.titles[0] if sheet.titles else "")).encode()),
        ("xl/workbook.xml", _workbook(sheet.sheet_name).encode()),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
        ("xl/styles.xml", _STYLES.encode()),
        ("xl/worksheets/sheet1.xml", sheet_xml(sheet)),
    ]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o600 << 16
            zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
