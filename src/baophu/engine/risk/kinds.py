"""The kinds of risk case, their rules in Vietnamese, and the columns every case has.

``risk_cases`` holds one row per case with the columns of ``CASE_COLUMNS``:

* ``case_id`` — stable across re-runs (the kind and the evidence's keys), so the history
  the operational database keeps for a case (assignment, verdict, money recovered) follows
  it from one computation to the next;
* ``kind``, ``rule_vi`` (the rule, in Vietnamese), ``action_vi`` (who should act, and how);
* ``person_id``, ``full_name`` (the person concerned; empty for an agent's transfer),
  ``persons`` (every person ID of the evidence, comma separated);
* ``evidence`` (the keys of the evidence rows: enrolment ids, agent / receipt numbers,
  transfer ids, comma separated) and ``evidence_vi`` (what they show, in Vietnamese);
* ``period_start``, ``period_end`` (the period at stake), ``amount`` (VND at stake: paid
  twice, to recover, missing);
* ``office_code`` (the grassroots office that owns the case), ``collector_code`` and
  ``agent_code`` (where a collector or a collection agent is concerned), ``hamlet_code``.
"""

from __future__ import annotations

import ibis

from baophu.contracts.case_kinds import RISK_KINDS
from baophu.engine.text import dmy

KINDS: tuple[str, ...] = RISK_KINDS

KIND_TITLE_VI: dict[str, str] = {
    "duplicate_record": "Trùng thông tin người tham gia",
    "overlapping_bhyt": "Trùng thẻ BHYT cùng thời gian",
    "bhxh_double_paid": "Trùng quá trình đóng BHXH",
    "deceased_enrolled": "Người đã chết còn tham gia",
    "budget_ineligible": "Thẻ NSNN đóng, hỗ trợ không còn đủ điều kiện",
    "student_ineligible": "Thẻ học sinh, sinh viên của người đã thôi học",
    "benefit_ineligible": "Thẻ NSNN đóng của người không còn hưởng trợ cấp",
    "late_remittance": "Chuyển tiền thu chậm",
    "remittance_shortfall": "Chuyển thiếu tiền đã thu",
    "receipt_without_enrolment": "Có biên lai, không có quá trình tham gia",
    "enrolment_without_receipt": "Có quá trình tham gia, không có biên lai",
}

RULE_VI: dict[str, str] = {
    "duplicate_record": (
        "Cùng một người (cùng số định danh, hoặc mã số BHXH của cùng người) có hai quá trình "
        "tham gia cùng loại hình, cùng đối tượng đóng, cùng đơn vị, trùng thời gian."
    ),
    "overlapping_bhyt": (
        "Một người có hai thẻ BHYT được đóng cho cùng thời gian (trùng từ một ngày trở lên); "
        "theo thứ tự đối tượng đóng của Luật BHYT, người đó tham gia theo nhóm đứng trước, "
        "số tiền đã đóng theo nhóm đứng sau được hoàn trả."
    ),
    "bhxh_double_paid": (
        "Một người vừa đóng BHXH bắt buộc vừa đóng BHXH tự nguyện cho cùng tháng; người đang "
        "thuộc diện bắt buộc không tham gia tự nguyện, số tiền tự nguyện của các tháng trùng "
        "được hoàn trả."
    ),
    "deceased_enrolled": (
        "Người đã chết theo dữ liệu dân cư vẫn còn quá trình tham gia hoặc thẻ BHYT còn giá trị "
        "sau ngày mất (thẻ hết hạn đúng ngày mất không tính); số tiền của các tháng sau tháng "
        "mất phải thu hồi."
    ),
    "budget_ineligible": (
        "Thẻ BHYT hộ nghèo do ngân sách nhà nước đóng, hoặc thẻ hộ cận nghèo được ngân sách hỗ "
        "trợ, còn giá trị vào ngày đối chiếu, mà hộ gia đình của người đó không có trong danh "
        "sách hộ nghèo (thẻ cận nghèo: hộ nghèo hoặc cận nghèo) đang có hiệu lực; số tiền ngân "
        "sách đóng, hỗ trợ cho các tháng còn lại của thẻ không đúng đối tượng."
    ),
    "student_ineligible": (
        "Thẻ BHYT học sinh, sinh viên được ngân sách hỗ trợ, còn giá trị vào ngày đối chiếu, "
        "của người có trong danh sách học sinh của năm học trước mà không có trong danh sách "
        "năm học hiện tại (nhà trường đã gửi danh sách năm học này); số tiền ngân sách hỗ trợ "
        "cho các tháng còn lại của thẻ."
    ),
    "benefit_ineligible": (
        "Thẻ BHYT của người hưởng trợ cấp hưu trí xã hội hoặc trợ cấp tuất hằng tháng do ngân "
        "sách nhà nước đóng, còn giá trị vào ngày đối chiếu, mà người đó không có trong danh "
        "sách hưởng trợ cấp của năm (xã đã gửi danh sách) với trợ cấp còn hưởng ngày đối "
        "chiếu; số tiền ngân sách đóng cho các tháng còn lại của thẻ."
    ),
    "late_remittance": (
        "Tổ chức dịch vụ thu chuyển tiền đã thu về tài khoản chuyên thu của cơ quan BHXH "
        "muộn hơn số ngày quy định kể từ ngày biên lai cuối cùng của đợt chuyển."
    ),
    "remittance_shortfall": (
        "Tổng tiền trên các biên lai trong khoảng ngày của một lần chuyển lớn hơn số tiền "
        "đã chuyển, hoặc biên lai đã quá hạn chuyển mà chưa có lần chuyển nào."
    ),
    "receipt_without_enrolment": (
        "Biên lai thu tiền của người tham gia đã quá hạn mà không có quá trình tham gia nào "
        "cùng người, cùng loại hình bắt đầu trước hoặc trong kỳ biên lai đóng."
    ),
    "enrolment_without_receipt": (
        "Quá trình tham gia BHYT hộ gia đình hoặc BHXH tự nguyện do nhân viên thu phát triển, "
        "bắt đầu trong thời gian có biên lai của tổ chức dịch vụ thu, mà không có biên lai nào."
    ),
}

