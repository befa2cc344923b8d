"""Vietnamese names of what the pages would otherwise show as codes: canonical tables and
marts, import statuses, the Vietnamese half of a bilingual "vi / en" message.  Registered as
template globals (``main._templates``), so a fragment rendered by any route says the same."""

from __future__ import annotations

# What an imported file's status means (``ingest.importer.FileResult.status``).
STATUS_VI = {
    "imported": "đã nhập",
    "unchanged": "không đổi (đã nhập trước đây)",
    "failed": "lỗi",
    "rolled_back": "không nhập (lô bị huỷ)",
    "pending": "chưa nhập",
    "current": "đang dùng",
    "superseded": "đã thay thế",
}
# The computed tables, as the imports page lists them.
MART_VI = {
    "achievement_by_unit": "Tiến độ thực hiện chỉ tiêu",
    "arrears_by_unit": "Nợ đóng theo đơn vị hành chính",
    "arrears_trend": "Diễn biến nợ đóng",
    "award_exclusion_list": "Danh sách không xét khen thưởng",
    "bhyt_by_group": "BHYT theo nhóm đối tượng",
    "budget_arrears": "Nợ của ngân sách nhà nước",
    "campaign_progress": "Tiến độ chiến dịch cao điểm",
    "coverage_by_unit": "Bao phủ theo đơn vị",
    "coverage_series": "Bao phủ theo tháng",
    "disclosure_list": "Danh sách công khai",
    "employer_arrears": "Nợ đóng theo đơn vị sử dụng lao động và tháng",
    "employer_balance": "Số dư của đơn vị sử dụng lao động",
    "enrolment_links": "Bản ghi sai/thiếu số định danh đã đối chiếu theo xác suất",
    "enrolment_link_review": "Bản ghi cần người xem xét trước khi ghép",
    "enrolment_other_ids": "Bản ghi dùng số định danh của người khác",
    "evasion_scores": "Điểm rủi ro trốn đóng",
    "identity_unlinked": "Bản ghi chưa xác định được người",
    "inspection_list": "Danh sách kiểm tra",
    "linked_spells": "Thời gian tham gia đã đối chiếu",
    "person_links": "Kết quả đối chiếu danh sách",
    "potential_list": "Danh sách tiềm năng (theo lý do)",
    "potential_persons": "Danh sách tiềm năng (theo người)",
    "potential_summary": "Tổng hợp danh sách tiềm năng",
    "targets_allocated": "Chỉ tiêu phân bổ",
    "targets_phased": "Chỉ tiêu theo tiến độ",
    "tender_exclusion_list": "Danh sách không được dự thầu",
    "unit_ancestors": "Cây đơn vị hành chính",
    "enrolments_linked": "Người tham gia đã đối chiếu",
    "declared_workforce_gaps": "Chênh lệch báo cáo lao động (D02-LT) với sổ phải đóng",
    "declared_enrolments": "Biên lai, tờ khai đối chiếu với người tham gia",
}


def table_vi(name: str | None) -> str:
    """A canonical table's or mart's Vietnamese title."""
    from baophu.contracts import CONTRACTS

    if not name:
        return ""
    if name in CONTRACTS:
        return CONTRACTS[name].title_vi
    return MART_VI.get(name, "Bảng số liệu khác")


def vi_half(text: str | None) -> str:
    """The Vietnamese half of a bilingual "vi / en" message, masked."""
    from baophu.vn.masking import mask_text

    return mask_text((text or "").split(" / ")[0])
