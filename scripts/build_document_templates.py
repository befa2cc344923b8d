"""Writes the shipped Word templates of the reports (src/baophu/reports/documents/templates).

The templates are the source an office edits (wording, recipients, signature); this script
only made their first version and can make it again: `python scripts/build_document_templates.py`.
Layout follows Decree 30/2020/NĐ-CP (A4; margins 20/20/30/15 mm; Times New Roman 13; the
issuing body left and the national emblem line right; number and symbol; place and date;
title; body; "Nơi nhận" left and the signature block right).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parents[1] / "src/baophu/reports/documents/templates"


def _no_borders(table) -> None:  # type: ignore[no-untyped-def]
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table, widths_mm) -> None:  # type: ignore[no-untyped-def]
    table.autofit = False
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)


def _para(
    container, text: str = "", *, bold=False, italic=False, size=None, align=None, space_after=2
):  # type: ignore[no-untyped-def]
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if size:
            run.font.size = Pt(size)
    return p


def _cell_para(cell, text, **kw):  # type: ignore[no-untyped-def]
    first = cell.paragraphs[0]
    if not first.text and not first.runs:
        p = first
        p.alignment = kw.pop("align", None)
        run = p.add_run(text)
        run.bold = kw.pop("bold", False)
        run.italic = kw.pop("italic", False)
        if "size" in kw:
            run.font.size = Pt(kw.pop("size"))
        p.paragraph_format.space_after = Pt(0)
        return p
    kw.setdefault("space_after", 0)
    return _para(cell, text, **kw)


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    return doc


def header(doc: Document) -> None:
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(t)
    left, right = t.rows[0].cells
    _widths(t, (68, 100))
    c = WD_ALIGN_PARAGRAPH.CENTER
    _cell_para(left, "{{ frame.parent_body }}", size=12, align=c)
    _cell_para(left, "{{ frame.issuing_body }}", bold=True, size=12, align=c)
    _cell_para(left, "{{ number_line }}", size=12, align=c)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, align=c)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, align=c)
    _cell_para(right, "{{ date_line }}", italic=True, size=13, align=c)
    _para(doc)
    _para(doc, "{{ frame.title }}", bold=True, size=14, align=c, space_after=0)
    _para(doc, "{{ frame.subtitle }}", bold=True, size=13, align=c, space_after=12)


def heading(doc: Document, text: str) -> None:
    _para(doc, text, bold=True, space_after=4)


def body(doc: Document, text: str) -> None:
    p = _para(doc, text, space_after=4)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.first_line_indent = Mm(10)


def table(doc: Document, name: str) -> None:
    _para(doc, "{{p tables." + name + " }}")


def lines(doc: Document, name: str) -> None:
    _para(doc, "{%p for line in paragraphs." + name + " %}")
    body(doc, "{{ line }}")
    _para(doc, "{%p endfor %}")


def footer(doc: Document) -> None:
    _para(doc, "{{ stamp_line }}", italic=True, size=10, space_after=8)
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    left, right = t.rows[0].cells
    _widths(t, (85, 80))
    _cell_para(left, "Nơi nhận:", bold=True, italic=True, size=12)
    _cell_para(left, "{%p for r in frame.recipients %}", size=11)
    _cell_para(left, "- {{ r }};", size=11)
    _cell_para(left, "{%p endfor %}", size=11)
    _cell_para(left, "- Lưu: VT.", size=11)
    c = WD_ALIGN_PARAGRAPH.CENTER
    _cell_para(right, "{{ frame.signer_authority }}", bold=True, size=13, align=c)
    _cell_para(right, "{{ frame.signer_title }}", bold=True, size=13, align=c)
    for _ in range(4):
        _cell_para(right, "", size=13, align=c)
    _cell_para(right, "……………………………", size=13, align=c)


def monthly() -> Document:
    doc = new_document()
    header(doc)
    heading(doc, "I. KẾT QUẢ THỰC HIỆN CHỈ TIÊU ĐẾN THÁNG {{ values.month }}")
    heading(doc, "1. Tình hình chung")
    lines(doc, "summary")
    heading(doc, "2. Kết quả so với chỉ tiêu giao năm {{ values.year }}")
    table(doc, "targets")
    heading(doc, "3. Tỷ lệ bao phủ")
    table(doc, "rates")
    _para(doc, "{{ charts.trend }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{%p if values.has_ranking %}")
    heading(doc, "4. Xếp hạng {{ values.child_level }} theo tỷ lệ hoàn thành chỉ tiêu BHYT")
    table(doc, "ranking")
    _para(doc, "{%p endif %}")
    heading(doc, "5. Tình hình chậm đóng")
    table(doc, "arrears")
    body(
        doc,
        "Đơn vị chậm đóng từ 3 tháng trở lên ({{ values.late_3plus_total }} đơn vị; "
        "danh sách các đơn vị có số tiền chậm đóng lớn nhất):",
    )
    table(doc, "late_employers")
    _para(doc, "{%p if values.has_campaign %}")
    heading(doc, "6. Tiến độ chiến dịch")
    table(doc, "campaign")
    _para(doc, "{%p endif %}")
    heading(doc, "7. Danh sách tiềm năng cần vận động")
    table(doc, "potential")
    heading(doc, "II. NHIỆM VỤ TRỌNG TÂM THÁNG TIẾP THEO")
    body(
        doc,
        "Tập trung vận động người trong danh sách tiềm năng; đôn đốc thu, giảm số tiền chậm "
        "đóng, không để phát sinh tăng số đơn vị chậm đóng từ 3 tháng trở lên; các đơn vị đạt "
        "thấp báo cáo, giải trình và cam kết hoàn thành chỉ tiêu.",
    )
    footer(doc)
    return doc


def year_end() -> Document:
    doc = new_document()
    header(doc)
    body(
        doc,
        "Thực hiện Kế hoạch thực hiện chỉ tiêu phát triển đối tượng tham gia bảo hiểm xã hội "
        "năm {{ values.year }}, {{ frame.issuing_body|lower }} báo cáo kết quả thực hiện đến "
        "ngày {{ values.day }} như sau:",
    )
    heading(doc, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    lines(doc, "summary")
    table(doc, "province")
    _para(doc, "{{ charts.offices }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    heading(doc, "II. KẾT QUẢ THEO ĐƠN VỊ")
    heading(doc, "1. BHXH cơ sở")
    table(doc, "offices")
    heading(doc, "2. Xã, phường")
    table(doc, "communes")
    heading(doc, "III. KIẾN NGHỊ, ĐỀ XUẤT")
    body(doc, "……………………………………………………………………………")
    footer(doc)
    return doc


def finance() -> Document:
    doc = new_document()
    header(doc)
    body(
        doc,
        "{{ frame.issuing_body|capitalize }} báo cáo tình hình ngân sách nhà nước đóng, hỗ trợ "
        "đóng BHYT, BHXH tự nguyện quý {{ values.quarter }} như sau:",
    )
    heading(doc, "I. TÌNH HÌNH CHUYỂN KINH PHÍ THEO CƠ QUAN CHI TRẢ")
    lines(doc, "summary")
    table(doc, "quarter")
    heading(doc, "II. KIẾN NGHỊ")
    body(
        doc,
        "Đề nghị các sở, ngành chuyển đủ, kịp thời kinh phí ngân sách nhà nước đóng, hỗ trợ "
        "đóng BHYT, BHXH tự nguyện theo quy định.",
    )
    footer(doc)
    return doc


def health() -> Document:
    doc = new_document()
    header(doc)
    heading(doc, "I. CHI KHÁM BỆNH, CHỮA BỆNH BHYT SO VỚI DỰ TOÁN")
    lines(doc, "spending")
    table(doc, "spending")
    heading(doc, "II. NGƯỜI THAM GIA BHYT THEO NHÓM ĐỐI TƯỢNG")
    table(doc, "groups")
    footer(doc)
    return doc


def inspection() -> Document:
    doc = new_document()
    header(doc)
    body(
        doc,
        "{{ frame.issuing_body|capitalize }} đề nghị phối hợp thanh tra, kiểm tra việc chấp "
        "hành pháp luật về BHXH, BHYT, BHTN đối với các đơn vị sau:",
    )
    heading(doc, "I. TÌNH HÌNH CHUNG")
    lines(doc, "summary")
    heading(doc, "II. DANH SÁCH ĐƠN VỊ ĐỀ NGHỊ THANH TRA, KIỂM TRA")
    table(doc, "inspection")
    heading(doc, "III. ĐƠN VỊ CHẬM ĐÓNG TỪ 3 THÁNG TRỞ LÊN")
    table(doc, "late_employers")
    footer(doc)
    return doc


TEMPLATES = {
    "monthly": monthly,
    "year_end": year_end,
    "finance": finance,
    "health": health,
    "inspection": inspection,
}


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for kind, build in TEMPLATES.items():
        doc = build()
        doc.core_properties.author = "baophu"
        doc.core_properties.title = f"Mẫu báo cáo {kind}"
        doc.save(str(out / f"{kind}.docx"))
        print(out / f"{kind}.docx")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
