"""The monthly notice to an employer (VSS form C12-TS): its data and its wording.

Seed 004 §2.2 a(i): every month, each office tells each employer the result of last month and
the amount it is expected to pay this month.  This module owns what a notice says, for the
PDF (``notice_pdf``) and the workbook (``notice_xlsx``) builders alike:

* ``load_notices`` reads the data of every notice wanted — one employer, one case officer's
  employers or the whole province — from the ``employer_arrears`` and ``employer_balance``
  marts in **one** query (never one query per employer);
* ``NoticeData`` is one notice: opening balance, dues of the month by scheme (BHXH,
  BHYT, BHTN and the occupational-accident fund BHTNLĐ-BNN in its own column), adjustments,
  interest, payments, closing balance, the late part of it, and the amount expected this
  month;
* ``notice_table`` gives the rows of the C12-TS table as text (Vietnamese number format
  ``1.234.567``, dates ``dd/mm/yyyy``) and ``table_figures`` the same rows as numbers, and
  ``letterhead``, ``month_line``, ``dated_line`` … the rest of the page's wording, so that
  every builder prints the same thing.

The balance is signed: positive = the employer owes, negative = a credit carried forward.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from baophu.backends import Store
from baophu.rules import wording
from baophu.vn import formats
from baophu.vn.formats import date as vn_date
from baophu.vn.formats import month as vn_month
from baophu.vn.text import nfc

TITLE = "THÔNG BÁO KẾT QUẢ ĐÓNG BHXH, BHYT, BHTN, BHTNLĐ-BNN"
FORM = "Mẫu C12-TS"
SCHEME_HEADERS = ("BHXH", "BHYT", "BHTN", "BHTNLĐ-BNN", "Cộng")


class NoticeError(Exception):
    """A notice cannot be produced (message in Vietnamese and English)."""


def money(value: int | None) -> str:
    """``1.234.567``; a credit shows with a minus sign; nothing for ``None``."""
    return formats.number(value)


@dataclass(frozen=True)
class NoticeData:
    """One employer's notice for one month."""

    employer_code: str
    employer_name: str
    tax_code: str | None
    address: str | None
    officer_code: str | None
    officer_name: str | None
    office_code: str | None
    office_name: str | None
    province_name: str | None
    month: dt.date
    month_end: dt.date
    deadline: dt.date
    reference_date: dt.date
    declared_headcount: int | None
    declared_wage_bill: int | None
    opening_balance: int
    due_bhxh_funds: int
    due_bhyt: int
    due_bhtn: int
    due_bhtnld: int
    due_total: int
    adjustments: int
    interest: int
    paid: int
    payments: int
    closing_balance: int
    late_amount: int
    cum_interest: int
    next_due_bhxh_funds: int
    next_due_bhyt: int
    next_due_bhtn: int
    next_due_bhtnld: int
    next_due_total: int
    next_due_estimated: bool
    rule_version: str

    @property
    def as_of(self) -> dt.date:
        """The day the figures are counted to: the month's last day or the reference date."""
        return min(self.month_end, self.reference_date)

    @property
    def next_month(self) -> dt.date:
        return (self.month_end + dt.timedelta(days=1)).replace(day=1)

    @property
    def next_deadline(self) -> dt.date:
        following = (self.deadline + dt.timedelta(days=1)).replace(day=1)
        return (following.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
            days=1
        )

    @property
    def interest_outstanding(self) -> int:
        """Interest not yet settled: payments settle contributions first, then interest."""
        return max(0, min(self.cum_interest, self.closing_balance))

    @property
    def to_pay(self) -> int:
        """What the employer should pay this month: the closing balance (a credit lowers it)
        plus this month's expected dues, never below zero."""
        return max(0, self.closing_balance + self.next_due_total)

    def check(self) -> None:
        """The statement adds up: opening + dues + adjustments + interest − paid = closing."""
        total = self.opening_balance + self.due_total + self.adjustments + self.interest - self.paid
        if total != self.closing_balance:
            raise NoticeError(
                f"Số liệu thông báo {self.employer_code} không khớp / notice figures of "
                f"{self.employer_code} do not add up: {total} ≠ {self.closing_balance}"
            )

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update(
            interest_outstanding=self.interest_outstanding,
            to_pay=self.to_pay,
            next_month=self.next_month,
            as_of=self.as_of,
        )
        return out


