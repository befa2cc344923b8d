"""A ``Document`` into its Word template (docxtpl), then the file made reproducible.

Templates are ``.docx`` files with Jinja tags (``templates/<kind>.docx``; a workspace may
hold its own edited copies in ``<workspace>/templates/documents/``): the administrative
frame, the wording, the recipients and the signature block are the office's to edit.
Tables are built here as sub-documents (``{{p tables.name }}``) so their rows follow the
data; charts are inline images (``{{ charts.name }}``).

The same figures give the same bytes: the zip entries carry a fixed date, the core
properties the reference date, and the images no timestamp.
"""

from __future__ import annotations

import io
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate, InlineImage

from baophu.reports.documents.fmt import date_line, nfc
from baophu.reports.documents.model import DocTable, Document

TABLE_WIDTH_MM = 170.0
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def template_path(kind: str, override_dir: Path | None = None) -> Path:
    """The workspace's edited template of ``kind`` when there is one, else the shipped one."""
    if override_dir is not None:
        own = override_dir / f"{kind}.docx"
        if own.is_file():
            return own
    return Path(
        str(resources.files("baophu.reports.documents").joinpath("templates", f"{kind}.docx"))
    )


def _cell_text(cell: Any, text: str, bold: bool, size: float, align: Any) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run(nfc(text))
    run.bold = bold
    run.font.size = Pt(size)


def _numeric(value: str) -> bool:
    """Whether a cell prints a number (right-aligned): 1.115.590, 95,32%, −12."""
    bare = value.replace(".", "").replace(",", "").lstrip("+−-").rstrip("%")
    return bool(bare) and bare.isdigit()


def table_subdoc(tpl: DocxTemplate, table: DocTable, size: float | None = None) -> Any:
    """A sub-document holding ``table`` (or its empty text), in the template's styles."""
    sub = tpl.new_subdoc()
    if not table.rows:
        p = sub.add_paragraph()
        run = p.add_run(nfc(table.empty_text))
        run.italic = True
        return sub
    size = size or (10.0 if len(table.headers) <= 6 else 9.0)
    widths = table.widths or [1.0] * len(table.headers)
    total = sum(widths)
    widths_mm = [TABLE_WIDTH_MM * w / total for w in widths]
    t = sub.add_table(rows=0, cols=len(table.headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Rows are added one by one and their cells taken once: ``Table.cell(i, j)`` walks the
    # whole table on every call (minutes for a few hundred rows).
    lines = [
        (table.headers, True, True),
        *((row, (i in table.bold_rows), False) for i, row in enumerate(table.rows)),
    ]
    for values, bold, header in lines:
        cells = t.add_row().cells
        for j, (cell, value) in enumerate(zip(cells, values, strict=True)):
            if header:
                align = WD_ALIGN_PARAGRAPH.CENTER
            elif _numeric(value) and j > 0:
                align = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                align = WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cell, value, bold, size, align)
            cell.width = Mm(widths_mm[j])
    set_grid(t, widths_mm)
    return sub


def set_grid(table: Any, widths_mm: list[float]) -> None:
    """Fixed column widths that Word and LibreOffice both honour (the grid; the cells carry
    theirs)."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(w).twips)))


def context(tpl: DocxTemplate, doc: Document) -> dict[str, Any]:
    f = doc.frame
    return {
        "frame": f,
        "date_line": date_line(f.place, f.issued),
        "number_line": f"Số:        /{f.symbol}",
        "stamp_line": doc.stamp.line(),
        "stamp": doc.stamp.as_dict(),
        "unit_name": doc.unit_name,
        "paragraphs": {k: [nfc(p) for p in v] for k, v in doc.paragraphs.items()},
        "tables": {k: table_subdoc(tpl, t) for k, t in doc.tables.items()},
        "charts": {k: InlineImage(tpl, str(p), width=Mm(160)) for k, p in doc.charts.items()},
        "values": doc.values,
    }


def render(doc: Document, path: Path, override_dir: Path | None = None) -> Path:
    """Write ``doc`` as ``path`` (.docx) from its kind's template."""
    tpl = DocxTemplate(str(template_path(doc.kind, override_dir)))
    tpl.render(context(tpl, doc), autoescape=True)
    props = tpl.docx.core_properties
    props.title = nfc(f"{doc.frame.title} — {doc.frame.subtitle}")
    props.author = "baophu"
    props.last_modified_by = "baophu"
    props.comments = doc.stamp.line()
    props.revision = 1
    day = doc.stamp.reference_date
    import datetime as dt

    moment = dt.datetime(day.year, day.month, day.day)
    props.created = moment
    props.modified = moment
    props.last_printed = moment
    buffer = io.BytesIO()
    tpl.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixed_zip(buffer.getvalue()))
    return path


def fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry dated 1980-01-01, in name order (reproducible bytes)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        names = src.namelist()
        first = [n for n in names if n == "[Content_Types].xml"]
        for name in first + sorted(n for n in names if n not in first):
            info = zipfile.ZipInfo(name, FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()