ACTION_VI: dict[str, str] = {
    "duplicate_record": "BHXH cơ sở gộp hai hồ sơ, hoàn trả số tiền đóng trùng",
    "overlapping_bhyt": "BHXH cơ sở hoàn trả số tiền đóng trùng cho bên đóng đứng sau",
    "bhxh_double_paid": "BHXH cơ sở hoàn trả số tiền BHXH tự nguyện của các tháng trùng",
    "deceased_enrolled": "BHXH cơ sở dừng quá trình, khóa thẻ, thu hồi số tiền sau ngày mất",
    "budget_ineligible": "BHXH cơ sở đối chiếu danh sách của xã, dừng phần ngân sách đóng, hỗ trợ",
    "student_ineligible": (
        "BHXH cơ sở đối chiếu với nhà trường, dừng phần ngân sách hỗ trợ thẻ học sinh, sinh viên"
    ),
    "benefit_ineligible": (
        "BHXH cơ sở đối chiếu danh sách hưởng trợ cấp của xã, dừng phần ngân sách đóng"
    ),
    "late_remittance": "BHXH cơ sở nhắc tổ chức dịch vụ thu, tính lãi chậm chuyển theo hợp đồng",
    "remittance_shortfall": "BHXH cơ sở yêu cầu tổ chức dịch vụ thu chuyển đủ số tiền còn thiếu",
    "receipt_without_enrolment": (
        "BHXH cơ sở đối chiếu với tổ chức dịch vụ thu, lập quá trình tham gia cho người đã đóng"
    ),
    "enrolment_without_receipt": (
        "BHXH cơ sở yêu cầu tổ chức dịch vụ thu xuất trình biên lai hoặc thu đủ tiền"
    ),
}

SCHEME_VI: dict[str, str] = {
    "bhyt": "BHYT",
    "bhxh_compulsory": "BHXH bắt buộc",
    "bhxh_voluntary": "BHXH tự nguyện",
    "bhtn": "BHTN",
}
PAYER_VI: dict[str, str] = {
    "employer": "đơn vị sử dụng lao động",
    "si_fund": "quỹ BHXH",
    "state_budget": "ngân sách nhà nước",
    "budget_supported": "cá nhân, NSNN hỗ trợ",
    "household": "hộ gia đình",
    "self": "cá nhân tự đóng",
}
GROUP_VI: dict[str, str] = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}


def case_label(case_id: str) -> str:
    """A case id in Vietnamese words (the kind's title, then the evidence's keys), for the
    audit log and the pages: ``Trùng thông tin người tham gia E01,E02``."""
    kind, _, keys = case_id.partition(":")
    return f"{KIND_TITLE_VI.get(kind, kind)} {keys}".strip()


CASE_COLUMNS: dict[str, str] = {
    "case_id": "string",
    "kind": "string",
    "rule_vi": "string",
    "action_vi": "string",
    "person_id": "string",
    "full_name": "string",
    "persons": "string",
    "evidence": "string",
    "evidence_vi": "string",
    "period_start": "date",
    "period_end": "date",
    "amount": "int64",
    "office_code": "string",
    "collector_code": "string",
    "agent_code": "string",
    "hamlet_code": "string",
}


def case_rows(t: ibis.Table, kind: str, **values: ibis.Value) -> ibis.Table:
    """``t`` as case rows of ``kind``: ``values`` give the columns; the rest are null, the
    rule and the action come from the kind."""
    columns: dict[str, ibis.Value] = {}
    for name, dtype in CASE_COLUMNS.items():
        if name == "kind":
            value: ibis.Value = ibis.literal(kind)
        elif name == "rule_vi":
            value = ibis.literal(RULE_VI[kind])
        elif name == "action_vi":
            value = ibis.literal(ACTION_VI[kind])
        else:
            value = values.get(name, ibis.null(dtype))
        if dtype == "int64":
            # a sum is int64 to Ibis but HUGEINT to DuckDB: cast through a decimal so the
            # cast is written out
            value = value.cast("decimal(38, 0)")
        columns[name] = value.cast(dtype)
    return t.select(**columns)


def record_case(
    t: ibis.Table,
    kind: str,
    key: ibis.Value,
    person_id: ibis.Value,
    full_name: ibis.Value,
    **values: ibis.Value,
) -> ibis.Table:
    """``t`` as cases of ``kind`` about one evidence record (``key``: an enrolment id, an
    agent's receipt) of one person: the case id is the kind and the key, the record's person
    the case's only one; ``values`` give the other columns (``case_rows``)."""
    return case_rows(
        t,
        kind,
        case_id=ibis.literal(f"{kind}:") + key,
        person_id=person_id,
        full_name=full_name,
        persons=person_id,
        evidence=key,
        **values,
    )


def record_vi(noun: str, key: ibis.Value, what: ibis.Value | str, start: ibis.Value) -> ibis.Value:
    """An evidence record in words, ``<noun> <key> (<what>, từ <start>)``:
    ``Thẻ E01 (hộ nghèo, từ 01/02/2026)``."""
    return ibis.literal(f"{noun} ") + key + " (" + what + ", từ " + dmy(start) + ")"