def table_figures(n: NoticeData) -> list[tuple[str, str, list[int | None]]]:
    """The C12-TS table as figures: ``(number, label, [BHXH, BHYT, BHTN, BHTNLĐ-BNN, Cộng])``,
    ``None`` where the form leaves a cell blank."""
    blank: list[int | None] = [None, None, None, None]
    return [
        ("1", "Số dư đầu kỳ (nợ +, thừa −)", [*blank, n.opening_balance]),
        ("2", "Số lao động đóng (người)", [*blank, n.declared_headcount]),
        ("3", "Quỹ tiền lương đóng", [*blank, n.declared_wage_bill]),
        (
            "4",
            f"Số phải đóng tháng {vn_month(n.month)}",
            [n.due_bhxh_funds, n.due_bhyt, n.due_bhtn, n.due_bhtnld, n.due_total],
        ),
        ("5", "Điều chỉnh số phải đóng", [*blank, n.adjustments]),
        ("6", "Lãi chậm đóng phát sinh trong tháng", [*blank, n.interest]),
        ("7", f"Số tiền đã nộp trong tháng ({n.payments} lần nộp)", [*blank, n.paid]),
        ("8", "Số dư cuối kỳ (nợ +, thừa −)", [*blank, n.closing_balance]),
        ("8.1", "Trong đó: số tiền chậm đóng (quá hạn)", [*blank, n.late_amount]),
        ("8.2", "Trong đó: lãi chậm đóng chưa nộp", [*blank, n.interest_outstanding]),
    ]


def next_due_figures(n: NoticeData) -> tuple[str, list[int | None]]:
    """Row 9: the amount expected this month, by scheme (label, figures)."""
    label = f"Số tiền dự kiến phải đóng tháng {vn_month(n.next_month)}"
    if n.next_due_estimated:
        label += " (ước theo tháng gần nhất)"
    return label, [
        n.next_due_bhxh_funds,
        n.next_due_bhyt,
        n.next_due_bhtn,
        n.next_due_bhtnld,
        n.next_due_total,
    ]


def notice_table(n: NoticeData) -> list[tuple[str, str, list[str]]]:
    """The C12-TS table as text: ``(number, label, [BHXH, BHYT, BHTN, BHTNLĐ-BNN, Cộng])``."""
    return [
        (number, label, [money(v) for v in values]) for number, label, values in table_figures(n)
    ]


def next_due_row(n: NoticeData) -> tuple[str, list[str]]:
    """The amount expected this month, by scheme, as text."""
    label, values = next_due_figures(n)
    return label, [money(v) for v in values]


TABLE_HEADERS = ("STT", "Chỉ tiêu", *SCHEME_HEADERS)


