"""Vietnamese text in Ibis expressions, the same on DuckDB and Spark: amounts as 1.263.600,
and the labels the potential lists print.

No backend formats numbers or dates the way Vietnamese readers expect (and each formats
differently), so the digits are assembled here with integer arithmetic and ``lpad``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
from ibis.expr.types import DateValue, IntegerValue, StringValue

EPOCH = ibis.date(1970, 1, 1)

PAYER_VI: dict[str, str] = {
    "employer": "đơn vị sử dụng lao động",
    "si_fund": "quỹ BHXH",
    "state_budget": "ngân sách nhà nước",
    "budget_supported": "cá nhân, NSNN hỗ trợ một phần",
    "household": "hộ gia đình",
    "self": "cá nhân tự đóng",
}
GROUP_VI: dict[str, str] = {
    "employee": "người lao động",
    "pensioner": "hưởng lương hưu, trợ cấp BHXH",
    "unemployment_benefit": "hưởng trợ cấp thất nghiệp",
    "child_under_6": "trẻ em dưới 6 tuổi",
    "poor": "hộ nghèo",
    "ethnic_minority_hardship": "người DTTS vùng khó khăn",
    "meritorious": "người có công",
    "social_protection": "bảo trợ xã hội",
    "social_pension": "hưởng trợ cấp hưu trí xã hội",
    "near_poor": "hộ cận nghèo",
    "student": "học sinh, sinh viên",
    "farming_average": "hộ nông lâm ngư diêm nghiệp có mức sống trung bình",
    "household": "hộ gia đình",
    "voluntary": "BHXH tự nguyện",
    "other": "khác",
    "survivor_allowance": "hưởng trợ cấp tuất hằng tháng",
}
VOLUNTARY_GROUP_VI: dict[str, str] = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "ethnic_minority": "người dân tộc thiểu số",
    "other": "đối tượng khác",
}


def label(code: ibis.Value, labels: Mapping[Any, str]) -> StringValue:
    """The label of a code (null for an unknown code)."""
    return ibis.cases(*[(code == k, v) for k, v in labels.items()], else_=ibis.null("string"))


def num(value: IntegerValue) -> StringValue:
    """A whole number with Vietnamese thousands dots: 1263600 → "1.263.600" (negative numbers
    keep their sign; null stays null)."""
    v = value.cast("int64")
    a = v.abs()
    sign = ibis.ifelse(v < 0, "-", "")

    def group(k: int) -> StringValue:
        return ((a // 10 ** (3 * k)) % 1000).cast("string")

    def padded(k: int) -> StringValue:
        return group(k).lpad(3, "0")

    text = ibis.cases(
        (
            a >= 10**12,
            (a // 10**12).cast("string")
            + "."
            + padded(3)
            + "."
            + padded(2)
            + "."
            + padded(1)
            + "."
            + padded(0),
        ),
        (a >= 10**9, group(3) + "." + padded(2) + "." + padded(1) + "." + padded(0)),
        (a >= 10**6, group(2) + "." + padded(1) + "." + padded(0)),
        (a >= 10**3, group(1) + "." + padded(0)),
        else_=group(0),
    )
    return ibis.ifelse(v.isnull(), ibis.null("string"), sign + text)


def days_of(day: DateValue) -> IntegerValue:
    """Days since 1970-01-01 (to pack a date with a small code into one integer)."""
    return day.delta(EPOCH, unit="day").cast("int64")


def date_of(days: IntegerValue) -> DateValue:
    """The date ``days`` after 1970-01-01 (inverse of ``days_of``)."""
    return EPOCH + days.cast("int32").as_interval("D")


def plus_days(day: DateValue, n: int) -> DateValue:
    return day + ibis.interval(days=n)


def vnd_year(amount: IntegerValue) -> StringValue:
    return num(amount) + " đồng/năm"


def vnd_month(amount: IntegerValue) -> StringValue:
    return num(amount) + " đồng/tháng"


def as_text(value: ibis.Value) -> StringValue:
    """Any value as text ('' for null), for concatenation."""
    return value.cast("string").fill_null("")
