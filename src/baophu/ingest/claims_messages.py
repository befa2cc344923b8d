"""The reasons a claims import reports, in Vietnamese and English (merged into
``ingest/messages.py``'s table): row-level checks of the claim tables and the file-level errors
of the Ministry of Health's XML files.  Each message names the record by its MA_LK."""

from __future__ import annotations

CLAIM_REASONS: dict[str, tuple[str, str]] = {
    # row level: claims (XML1)
    "claim_totals_mismatch": (
        "Hồ sơ MA_LK {ma_lk}: T_BHTT = {value} khác T_TONGCHI_BH − T_BNCCT = {expected}",
        "Record MA_LK {ma_lk}: T_BHTT = {value} differs from T_TONGCHI_BH − T_BNCCT = {expected}",
    ),
    "inpatient_before_admission": (
        "Hồ sơ MA_LK {ma_lk}: NGAY_VAO_NOI_TRU ({value}) trước NGAY_VAO ({admitted})",
        "Record MA_LK {ma_lk}: NGAY_VAO_NOI_TRU ({value}) is before NGAY_VAO ({admitted})",
    ),
    "discharge_before_admission": (
        "Hồ sơ MA_LK {ma_lk}: NGAY_RA ({value}) trước NGAY_VAO ({admitted})",
        "Record MA_LK {ma_lk}: NGAY_RA ({value}) is before NGAY_VAO ({admitted})",
    ),
    "treatment_days_mismatch": (
        "Hồ sơ MA_LK {ma_lk}: SO_NGAY_DTRI = {value}, theo ngày vào/ra và loại KCB phải là "
        "{expected}",
        "Record MA_LK {ma_lk}: SO_NGAY_DTRI = {value}; admission, discharge and care type give "
        "{expected}",
    ),
    "bad_settlement_month": (
        "Hồ sơ MA_LK {ma_lk}: tháng quyết toán phải từ 1 đến 12: {value}",
        "Record MA_LK {ma_lk}: settlement month must be 1 to 12: {value}",
    ),
    "card_parts_mismatch": (
        "Hồ sơ MA_LK {ma_lk}: {value} không có cùng số phần (nối bằng ';') với MA_THE_BHYT "
        "({cards} thẻ)",
        "Record MA_LK {ma_lk}: {value} does not list as many ';'-joined parts as MA_THE_BHYT "
        "({cards} cards)",
    ),
    "card_bad_validity": (
        "Hồ sơ MA_LK {ma_lk}: hạn thẻ không hợp lệ (cần yyyymmdd, nối bằng ';'): {value}",
        "Record MA_LK {ma_lk}: invalid card validity (expected yyyymmdd, ';'-joined): {value}",
    ),
    "card_validity_reversed": (
        "Hồ sơ MA_LK {ma_lk}: thẻ hết hạn ({value}) trước ngày bắt đầu có giá trị",
        "Record MA_LK {ma_lk}: the card ends ({value}) before it starts",
    ),
    "card_unknown": (
        "Hồ sơ MA_LK {ma_lk}: mã thẻ {value} không có trong dữ liệu người tham gia BHYT",
        "Record MA_LK {ma_lk}: card {value} is unknown to the BHYT enrolments",
    ),
    # row level: lines (XML2, XML3)
    "line_without_claim": (
        "Dòng chi tiết của hồ sơ MA_LK {value} không có bảng tổng hợp (XML1) tại cơ sở {facility}",
        "Line of record MA_LK {value} has no summary (XML1) at facility {facility}",
    ),
    "service_or_supply_missing": (
        "Hồ sơ MA_LK {ma_lk}: dòng không có MA_DICH_VU hay MA_VAT_TU",
        "Record MA_LK {ma_lk}: the line names neither MA_DICH_VU nor MA_VAT_TU",
    ),
    "bad_bed_code": (
        "Hồ sơ MA_LK {ma_lk}: mã giường phải là H, T, C hoặc K và 3 chữ số: {value}",
        "Record MA_LK {ma_lk}: bed code must be H, T, C or K and 3 digits: {value}",
    ),
    # file level: the XML files
    "xml_not_well_formed": (
        "Tệp XML sai cú pháp (dòng {line}): {detail}",
        "The XML file is not well-formed (line {line}): {detail}",
    ),
    "xml_not_claims": (
        "Tệp XML không phải hồ sơ giám định BHYT (cần thẻ gốc GIAMDINHHS, có {root})",
        "The XML file is not a BHYT claims submission (root GIAMDINHHS expected, found {root})",
    ),
    "xml_bad_base64": (
        "Hồ sơ thứ {row} (MA_LK {ma_lk}), {kind}: NOIDUNGFILE không phải base64 hợp lệ: {detail}",
        "Record {row} (MA_LK {ma_lk}), {kind}: NOIDUNGFILE is not valid base64: {detail}",
    ),
    "xml_inner_not_well_formed": (
        "Hồ sơ thứ {row} (MA_LK {ma_lk}), {kind}: nội dung XML sai cú pháp: {detail}",
        "Record {row} (MA_LK {ma_lk}), {kind}: the table's XML is not well-formed: {detail}",
    ),
    "xml_inner_wrong_root": (
        "Hồ sơ thứ {row} (MA_LK {ma_lk}), {kind}: cần thẻ gốc {expected}, có {root}",
        "Record {row} (MA_LK {ma_lk}), {kind}: root {expected} expected, found {root}",
    ),
    "xml_missing_content": (
        "Hồ sơ thứ {row} (MA_LK {ma_lk}): FILEHOSO thiếu LOAIHOSO hoặc NOIDUNGFILE",
        "Record {row} (MA_LK {ma_lk}): FILEHOSO lacks LOAIHOSO or NOIDUNGFILE",
    ),
    "xml_missing_xml1": (
        "Hồ sơ thứ {row}: không có bảng XML1 (TONG_HOP)",
        "Record {row}: no XML1 table (TONG_HOP)",
    ),
    "xml_record_count": (
        "SOLUONGHOSO = {declared} nhưng tệp có {found} hồ sơ",
        "SOLUONGHOSO says {declared} but the file holds {found} records",
    ),
    "xml_no_records": (
        "Tệp XML không có hồ sơ nào (HOSO)",
        "The XML file holds no record (HOSO)",
    ),
}
