"""Every problem ingest can report, as a reason code with its Vietnamese and English text.

Row-level reasons go to the rejects file; file-level ones stop the import.  Messages are
templates filled with ``str.format`` keywords.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # row level
    "required": ("Thiếu giá trị bắt buộc", "Required value is missing"),
    "bad_int": ("Không phải số nguyên: {value}", "Not a whole number: {value}"),
    "bad_float": ("Không phải số: {value}", "Not a number: {value}"),
    "bad_date": (
        "Ngày không hợp lệ (cần dd/mm/yyyy hoặc yyyy-mm-dd): {value}",
        "Invalid date (expected dd/mm/yyyy or yyyy-mm-dd): {value}",
    ),
    "bad_month": (
        "Tháng không hợp lệ (cần mm/yyyy hoặc yyyy-mm): {value}",
        "Invalid month (expected mm/yyyy or yyyy-mm): {value}",
    ),
    "bad_datetime": (
        "Ngày giờ không hợp lệ (cần yyyymmddHHMM, yyyy-mm-dd HH:MM hoặc dd/mm/yyyy HH:MM): {value}",
        "Invalid date and time (expected yyyymmddHHMM, yyyy-mm-dd HH:MM or dd/mm/yyyy HH:MM): "
        "{value}",
    ),
    "bad_bool": ("Không phải giá trị có/không: {value}", "Not a yes/no value: {value}"),
    "not_allowed": (
        "Giá trị không thuộc danh mục ({allowed}): {value}",
        "Value not in the code list ({allowed}): {value}",
    ),
    "negative": ("Số âm không được phép: {value}", "Negative number not allowed: {value}"),
    "not_positive": ("Phải lớn hơn 0: {value}", "Must be greater than zero: {value}"),
    "bad_percent": ("Tỷ lệ phải từ 0 đến 1: {value}", "Rate must be between 0 and 1: {value}"),
    "future_date": ("Ngày ở tương lai: {value}", "Date is in the future: {value}"),
    "id_missing": ("Thiếu số định danh cá nhân", "Personal ID is missing"),
    "id_not_12_digits": (
        "Số định danh cá nhân phải gồm 12 chữ số: {value}",
        "Personal ID must have 12 digits: {value}",
    ),
    "id_unknown_province": (
        "Mã tỉnh (3 số đầu) của số định danh không tồn tại: {value}",
        "Province code (first 3 digits) of the personal ID does not exist: {value}",
    ),
    "id_sex_mismatch": (
        "Số định danh không khớp giới tính (chữ số thứ 4): {value}",
        "Personal ID does not match the sex (4th digit): {value}",
    ),
    "id_birth_year_mismatch": (
        "Số định danh không khớp năm sinh (chữ số 4-6): {value}",
        "Personal ID does not match the birth year (digits 4-6): {value}",
    ),
    "bad_si_code": (
        "Mã số BHXH phải gồm 10 chữ số: {value}",
        "Social-insurance code must have 10 digits: {value}",
    ),
    "bad_tax_code": (
        "Mã số thuế phải gồm 10 chữ số (hoặc 10 số + '-' + 3 số): {value}",
        "Tax code must have 10 digits (or 10 digits + '-' + 3 digits): {value}",
    ),
    "unknown_reference": (
        "Mã không tồn tại trong bảng {ref_table}: {value}",
        "Code does not exist in table {ref_table}: {value}",
    ),
    "duplicate_row": (
        "Dòng trùng lặp với dòng {first_row}",
        "Duplicate of row {first_row}",
    ),
    "conflicting_key": (
        "Trùng khoá ({key}) với dòng {other_rows} nhưng nội dung khác",
        "Same key ({key}) as row(s) {other_rows} but different content",
    ),
    "key_in_other_source": (
        "Khoá ({key}) đã có trong tệp đã nhập khác: {other_source}",
        "Key ({key}) already imported from another file: {other_source}",
    ),
    "bad_row_shape": (
        "Số cột của dòng không đúng (cần {expected}, có {actual})",
        "Row has the wrong number of fields (expected {expected}, got {actual})",
    ),
    "end_before_start": (
        "Ngày kết thúc trước ngày bắt đầu",
        "End date is before start date",
    ),
    # file level
    "file_missing": ("Không tìm thấy tệp", "File not found"),
    "file_empty": ("Tệp rỗng, không có dữ liệu", "The file is empty"),
    "file_no_rows": (
        "Tệp chỉ có dòng tiêu đề, không có dữ liệu",
        "The file has a header but no rows",
    ),
    "file_unsupported": (
        "Định dạng tệp không được hỗ trợ ({suffix}); dùng .xlsx, .csv hoặc .parquet",
        "Unsupported file type ({suffix}); use .xlsx, .csv or .parquet",
    ),
    "file_corrupt": (
        "Tệp bị hỏng hoặc bị cắt cụt, không đọc được: {detail}",
        "The file is damaged or cut off and cannot be read: {detail}",
    ),
    "file_truncated": (
        "Tệp bị cắt cụt: dòng cuối {row} không đầy đủ",
        "The file is cut off: its last row {row} is incomplete",
    ),
    "file_encoding": (
        "Không nhận diện được bảng mã của tệp (cần UTF-8)",
        "Cannot tell the file's text encoding (UTF-8 expected)",
    ),
    "unknown_table": (
        "Không nhận ra bảng dữ liệu từ tên tệp hoặc dòng tiêu đề. Các cột tìm thấy: {headers}",
        "Cannot tell which table this is from its name or header. Columns found: {headers}",
    ),
    "missing_columns": (
        "Thiếu cột bắt buộc của bảng {table}: {missing}. Các cột tìm thấy: {headers}",
        "Required columns of table {table} are missing: {missing}. Columns found: {headers}",
    ),
    "duplicate_columns": (
        "Cột bị lặp trong dòng tiêu đề: {columns}",
        "Columns appear twice in the header: {columns}",
    ),
    "reference_table_empty": (
        "Bảng {ref_table} chưa có dữ liệu; hãy nhập bảng {ref_table} trước",
        "Table {ref_table} is empty; import {ref_table} first",
    ),
    "too_many_rejects": (
        "{rejected}/{total} dòng bị loại ({share}); không nhập tệp này. Xem tệp lỗi: {rejects}",
        "{rejected}/{total} rows rejected ({share}); the file was not imported. See: {rejects}",
    ),
    "shrink_guard": (
        "Tệp mới chỉ có {new} dòng so với {old} dòng của lần nhập trước; dùng --allow-shrink "
        "nếu đúng là như vậy",
        "The new file has {new} rows against {old} in the previous import; pass --allow-shrink "
        "if that is right",
    ),
}


def text(code: str, **kwargs: object) -> tuple[str, str]:
    """The (Vietnamese, English) message for a reason code."""
    vi, en = REASONS[code]
    return vi.format(**kwargs), en.format(**kwargs)


def _with_claim_reasons() -> None:
    """The claims import's reasons live beside its code (ingest/claims_messages.py)."""
    from baophu.ingest.claims_messages import CLAIM_REASONS

    REASONS.update(CLAIM_REASONS)


_with_claim_reasons()
