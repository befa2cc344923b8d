"""The money collection agents and schools take from participants, and what they pass on.

Voluntary BHXH and household or pupils' BHYT are paid to a collection agent (the Post Office,
a commune's agent) or a school, against a numbered receipt (biên lai: NgayBienLai, SoBienLai in
the D03-TS / D05-TS lists of QĐ 490/QĐ-BHXH, with the collector's staff ID); the agent then
remits the money to the social-insurance account, which creates or extends the enrolment.
``agent_receipts`` holds the receipts, ``agent_remittances`` the transfers.  Risk control
compares the two with each other and with the enrolments created (late remittance, receipts
without an enrolment, enrolments without a receipt).
"""

from __future__ import annotations

from baophu.contracts.columns import (
    AMOUNT,
    FULL_NAME,
    MONEY_RECEIVED,
    SPELL_START,
    person_id_column,
)
from baophu.contracts.model import Column, Contract, Plausible

COLLECTED_SCHEMES = ("bhyt", "bhxh_voluntary")
MONTHS_PAID = Plausible(low=1, high=120)  # D05-TS allows paying up to 10 years at once

AGENT_RECEIPTS = Contract(
    table="agent_receipts",
    title_vi="Biên lai thu tiền của tổ chức dịch vụ thu, nhà trường",
    description=(
        "One row per receipt a collection agent's collector (or a school) gave a participant: "
        "number, date, amount, the months it pays for and the enrolment it should create."
    ),
    columns=(
        Column(
            "agent_code", "string", "Mã tổ chức dịch vụ thu", references=("agents", "agent_code")
        ),
        Column("receipt_no", "string", "Số biên lai", aliases=("SoBienLai",)),
        Column(
            "receipt_date",
            "date",
            "Ngày biên lai",
            aliases=("NgayBienLai",),
            plausible=MONEY_RECEIVED,
        ),
        Column(
            "collector_code",
            "string",
            "Mã nhân viên thu",
            required=False,
            description="the collector's staff ID (QĐ 490/QĐ-BHXH); empty for a school",
        ),
        Column(
            "school_code",
            "string",
            "Mã trường",
            required=False,
            description="the school that collected (pupils' BHYT); empty for an agent",
        ),
        person_id_column(required=False, policy="keep"),
        Column("si_code", "string", "Mã số BHXH", required=False, check="si_code"),
        FULL_NAME,
        Column(
            "scheme",
            "string",
            "Loại hình",
            allowed=COLLECTED_SCHEMES,
            value_aliases={
                "bao hiem y te": "bhyt",
                "bhxh tn": "bhxh_voluntary",
                "bhxh tu nguyen": "bhxh_voluntary",
            },
        ),
        Column(
            "amount", "int", "Số tiền", aliases=("Tiendong",), check="positive", plausible=AMOUNT
        ),
        Column(
            "months",
            "int",
            "Số tháng",
            aliases=("Sothang",),
            check="positive",
            plausible=MONTHS_PAID,
        ),
        Column(
            "period_start",
            "date",
            "Từ ngày",
            aliases=("TuNgay", "Tuthang"),
            plausible=SPELL_START,
            description="first day the payment covers",
        ),
        Column(
            "enrolment_id",
            "string",
            "Mã quá trình tham gia",
            required=False,
            description="the enrolment the receipt created or extended, once known",
        ),
    ),
    key=("agent_code", "receipt_no"),
    file_stems=("agent receipts", "bien lai", "bien lai thu tien"),
    load_mode="parts",
)

AGENT_REMITTANCES = Contract(
    table="agent_remittances",
    title_vi="Chuyển tiền thu về tài khoản BHXH",
    description=(
        "One row per transfer an agent (or a school) made to the social-insurance account, "
        "with the receipts' dates it settles."
    ),
    columns=(
        Column("remittance_id", "string", "Số chứng từ chuyển tiền"),
        Column(
            "agent_code", "string", "Mã tổ chức dịch vụ thu", references=("agents", "agent_code")
        ),
        Column("school_code", "string", "Mã trường", required=False),
        Column("remittance_date", "date", "Ngày chuyển", plausible=MONEY_RECEIVED),
        Column("amount", "int", "Số tiền", check="positive", plausible=AMOUNT),
        Column(
            "receipts_from",
            "date",
            "Biên lai từ ngày",
            description="first receipt date this transfer settles",
            plausible=MONEY_RECEIVED,
        ),
        Column(
            "receipts_to",
            "date",
            "Biên lai đến ngày",
            description="last receipt date this transfer settles",
            plausible=MONEY_RECEIVED,
        ),
    ),
    key=("remittance_id",),
    file_stems=("agent remittances", "chuyen tien thu", "nop tien thu ho"),
    load_mode="parts",
)

AGENTS_MONEY_CONTRACTS = (AGENT_RECEIPTS, AGENT_REMITTANCES)
