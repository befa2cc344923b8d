"""What the audit log's codes mean in Vietnamese: actions, objects, roles, and the keys of
the details (filters of a list view, the outcome of an import), so the log reads in
Vietnamese whatever wrote it — the web application, the command line, or an older version
that wrote English keys (``page=1, sort=late``; ``committed=True``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Roles of events no logged-in web user made.
ANONYMOUS_ROLE = "anonymous"  # a failed login: nobody is logged in
COMMAND_LINE_ROLE = "command_line"  # ``baophu …`` on the server

EXTRA_ROLES_VI = {
    ANONYMOUS_ROLE: "Chưa đăng nhập",
    COMMAND_LINE_ROLE: "Dòng lệnh trên máy chủ",
}

ACTION_VI = {
    "view": "Xem",
    "export": "Tải về",
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "logout": "Đăng xuất",
    "record": "Ghi kết quả",
    "target_set": "Giao chỉ tiêu",
    "target_remove": "Xoá chỉ tiêu",
    "allocate": "Phân bổ chỉ tiêu",
    "import": "Nhập dữ liệu",
    "import_rejected": "Nhập bị từ chối",
    "import_upload": "Tải tệp lên",
    "recompute": "Tính lại số liệu",
    "user_create": "Tạo người dùng",
    "user_disable": "Khoá người dùng",
    "user_enable": "Mở khoá người dùng",
    "user_password": "Đặt lại mật khẩu",
    "assign": "Giao xử lý",
    "verdict": "Ghi kết luận",
}

OBJECT_VI = {
    "potential_list": "Danh sách tiềm năng",
    "collector_list": "Danh sách của nhân viên thu",
    "collector_workbooks": "Phiếu làm việc của nhân viên thu",
    "work_workbooks": "Phiếu làm việc",
    "employer_list": "Danh sách đơn vị sử dụng lao động",
    "employer": "Đơn vị sử dụng lao động",
    "notice": "Thông báo C12-TS",
    "rejects": "Dòng bị loại khi nhập",
    "meeting_workbook": "Số liệu họp Ban Chỉ đạo",
    "session": "Phiên đăng nhập",
    "field_outcome": "Kết quả vận động",
    "manual_target": "Chỉ tiêu giao bằng tay",
    "targets_allocated": "Chỉ tiêu phân bổ",
    "workspace": "Dữ liệu đã nhập",
    "upload": "Tệp tải lên",
    "marts": "Số liệu đã tính",
    "user": "Người dùng",
    "report_monthly": "Báo cáo tháng gửi Ban Chỉ đạo",
    "report_year_end": "Báo cáo năm gửi UBND tỉnh",
    "report_finance": "Báo cáo quý gửi Sở Tài chính",
    "report_health": "Báo cáo quý gửi Sở Y tế",
    "report_inspection": "Danh sách đề nghị thanh tra, kiểm tra",
    "claims_review_list": "Danh sách hồ sơ KCB BHYT cần rà soát",
    "claim_review": "Kết quả giám định hồ sơ KCB BHYT",
    "claims_workbook": "Sổ chi KCB BHYT gửi Sở Y tế",
    "risk_cases": "Danh sách vụ việc rủi ro",
    "risk_case": "Vụ việc rủi ro",
    "risk_report": "Báo cáo kiểm soát rủi ro tháng",
}

# Keys of ``key=value`` details.
KEY_VI = {
    "reason": "lý do",
    "hamlet": "thôn, ấp",
    "collector": "nhân viên thu",
    "commune": "xã, phường",
    "officer": "cán bộ chuyên quản",
    "page": "trang",
    "sort": "sắp xếp",
    "status": "tình trạng",
    "min_score": "điểm rủi ro từ",
    "q": "tìm",
    "batch": "lô",
    "committed": "đã ghi vào dữ liệu",
    "files": "số tệp",
    "error": "lỗi",
    "row_key": "người",
    "outcome": "kết quả",
    "rejects": "tệp lỗi",
    "import_id": "lần nhập",
    "sha256": "mã băm tệp",
    "ip": "địa chỉ",
    "kind": "loại vụ việc",
}
VALUE_VI = {
    "True": "có",
    "False": "không",
    "true": "có",
    "false": "không",
    "none": "không",
    "None": "không",
    "invalid": "sai tên đăng nhập hoặc mật khẩu",
    "locked": "tài khoản tạm khoá",
    "ip_blocked": "địa chỉ bị chặn tạm thời",
    "inactive": "tài khoản đã khoá",
    "outcomes": "kết quả vận động",
    "late": "số tiền chậm đóng",
    "late3": "chậm đóng từ 3 tháng",
    "score": "điểm rủi ro",
    "months": "số tháng chậm",
    "name": "tên đơn vị",
    "evasion": "có dấu hiệu trốn đóng",
    "flagged": "cần kiểm tra",
}
NO_FILTER = "không lọc"
_PAIR = re.compile(r"\b([a-z][a-z0-9_]*)=([^,;]*)")


def role_vi(role: str | None, roles_vi: Mapping[str, str]) -> str:
    if not role:
        return "—"
    return roles_vi.get(role) or EXTRA_ROLES_VI.get(role) or role


def detail_vi(detail: str | None, value_labels: Mapping[str, str] | None = None) -> str:
    """An audit detail in Vietnamese: every ``key=value`` with the key's Vietnamese name and
    a coded value's label (``value_labels`` adds codes such as reasons and outcomes)."""
    if not detail:
        return ""
    labels = {**VALUE_VI, **(value_labels or {})}

    def one(m: re.Match[str]) -> str:
        key, value = m.group(1), m.group(2).strip()
        name = KEY_VI.get(key)
        if name is None:
            return m.group(0)
        return f"{name}: {labels.get(value, value)}"

    return _PAIR.sub(one, detail)
