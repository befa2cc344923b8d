"""The compliance lists as Excel workbooks with Vietnamese headers (public notices and lists
for action): inspection, public disclosure, tender exclusion, award exclusion.

Owns the export only: each list is a mart (``baophu.engine.compliance.lists``); this module
reads it once and writes one workbook per list, columns in a fixed order with Vietnamese
headers, amounts as numbers, dates as ``dd/mm/yyyy``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from baophu.backends import Store
from baophu.reports.notice import NoticeError
from baophu.rules import wording
from baophu.vn.formats import date as vn_date
from baophu.vn.text import nfc

# (mart, file stem, title, ((column, Vietnamese header, width), ...), sort keys)
LISTS: tuple[tuple[str, str, str, tuple[tuple[str, str, float], ...]], ...] = (
    (
        "inspection_list",
        "danh_sach_thanh_tra_kiem_tra",
        "DANH SÁCH ĐƠN VỊ ĐỀ NGHỊ THANH TRA, KIỂM TRA",
        (
            ("office_code", "Mã BHXH cơ sở", 10),
            ("office_name", "BHXH cơ sở", 24),
            ("office_list_rank", "Thứ tự trong cơ sở", 9),
            ("list_rank", "Thứ tự toàn tỉnh", 9),
            ("employer_code", "Mã đơn vị", 13),
            ("tax_code", "Mã số thuế", 12),
            ("name", "Tên đơn vị", 40),
            ("commune_name", "Xã, phường", 20),
            ("officer_name", "Cán bộ chuyên quản", 20),
            ("total_score", "Điểm rủi ro", 8),
            ("reason", "Lý do", 34),
            ("explanation", "Dấu hiệu", 80),
            ("estimated_monthly_evaded", "Ước số tiền trốn, thiếu đóng mỗi tháng", 16),
            ("estimated_monthly_shortfall", "Số tiền ước thiếu mỗi tháng", 16),
        ),
    ),
    (
        "disclosure_list",
        "danh_sach_cong_khai",
        "DANH SÁCH ĐƠN VỊ CHẬM ĐÓNG BHXH, BHYT, BHTN SỐ TIỀN LỚN, THỜI GIAN KÉO DÀI",
        (
            ("employer_code", "Mã đơn vị", 13),
            ("tax_code", "Mã số thuế", 12),
            ("employer_name", "Tên đơn vị", 40),
            ("address", "Địa chỉ", 34),
            ("ownership_name", "Loại hình", 22),
            ("office_name", "BHXH cơ sở", 22),
            ("late_amount", "Số tiền chậm đóng", 16),
            ("months_late", "Số tháng chậm đóng", 9),
            ("late_since", "Chậm đóng từ ngày", 12),
            ("interest_outstanding", "Lãi chậm đóng chưa nộp", 14),
            ("basis", "Căn cứ", 34),
        ),
    ),
    (
        "tender_exclusion_list",
        "danh_sach_khong_duoc_du_thau",
        "DANH SÁCH ĐƠN VỊ TRỐN ĐÓNG KHÔNG ĐƯỢC THAM GIA ĐẤU THẦU DỰ ÁN SỬ DỤNG VỐN NSNN",
        (
            ("employer_code", "Mã đơn vị", 13),
            ("tax_code", "Mã số thuế", 12),
            ("employer_name", "Tên đơn vị", 40),
            ("address", "Địa chỉ", 34),
            ("office_name", "BHXH cơ sở", 22),
            ("evasion_amount", "Số tiền trốn đóng", 16),
            ("evasion_months", "Số tháng quá {evasion_days}", 9),
            ("late_amount", "Tổng số tiền chậm đóng", 16),
            ("late_since", "Chậm đóng từ ngày", 12),
            ("basis", "Căn cứ", 50),
        ),
    ),
    (
        "award_exclusion_list",
        "danh_sach_khong_xet_khen_thuong",
        "DANH SÁCH ĐƠN VỊ CHẬM ĐÓNG KHÔNG XEM XÉT KHEN THƯỞNG",
        (
            ("employer_code", "Mã đơn vị", 13),
            ("tax_code", "Mã số thuế", 12),
            ("employer_name", "Tên đơn vị", 40),
            ("address", "Địa chỉ", 34),
            ("office_name", "BHXH cơ sở", 22),
            ("late_amount", "Số tiền chậm đóng", 16),
            ("months_late", "Số tháng chậm đóng", 9),
            ("late_since", "Chậm đóng từ ngày", 12),
            ("basis", "Căn cứ", 40),
        ),
    ),
)
SORT = {
    "inspection_list": ("list_rank",),
    "disclosure_list": ("late_amount", "employer_code"),
    "tender_exclusion_list": ("evasion_amount", "employer_code"),
    "award_exclusion_list": ("late_amount", "employer_code"),
}
DESCENDING = {"late_amount", "evasion_amount"}


def list_rows(store: Store, mart: str) -> list[dict[str, Any]]:
    """The rows of one list mart, sorted as published."""
    if not store.has_mart(mart):
        raise NoticeError(
            "Chưa tính các danh sách; chạy 'baophu compliance run' trước / the lists have not "
            "been computed; run 'baophu compliance run' first"
        )
    import ibis

    table = store.read_mart(mart)
    keys = [ibis.desc(k) if k in DESCENDING else k for k in SORT[mart]]
    return list(table.order_by(keys).to_pyarrow().to_pylist())


def write_list_xlsx(
    rows: list[dict[str, Any]],
    path: Path,
    title: str,
    columns: tuple[tuple[str, str, float], ...],
    subtitle: str,
) -> None:
    """One list as a workbook: title, subtitle, Vietnamese headers, one row per entry."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Danh sách")
    bold = wb.add_format({"bold": True, "font_size": 12})
    head = wb.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    amount = wb.add_format({"num_format": "#,##0"})
    ws.set_column(0, 0, 6)
    for col, (_, _, width) in enumerate(columns, start=1):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, nfc(title), bold)
    ws.write_string(1, 0, nfc(subtitle))
    ws.set_row(3, 36)
    for col, header in enumerate(["STT", *[nfc(h) for _, h, _ in columns]]):
        ws.write_string(3, col, header, head)
    for i, row in enumerate(rows, start=1):
        r = 3 + i
        ws.write_number(r, 0, i)
        for col, (key, _, _) in enumerate(columns, start=1):
            value = row.get(key)
            if value is None:
                ws.write_blank(r, col, None)
            elif isinstance(value, bool):
                ws.write_string(r, col, "Có" if value else "Không")
            elif isinstance(value, int):
                ws.write_number(r, col, value, amount)
            elif isinstance(value, float):
                ws.write_number(r, col, value)
            elif isinstance(value, dt.date):
                ws.write_string(r, col, vn_date(value))
            else:
                ws.write_string(r, col, nfc(str(value)))
    ws.autofilter(3, 0, 3 + max(len(rows), 1), len(columns))
    ws.freeze_panes(4, 0)
    wb.close()


def export_lists(store: Store, out_dir: Path) -> dict[str, dict[str, Any]]:
    """Write the four lists under ``out_dir``; returns ``{mart: {"file", "rows"}}``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamps = {m["mart"]: m for m in store.marts()}
    result: dict[str, dict[str, Any]] = {}
    for mart, stem, title, columns in LISTS:
        rows = list_rows(store, mart)
        reference = stamps.get(mart, {}).get("reference_date", "")
        try:
            day = dt.date.fromisoformat(str(reference))
        except ValueError:
            day = None
        shown = str(reference) if day is None else vn_date(day)
        path = out_dir / f"{stem}.xlsx"
        headers = _headers(columns, day)
        write_list_xlsx(rows, path, title, headers, f"Số liệu đến ngày {shown}")
        result[mart] = {"file": str(path), "rows": len(rows)}
    return result


def _headers(
    columns: tuple[tuple[str, str, float], ...], day: dt.date | None
) -> tuple[tuple[str, str, float], ...]:
    """Headers that quote a legal figure rendered for the list's reference date."""
    evasion = (wording.evasion_days(day) if day else None) or "hạn trốn đóng"
    return tuple((f, h.format(evasion_days=evasion), w) for f, h, w in columns)