def letterhead(n: NoticeData) -> list[tuple[str, str]]:
    """The three lines above the title, ``(left, right)``: the issuing office under Vietnam
    Social Security, and the national motto over the form's number."""
    province = f"BẢO HIỂM XÃ HỘI {(n.province_name or '').upper()}".strip()
    return [
        ("BẢO HIỂM XÃ HỘI VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (nfc(province), "Độc lập - Tự do - Hạnh phúc"),
        (nfc(n.office_name or ""), FORM),
    ]


def month_line(n: NoticeData) -> str:
    """The line under the title: the month the notice is about."""
    return f"Tháng {vn_month(n.month)}"


def dated_line(n: NoticeData) -> str:
    """The date above the director's signature: the day the figures stand at."""
    return f"Ngày lập: {vn_date(n.as_of)}"


def header_lines(n: NoticeData) -> list[tuple[str, str]]:
    """Who the notice is for: ``(label, value)`` lines."""
    return [
        ("Kính gửi", n.employer_name),
        ("Mã đơn vị", n.employer_code),
        ("Mã số thuế", n.tax_code or ""),
        ("Địa chỉ", n.address or ""),
        (
            "Cán bộ chuyên quản",
            f"{n.officer_name or ''} ({n.officer_code})" if n.officer_code else "",
        ),
    ]


def intro_line(n: NoticeData) -> str:
    office = n.office_name or "Bảo hiểm xã hội"
    return (
        f"{office} thông báo kết quả đóng BHXH, BHYT, BHTN, BHTNLĐ-BNN tháng "
        f"{vn_month(n.month)} của đơn vị (số liệu đến ngày {vn_date(n.as_of)}) như sau:"
    )


def closing_lines(n: NoticeData) -> list[str]:
    lines = [
        f"Hạn đóng số phải đóng tháng {vn_month(n.month)}: ngày {vn_date(n.deadline)}; "
        f"tháng {vn_month(n.next_month)}: ngày {vn_date(n.next_deadline)}.",
        f"Tổng số tiền đơn vị cần nộp: {money(n.to_pay)} đồng "
        "(số dư cuối kỳ cộng số dự kiến phải đóng tháng này).",
    ]
    if n.late_amount > 0:
        lines.append(
            f"Đơn vị đang chậm đóng {money(n.late_amount)} đồng; đề nghị nộp ngay để tránh "
            "phát sinh thêm lãi chậm đóng."
        )
    lines.append(wording.notice_legal_note(n.as_of))  # the law in force that day
    return [nfc(line) for line in lines]


# ----------------------------------------------------------------------------- reading

_ARREARS_COLUMNS = (
    "employer_code",
    "month",
    "month_end",
    "deadline",
    "declared_headcount",
    "declared_wage_bill",
    "opening_balance",
    "due_bhxh_funds",
    "due_bhyt",
    "due_bhtn",
    "due_bhtnld",
    "due_total",
    "adjustments",
    "interest_in_month",
    "paid_in_month",
    "payments_in_month",
    "closing_balance",
    "late_amount_end",
    "cum_interest",
    "next_due_bhxh_funds",
    "next_due_bhyt",
    "next_due_bhtn",
    "next_due_bhtnld",
    "next_due_total",
    "next_due_estimated",
)
_BALANCE_COLUMNS = (
    "employer_code",
    "employer_name",
    "tax_code",
    "address",
    "officer_code",
    "officer_name",
    "office_code",
    "office_name",
    "province_name",
    "reference_date",
)


def _marts(store: Store) -> tuple[Any, Any, dict[str, Any]]:
    stamps = {m["mart"]: m for m in store.marts()}
    if "employer_arrears" not in stamps or "employer_balance" not in stamps:
        raise NoticeError(
            "Chưa tính số liệu đóng của đơn vị; chạy 'baophu compliance run' trước / "
            "compliance has not been computed; run 'baophu compliance run' first"
        )
    return store.read_mart("employer_arrears"), store.read_mart("employer_balance"), stamps


def load_notices(
    store: Store,
    month: dt.date,
    *,
    employer_code: str | None = None,
    officer_code: str | None = None,
) -> list[NoticeData]:
    """Every notice wanted for ``month``, in one query on the marts, sorted by officer and
    employer.  Raises ``NoticeError`` when nothing matches."""
    arrears, balance, stamps = _marts(store)
    month = month.replace(day=1)
    a = arrears.filter(arrears.month == month).select(*_ARREARS_COLUMNS)
    b = balance.select(*_BALANCE_COLUMNS)
    if employer_code is not None:
        a = a.filter(a.employer_code == employer_code)
        b = b.filter(b.employer_code == employer_code)
    if officer_code is not None:
        b = b.filter(b.officer_code == officer_code)
    joined = a.join(b, "employer_code").order_by(["officer_code", "employer_code"])
    rows = joined.to_pyarrow().to_pylist()
    if not rows:
        reference = stamps["employer_balance"].get("reference_date", "")
        who = (
            f"đơn vị {employer_code}"
            if employer_code
            else (f"cán bộ {officer_code}" if officer_code else "tỉnh")
        )
        who_en = (
            f"employer {employer_code}"
            if employer_code
            else (f"officer {officer_code}" if officer_code else "the province")
        )
        raise NoticeError(
            f"Không có số liệu tháng {vn_month(month)} cho {who} (ngày đối chiếu {reference}) / "
            f"no data for {month:%Y-%m} for {who_en} (reference date {reference})"
        )
    version = str(stamps["employer_arrears"].get("rule_version", ""))
    return [_notice(row, version) for row in rows]


def _int(value: Any) -> int:
    return int(value) if value is not None else 0


def _opt_int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _notice(row: dict[str, Any], rule_version: str) -> NoticeData:
    return NoticeData(
        employer_code=row["employer_code"],
        employer_name=nfc(row["employer_name"] or row["employer_code"]),
        tax_code=row["tax_code"],
        address=nfc(row["address"]) if row["address"] else None,
        officer_code=row["officer_code"],
        officer_name=nfc(row["officer_name"]) if row["officer_name"] else None,
        office_code=row["office_code"],
        office_name=nfc(row["office_name"]) if row["office_name"] else None,
        province_name=nfc(row["province_name"]) if row["province_name"] else None,
        month=row["month"],
        month_end=row["month_end"],
        deadline=row["deadline"],
        reference_date=row["reference_date"],
        declared_headcount=_opt_int(row["declared_headcount"]),
        declared_wage_bill=_opt_int(row["declared_wage_bill"]),
        opening_balance=_int(row["opening_balance"]),
        due_bhxh_funds=_int(row["due_bhxh_funds"]),
        due_bhyt=_int(row["due_bhyt"]),
        due_bhtn=_int(row["due_bhtn"]),
        due_bhtnld=_int(row["due_bhtnld"]),
        due_total=_int(row["due_total"]),
        adjustments=_int(row["adjustments"]),
        interest=_int(row["interest_in_month"]),
        paid=_int(row["paid_in_month"]),
        payments=_int(row["payments_in_month"]),
        closing_balance=_int(row["closing_balance"]),
        late_amount=_int(row["late_amount_end"]),
        cum_interest=_int(row["cum_interest"]),
        next_due_bhxh_funds=_int(row["next_due_bhxh_funds"]),
        next_due_bhyt=_int(row["next_due_bhyt"]),
        next_due_bhtn=_int(row["next_due_bhtn"]),
        next_due_bhtnld=_int(row["next_due_bhtnld"]),
        next_due_total=_int(row["next_due_total"]),
        next_due_estimated=bool(row["next_due_estimated"]),
        rule_version=rule_version,
    )
