"""The layout of a collector's work sheet: what ``reports.collector_workbook`` writes and
``ingest.work_sheets`` reads back when the sheet returns with the field outcomes filled in.

One list sheet per hamlet, the column headers on row ``HEADER_ROW`` (0-based), one row per
person keyed by ``KEY_HEADER`` (the lists' ``row_key``); the columns to fill in are
``OUTCOME_HEADER``, ``DATE_HEADER``, ``PAID_HEADER`` and ``NOTE_HEADER``.  An information
sheet ``INFO_SHEET`` holds label/value pairs, among them who the sheet was made for
(``OWNER_KIND_LABEL``, ``OWNER_CODE_LABEL``).
"""

from __future__ import annotations

INFO_SHEET = "Thông tin"
HEADER_ROW = 4  # 0-based: the row of the column headers
KEY_HEADER = "Mã dòng"
OUTCOME_HEADER = "Kết quả"
DATE_HEADER = "Ngày liên hệ"
PAID_HEADER = "Số tiền đã thu (đồng)"
NOTE_HEADER = "Ghi chú"
ID_HEADER = "Số định danh"
NAME_HEADER = "Họ và tên"
AMOUNT_HEADER = "Số tiền phải đóng (đồng)"
OWNER_KIND_LABEL = "Loại người phụ trách"
OWNER_CODE_LABEL = "Mã người phụ trách"
