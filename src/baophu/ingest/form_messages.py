"""The problems of a submitted form (D02-LT workbooks, e-declaration XML dossiers), as
reason codes with their Vietnamese and English text; ``ingest.messages`` serves them with
every other reason.  Each stops the import: a form whose structure is wrong is refused
whole, naming the row and column (or the XML line and element) where it goes wrong."""

from __future__ import annotations

FORM_REASONS: dict[str, tuple[str, str]] = {
    "form_header_missing": (
        "Không tìm thấy dòng tiêu đề của bảng mẫu {form} (ô «STT» ở cột đầu); tệp cần đủ "
        "3 dòng tiêu đề",
        "The {form} table header was not found (a «STT» cell in the first column); the form "
        "needs its 3 header rows",
    ),
    "form_header_mismatch": (
        "Dòng tiêu đề thứ {line} của mẫu {form} không đúng ở ô {cell}: cần «{expected}», "
        "tệp ghi «{found}»",
        "Header row {line} of the {form} form is wrong at {cell}: expected «{expected}», "
        "found «{found}»",
    ),
    "form_header_row_missing": (
        "Thiếu dòng tiêu đề thứ {line} của mẫu {form}: bảng cần 3 dòng tiêu đề (tiêu đề nhóm, "
        "tiêu đề cột, số thứ tự cột (1), (2)…)",
        "Header row {line} of the {form} form is missing: the table needs 3 header rows (group "
        "titles, column titles, column numbers (1), (2)…)",
    ),
    "form_merged_cells": (
        "Ô gộp sai chỗ {range}: trong mẫu {form} chỉ được gộp ô ở phần tiêu đề",
        "Merged cells in the wrong place {range}: the {form} form merges cells only in its header",
    ),
    "form_heading_missing": (
        "Thiếu «{field}» ở phần đầu mẫu {form} (trước bảng)",
        "The heading of the {form} form lacks «{field}» (above the table)",
    ),
    "form_heading_bad": (
        "«{field}» ở phần đầu mẫu {form} không đọc được: {value}",
        "«{field}» in the heading of the {form} form cannot be read: {value}",
    ),
    "form_no_total": (
        "Mẫu {form} thiếu dòng «Tổng cộng» sau danh sách",
        "The {form} form has no «Tổng cộng» (total) row after the list",
    ),
    "form_totals": (
        "Dòng «Tổng cộng» không khớp ở cột «{label}»: tổng các dòng là {expected}, dòng tổng "
        "ghi {found}",
        "The total row does not add up in column «{label}»: the rows sum to {expected}, the "
        "total says {found}",
    ),
    "form_no_rows": (
        "Mẫu {form} không có dòng nào trong danh sách",
        "The {form} form lists nobody",
    ),
    "xml_unsafe": (
        "Tệp XML khai báo DOCTYPE hoặc thực thể (ENTITY): không được phép",
        "The XML file declares a DOCTYPE or entities: not allowed",
    ),
    "xml_malformed": (
        "Tệp XML hỏng: {detail}",
        "The XML file is malformed: {detail}",
    ),
    "xml_envelope": (
        "Hồ sơ điện tử thiếu phần {element} (cần Hoso/NoiDung/ThongTinIVAN, ThongTinDonVi, "
        "ThongTinHoSo/ToKhais/FileToKhai)",
        "The e-declaration dossier lacks {element} (expected Hoso/NoiDung/ThongTinIVAN, "
        "ThongTinDonVi, ThongTinHoSo/ToKhais/FileToKhai)",
    ),
    "xml_unknown_form": (
        "Tờ khai {form} chưa được hỗ trợ (TK1-TS, D03-TS, D05-TS)",
        "Form {form} is not supported (TK1-TS, D03-TS, D05-TS)",
    ),
    "xml_mixed_forms": (
        "Hồ sơ có cả {forms}: tách thành các tệp riêng (TK1-TS riêng, D03-TS/D05-TS riêng)",
        "The dossier mixes {forms}: split it (TK1-TS apart from D03-TS/D05-TS)",
    ),
}
