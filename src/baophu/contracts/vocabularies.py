"""The vocabularies of the potential lists, one Vietnamese label per code: the reasons to
approach a person (with their priorities), the kinds of lost subsidy, and the outcomes of a
field visit.  Plain Python with no imports, so that the engine, the synthetic generator,
the reports, the web and the operational database all share the one list.

Definitions of each reason are in ``engine/potential/reasons.py`` and docs/lists.md.
"""

from __future__ import annotations

# Reason codes, in the order the lists show them (the order also breaks ties).
REASONS: tuple[str, ...] = (
    "due_bhyt",
    "due_voluntary",
    "subsidy_ending",
    "lapsed_bhyt",
    "lapsed_voluntary",
    "new_state_group",
    "pupil",
    "pupil_unidentified",
    "household_member",
    "not_covered",
    "voluntary_pool",
)
REASON_INDEX: dict[str, int] = {r: i for i, r in enumerate(REASONS)}
REASON_VI: dict[str, str] = {
    "due_bhyt": "Thẻ BHYT sắp hết hạn",
    "due_voluntary": "BHXH tự nguyện sắp hết hạn đóng",
    "subsidy_ending": "Hết hỗ trợ của Nhà nước, cần tự đóng để giữ 5 năm liên tục",
    "lapsed_bhyt": "Dừng tham gia BHYT trong năm",
    "lapsed_voluntary": "Dừng tham gia BHXH tự nguyện trong năm",
    "new_state_group": "Thuộc nhóm NSNN đóng theo Luật BHYT sửa đổi, chưa có thẻ",
    "pupil": "Học sinh, sinh viên chưa có thẻ BHYT",
    "pupil_unidentified": "Học sinh, sinh viên chưa xác định được trong dữ liệu dân cư",
    "household_member": "Thành viên hộ có người tham gia BHYT, bản thân chưa tham gia",
    "not_covered": "Chưa tham gia BHYT",
    "voluntary_pool": "Trong độ tuổi lao động, chưa tham gia BHXH",
}
# 1 = visit first.  A BHYT lapse still within the continuity gap is raised to priority 1.
PRIORITY: dict[str, int] = {
    "due_bhyt": 1,
    "due_voluntary": 1,
    "subsidy_ending": 1,
    "lapsed_bhyt": 2,
    "lapsed_voluntary": 2,
    "new_state_group": 2,
    "pupil": 2,
    "pupil_unidentified": 3,
    "household_member": 3,
    "not_covered": 4,
    "voluntary_pool": 5,
}
PRIORITY_VI: dict[int, str] = {
    1: "1 - Gấp",
    2: "2 - Cao",
    3: "3 - Trung bình",
    4: "4 - Thường",
    5: "5 - Thấp",
}

# BHYT groups whose state subsidy can end (near-poor status, a commune leaving the list of
# disadvantaged communes, a child turning six) and what the lists call each ending.
SUBSIDY_GROUPS: dict[str, str] = {
    "near_poor": "near_poor_ending",
    "ethnic_minority_hardship": "commune_leaving",
    "child_under_6": "turning_6",
}
# BHYT groups whose cards a person renews and pays (in part) themselves: the "due" list.
SELF_PAID_GROUPS: tuple[str, ...] = ("household", "farming_average", "student", "other")
# Benefits of the amended BHYT law's new budget-paid groups.
BENEFIT_VI: dict[str, str] = {
    "social_pension": "trợ cấp hưu trí xã hội",
    "survivor_allowance": "trợ cấp tuất hằng tháng",
}

# Outcomes of a field visit, as stored and as a collector writes them in the work sheet.
OUTCOMES: tuple[str, ...] = (
    "contacted",
    "promised",
    "enrolled",
    "refused",
    "moved",
    "deceased",
    "wrong_data",
)
OUTCOME_VI: dict[str, str] = {
    "contacted": "Đã liên hệ",
    "promised": "Hẹn tham gia",
    "enrolled": "Đã tham gia",
    "refused": "Từ chối",
    "moved": "Chuyển đi",
    "deceased": "Đã mất",
    "wrong_data": "Sai thông tin",
}
# A person whose last outcome is one of these is not sent to the field again (the row stays
# in the list with its status until the data say otherwise).
CLOSED_OUTCOMES: tuple[str, ...] = ("enrolled", "moved", "deceased", "wrong_data")
