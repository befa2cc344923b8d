"""Columns and plausible ranges that several contracts share: the personal ID, the full name,
and the ranges real values fall in (dates relative to the import date, amounts in VND)."""

from __future__ import annotations

from baophu.contracts.model import Column, Plausible

# Plausible ranges (see ``Plausible``): dates relative to the import date, amounts in VND.
# They catch what a broken export or a slip of the keyboard produces (a payment in 2099, a
# birth in 1800, a number cut in half), not what is merely unusual.
BORN = Plausible(years_back=120, days_ahead=0)  # nobody alive was born 120+ years ago
PAST_EVENT = Plausible(years_back=120, days_ahead=0)
REGISTERED = Plausible(years_back=80, days_ahead=0)
SPELL_START = Plausible(years_back=80, days_ahead=2 * 365)
SPELL_END = Plausible(years_back=80, days_ahead=15 * 365)  # cards and prepaid periods
MONEY_RECEIVED = Plausible(years_back=30, days_ahead=31)  # bank statements, transfers
MONTH_DUE = Plausible(years_back=30, days_ahead=366)
LIST_MONTH = Plausible(years_back=30, days_ahead=366)
LIST_YEAR = Plausible(year=True, years_back=40, days_ahead=2 * 365)
TARGET_YEAR = Plausible(year=True, years_back=40, days_ahead=25 * 365)
SETTLED_YEAR = Plausible(year=True, years_back=40, days_ahead=0)
STAT_YEAR = Plausible(year=True, years_back=60, days_ahead=365)
AMOUNT = Plausible(low=0, high=1e15)  # 1 million billion VND
WAGE = Plausible(low=0, high=1e10)  # a monthly wage of 10 billion VND is a typing slip
HEADCOUNT = Plausible(low=0, high=1_000_000)  # workers of one employer
PEOPLE = Plausible(low=0, high=200_000_000)  # people of one unit or group
ROW_NUMBER = Plausible(low=1, high=1_000_000)
MEMBER_NUMBER = Plausible(low=1, high=99)
WAGE_REGION = Plausible(low=1, high=4)


def person_id_column(
    required: bool, policy: str = "reject", vi: str = "Số định danh cá nhân"
) -> Column:
    return Column(
        "person_id",
        "string",
        vi,
        required=required,
        check="person_id",
        id_policy=policy,  # type: ignore[arg-type]
        aliases=("Số CCCD", "CCCD", "Số định danh", "Mã định danh"),
        description="12-digit personal identification number",
    )


FULL_NAME = Column(
    "full_name", "string", "Họ và tên", aliases=("Họ tên",), description="họ + tên đệm + tên"
)
