"""Every problem ingest can report, as a reason code with its Vietnamese and English text, and
how a value from a file is made safe to quote in a message (``printable``).

Row-level reasons go to the rejects file; file-level ones stop the import.  Messages are
templates filled with ``str.format`` keywords.
"""

from __future__ import annotations

import unicodedata

from baophu.ingest.claims_messages import CLAIM_REASONS
from baophu.ingest.form_messages import FORM_REASONS

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
    "implausible_date": (
        "Ngày nằm ngoài khoảng hợp lý (từ {earliest} đến {latest}): {value}",
        "Date outside the plausible range ({earliest} to {latest}): {value}",
    ),
    "implausible_year": (
        "Năm nằm ngoài khoảng hợp lý (từ {earliest} đến {latest}): {value}",
        "Year outside the plausible range ({earliest} to {latest}): {value}",
    ),
    "implausible_number": (
        "Giá trị nằm ngoài khoảng hợp lý (từ {low} đến {high}): {value}",
        "Value outside the plausible range ({low} to {high}): {value}",
    ),
    "rate_not_fraction": (
        "Chỉ tiêu tỷ lệ ({indicator}) phải ghi dạng số thập phân từ 0 đến 1 (ví dụ 0,96 cho "
        "96%): {value}",
        "A rate target ({indicator}) must be a fraction between 0 and 1 (e.g. 0.96 for 96%): "
        "{value}",
    ),
    "bad_phone": (
        "Số điện thoại không hợp lệ (cần 10 chữ số bắt đầu bằng 0, hoặc 11 chữ số bắt đầu "
        "bằng 02): {value}",
        "Not a valid phone number (10 digits starting with 0, or 11 starting with 02): {value}",
    ),
    "too_long": (
        "Giá trị dài {length} ký tự, vượt quá {limit} ký tự cho phép: {value}",
        "Value is {length} characters long, more than the {limit} allowed: {value}",
    ),
    "merged_cell": (
        "Ô {cell} thuộc vùng ô gộp {range}; đã lấy giá trị của ô {source}",
        "Cell {cell} is part of the merged range {range}; took the value of cell {source}",
    ),
    "merged_cell_across": (
        "Ô {cell} thuộc vùng ô gộp {range} trải qua nhiều cột nên để trống; hãy bỏ gộp ô",
        "Cell {cell} is part of the merged range {range} across columns and was read as empty; "
        "unmerge the cells",
    ),
    "formula_no_value": (
        "Ô {cell} chứa công thức nhưng chưa có giá trị đã tính (tệp chưa được mở và lưu bằng "
        "Excel): {value}",
        "Cell {cell} holds a formula without a computed value (the file was never opened and "
        "saved in Excel): {value}",
    ),
    "last_row_short": (
        "Dòng cuối không có dấu xuống dòng và ngắn hơn mọi dòng khác: có thể bị cắt cụt "
        "(«{value}»)",
        "The last row has no line ending and is shorter than every other row: it may be cut "
        "off («{value}»)",
    ),
    "mojibake_value": (
        "Chữ bị lỗi mã (UTF-8 bị đọc nhầm thành Latin-1): «{value}» có lẽ là «{fixed}»",
        "Garbled text (UTF-8 read as Latin-1): «{value}» is probably «{fixed}»",
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
    "file_tcvn3": (
        "Tệp dùng bảng mã TCVN3 (ABC) cũ, ví dụ «{sample}» là «{decoded}»; hãy chuyển sang "
        "Unicode (UTF-8), chẳng hạn bằng công cụ chuyển mã của Unikey, rồi nhập lại",
        "The file uses the legacy TCVN3 (ABC) encoding, e.g. «{sample}» is «{decoded}»; convert "
        "it to Unicode (UTF-8), e.g. with Unikey's converter, and import it again",
    ),
    "file_mojibake": (
        "Chữ tiếng Việt trong tệp bị lỗi mã (UTF-8 đã bị đọc nhầm thành Latin-1 rồi lưu lại): "
        "«{value}» có lẽ là «{fixed}»; hãy xuất lại tệp gốc dạng UTF-8",
        "The Vietnamese text of the file is garbled (UTF-8 read as Latin-1 and saved again): "
        "«{value}» is probably «{fixed}»; export the original again as UTF-8",
    ),
    "file_not_table": (
        "Tệp không phải bảng dữ liệu mà là {what_vi}",
        "The file is not a data table but {what_en}",
    ),
    "file_password": (
        "Tệp là bảng tính Excel được bảo vệ bằng mật khẩu nên không đọc được; hãy mở bằng "
        "Excel, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại",
        "The file is a password-protected Excel workbook and cannot be read; open it in Excel, "
        "remove the password (File > Info > Protect Workbook) and save it again",
    ),
    "unexpected_error": (
        "Lỗi không mong đợi khi xử lý tệp ({detail}); không nhập gì",
        "Unexpected error while processing the file ({detail}); nothing was imported",
    ),
    "orphans": (
        "Tệp mới bỏ mất {n} mã của bảng {table} mà dữ liệu khác vẫn dùng: {orphans}. Hãy nhập "
        "tệp đầy đủ, hoặc dùng --allow-orphans nếu đúng là như vậy",
        "The new file drops {n} codes of table {table} that other data still refers to: "
        "{orphans}. Import a complete file, or pass --allow-orphans if that is right",
    ),
    "part_emptied": (
        "Tệp mới không còn dòng nào trong khi lần nhập trước của phần này có {old} dòng; dùng "
        "--allow-shrink nếu đúng là như vậy",
        "The new file has no rows left where the previous import of this part had {old}; pass "
        "--allow-shrink if that is right",
    ),
    "unknown_table": (
        "Không nhận ra bảng dữ liệu từ tên tệp hoặc dòng tiêu đề. Các cột tìm thấy: {headers}",
        "Cannot tell which table this is from its name or header. Columns found: {headers}",
    ),
    "ambiguous_table": (
        "Không xác định được bảng: dòng tiêu đề khớp cả các bảng {tables}; hãy đặt tên tệp theo "
        "bảng (ví dụ {example}.csv). Các cột tìm thấy: {headers}",
        "Cannot tell the table: the header fits each of the tables {tables}; name the file "
        "after its table (e.g. {example}.csv). Columns found: {headers}",
    ),
    "missing_columns": (
        "Thiếu cột bắt buộc của bảng {table}: {missing}. Các cột tìm thấy: {headers}{hint_vi}",
        "Required columns of table {table} are missing: {missing}. Columns found: {headers}"
        "{hint_en}",
    ),
    "duplicate_columns": (
        "Cột bị lặp trong dòng tiêu đề: {columns}",
        "Columns appear twice in the header: {columns}",
    ),
    # notices (the file is imported; the notice is shown with it)
    "extra_columns": (
        "Các cột không thuộc bảng {table} nên không được nhập: {columns}",
        "Columns that are not part of table {table} and were not imported: {columns}",
    ),
    "truncated_last_row": (
        "Dòng cuối ({row}) không có dấu xuống dòng và ngắn hơn các dòng khác; hãy kiểm tra "
        "tệp có bị cắt cụt không",
        "The last row ({row}) has no line ending and is shorter than the others; check that "
        "the file was not cut off",
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


# The structure of submitted forms (D02-LT, e-declaration XML): ``ingest.form_messages``.
REASONS.update(FORM_REASONS)


def text(code: str, **kwargs: object) -> tuple[str, str]:
    """The (Vietnamese, English) message for a reason code."""
    vi, en = REASONS[code]
    if code == "missing_columns":
        kwargs = {"hint_vi": "", "hint_en": "", **kwargs}
    return vi.format(**kwargs), en.format(**kwargs)


_BREAKS = {"\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"}


def printable(text: str, limit: int = 60) -> str:
    """Text safe to show in a message: line breaks as spaces, other control characters
    replaced, long text cut.  Each character is replaced by one, so only what is shown is
    looked at (a field of two million characters in a bad file costs no more than a short one)."""
    cut = len(text) > limit
    shown = text[: limit - 1] if cut else text
    clean = "".join(
        " "
        if ch in _BREAKS
        else "\ufffd"
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
        else ch
        for ch in shown
    )
    return clean + "…" if cut else clean


# The claims import's reasons live beside its code (ingest/claims_messages.py).
REASONS.update(CLAIM_REASONS)
