"""Legal parameters of employer compliance, turned into small Ibis expressions.

Owns the bridge between ``baophu.rules`` (values by date, read in Python) and the compliance
engine (Ibis expressions run on DuckDB or Spark): the daily late-interest rate as an integer
numerator over ``RATE_SCALE`` (so interest is computed exactly in integers on every backend),
the occupational-accident share of the ledger's ``due_bhxh`` (VSS form C12-TS shows it as its
own column), the regional minimum wage by region and month, the number of days after the
deadline from which an unpaid amount is evasion; the policy choices of the policy file
(the arrears-ratio ceiling, the thresholds of the lists); and the date helpers the engine
builds dates with.  Values by date become CASE expressions or literal arrays, never
in-memory tables (a mart is written from one compiled query).  Nothing here reads a
table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
from ibis.expr.types import DateValue, IntegerValue

from baophu.rules import Rules, get_policy, get_rules, interest_rate_periods
from baophu.rules.errors import RuleNotInForceError, RulesError
from baophu.rules.money import dec

# Interest = Σ late balance × days × rate.  The rate is held as RATE_NUM / RATE_SCALE so the
# sum stays an exact integer: 0.0003 → 30,000 / 10^8.  A month's Σ balance × days × RATE_NUM
# stays below 2^63 for late balances up to ~10^12 VND (a 30,000-worker employer 24 months late).
RATE_SCALE = 10**8
SPLIT_SCALE = 10**5  # contribution rates as numerators over 10^5 (0.005 → 500)
FAR_FUTURE = dt.date(9999, 12, 31)

_BHXH_FUNDS = (
    "rate.employer.pension_survivor",
    "rate.employer.sickness_maternity",
    "rate.employer.occupational",
    "rate.employee.pension_survivor",
)


class ComplianceParameterError(RulesError, ValueError):
    """A legal parameter cannot be used by the engine (message in Vietnamese and English)."""


def _policy_today(key: str) -> Any:
    return get_policy().value(key, dt.date.today())


@dataclass(frozen=True)
class ListCriteria:
    """Thresholds of the lists the seeds name: policy choices, not legal figures, read from
    the policy file (``rules/policy.toml``) by date — ``ListCriteria.on(day)``; built without
    a day, the values in force today."""

    # seed 004 §2.2 a(ii): "chậm đóng từ 3 tháng trở lên"
    long_arrears_months: int = field(
        default_factory=lambda: int(_policy_today("compliance.long_arrears_months"))
    )
    # "số tiền lớn": our reading, see docs/compliance.md
    large_arrears_vnd: int = field(
        default_factory=lambda: int(_policy_today("compliance.large_arrears_vnd"))
    )
    # evasion score from which an employer is inspected
    inspection_min_score: int = field(
        default_factory=lambda: int(_policy_today("compliance.inspection_min_score"))
    )

    @classmethod
    def on(cls, day: dt.date, policy: Rules | None = None) -> ListCriteria:
        """The thresholds in force on ``day``."""
        p = policy or get_policy()
        return cls(
            long_arrears_months=int(p.value("compliance.long_arrears_months", day)),
            large_arrears_vnd=int(p.value("compliance.large_arrears_vnd", day)),
            inspection_min_score=int(p.value("compliance.inspection_min_score", day)),
        )


EVASION_SIGNALS = (
    "headcount_gap",
    "payroll_gap",
    "minimum_wage",
    "unregistered",
    "headcount_drop",
    "long_arrears",
)


@dataclass(frozen=True)
class EvasionPolicy:
    """The evasion signals' points (strongest level first) and thresholds, and the payroll
    ratio that is normal: policy choices read from the policy file by date
    (``compliance.evasion_points``, ``compliance.evasion_thresholds``,
    ``compliance.normal_payroll_ratio``) — ``EvasionPolicy.on(day)``."""

    points: dict[str, tuple[int, ...]]
    strong_headcount_share: float
    weak_headcount_share: float
    headcount_min_gap: int
    headcount_large_gap: int
    strong_payroll_ratio: float
    weak_payroll_ratio: float
    minimum_wage_band: float
    drop_share: float
    drop_people: int
    unregistered_active_days: int
    normal_payroll_ratio: float

    @classmethod
    def on(cls, day: dt.date, policy: Rules | None = None) -> EvasionPolicy:
        p = policy or get_policy()
        raw = p.value("compliance.evasion_points", day)
        missing = [s for s in EVASION_SIGNALS if s not in raw]
        if missing:
            raise ComplianceParameterError(
                f"compliance.evasion_points thiếu điểm của: {', '.join(missing)}",
                f"compliance.evasion_points lacks the points of: {', '.join(missing)}",
            )
        t = p.value("compliance.evasion_thresholds", day)
        return cls(
            points={s: tuple(int(x) for x in raw[s]) for s in EVASION_SIGNALS},
            strong_headcount_share=float(t["strong_headcount_share"]),
            weak_headcount_share=float(t["weak_headcount_share"]),
            headcount_min_gap=int(t["headcount_min_gap"]),
            headcount_large_gap=int(t["headcount_large_gap"]),
            strong_payroll_ratio=float(t["strong_payroll_ratio"]),
            weak_payroll_ratio=float(t["weak_payroll_ratio"]),
            minimum_wage_band=float(t["minimum_wage_band"]),
            drop_share=float(t["drop_share"]),
            drop_people=int(t["drop_people"]),
            unregistered_active_days=int(t["unregistered_active_days"]),
            normal_payroll_ratio=float(p.value("compliance.normal_payroll_ratio", day)),
        )


def arrears_ratio_ceiling(on: dt.date, policy: Rules | None = None) -> float | None:
    """The arrears-ratio ceiling in force on ``on`` (policy file); ``None`` before any."""
    try:
        return float((policy or get_policy()).value("compliance.arrears_ratio_ceiling", on))
    except RuleNotInForceError:
        return None


def _numerator(rate: float, scale: int, key: str) -> int:
    exact = dec(rate) * scale
    if exact != exact.to_integral_value():
        raise ComplianceParameterError(
            f"Tham số {key} = {rate} có nhiều chữ số thập phân hơn 1/{scale}; "
            "tăng hệ số tỷ lệ trong engine",
            f"parameter {key} = {rate} is finer than 1/{scale}; raise the engine's scale",
        )
    return int(exact)


def interest_rate_periods_table(rules: Rules | None = None) -> list[dict[str, Any]]:
    """The dated daily rates (``interest_rate_periods``) as ``{start, end, rate_num}``: dates,
    ``end`` inclusive (``FAR_FUTURE`` when open), the rate as a numerator over RATE_SCALE."""
    return [
        {
            "start": dt.date.fromisoformat(p["effective_from"]),
            "end": dt.date.fromisoformat(p["effective_to"]) if p["effective_to"] else FAR_FUTURE,
            "rate_num": _numerator(p["daily_rate"], RATE_SCALE, "late_interest.daily_rate"),
        }
        for p in interest_rate_periods(rules)
    ]


def rate_change_days(rules: Rules | None = None) -> list[dt.date]:
    """Last day before each new rate period: a late-balance segment is split there."""
    return [p["start"] - dt.timedelta(days=1) for p in interest_rate_periods_table(rules)[1:]]


def daily_rate_num(
    day: DateValue, rules: Rules | None = None, *, day_after: bool = False
) -> IntegerValue:
    """The rate numerator in force on ``day`` (or on the day after it), 0 before the first
    period, as a CASE (the shift is applied to the bounds, so no date arithmetic runs)."""
    shift = dt.timedelta(days=1 if day_after else 0)
    branches = []
    for p in interest_rate_periods_table(rules):
        end = p["end"] - shift if p["end"] < FAR_FUTURE else p["end"]
        branches.append(((day >= p["start"] - shift) & (day <= end), p["rate_num"]))
    return ibis.cases(*branches, else_=0).cast("int64")


# Dates built from year and month numbers: DuckDB turns ``date ± interval`` into a timestamp,
# so the engine never adds intervals to dates; it computes month indexes
# (year × 12 + month − 1) and builds dates with ``ibis.date`` (make_date on every backend).


def month_index(value: ibis.Value) -> IntegerValue:
    """year × 12 + month − 1: consecutive months differ by one, on every backend."""
    return (value.year() * 12 + value.month() - 1).cast("int64")  # type: ignore[attr-defined]


def month_first_day(index: IntegerValue) -> DateValue:
    """The first day of the month with this index."""
    return ibis.date((index // 12).cast("int32"), (index % 12 + 1).cast("int32"), 1)


def month_last_day(index: IntegerValue) -> DateValue:
    """The last day of the month with this index."""
    year = (index // 12).cast("int32")
    month = (index % 12 + 1).cast("int32")
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = ibis.cases(
        (month == 2, ibis.ifelse(leap, 29, 28)),
        (month.isin([4, 6, 9, 11]), 30),
        else_=31,
    ).cast("int32")
    return ibis.date(year, month, days)


def first_day(value: ibis.Value) -> DateValue:
    """The first day of the month of a date (a DATE on every backend)."""
    return ibis.date(value.year(), value.month(), 1)  # type: ignore[attr-defined]


def _ranges(months: list[dt.date], values: list[tuple[int, ...]]) -> list[tuple[Any, ...]]:
    """Consecutive months with equal values merged: ``(first_month, last_month, *values)``."""
    out: list[tuple[Any, ...]] = []
    for month, value in zip(months, values, strict=True):
        if out and out[-1][2:] == value:
            out[-1] = (out[-1][0], month, *value)
        else:
            out.append((month, month, *value))
    return out


def _by_month(month: ibis.Value, ranges: list[tuple[dt.date, dt.date, int]]) -> IntegerValue:
    branches = [((month >= lo) & (month <= hi), value) for lo, hi, value in ranges]
    if not branches:
        return ibis.literal(0, "int64")
    return ibis.cases(*branches, else_=ibis.null("int64")).cast("int64")


def occupational_split(
    period: ibis.Value, months: list[dt.date], rules: Rules | None = None
) -> tuple[IntegerValue, IntegerValue]:
    """The occupational-accident fund's share of ``due_bhxh`` in the contribution month
    ``period``: ``(occ_num, bhxh_num)``, numerators over ``SPLIT_SCALE``.

    The ledger's ``due_bhxh`` is the employer's pension/survivor + sickness/maternity +
    occupational funds plus the employee's pension/survivor fund; the occupational part is
    ``due_bhxh × occ / (sum of those four rates)``.  ``months`` are the months to cover.
    """
    r = rules or get_rules()
    values: list[tuple[int, ...]] = []
    for month in months:
        rates = {key: float(r.value(key, month)) for key in _BHXH_FUNDS}
        total = sum((Decimal(repr(v)) for v in rates.values()), Decimal(0))
        values.append(
            (
                _numerator(rates["rate.employer.occupational"], SPLIT_SCALE, "occupational"),
                _numerator(float(total), SPLIT_SCALE, "bhxh"),
            )
        )
    ranges = _ranges(months, values)
    occ = _by_month(period, [(lo, hi, v[0]) for lo, hi, *v in ranges])
    bhxh = _by_month(period, [(lo, hi, v[1]) for lo, hi, *v in ranges])
    return occ, bhxh


def minimum_wage(
    period: ibis.Value, region: ibis.Value, months: list[dt.date], rules: Rules | None = None
) -> IntegerValue:
    """The regional minimum wage of ``region`` (1–4) in the month ``period``."""
    r = rules or get_rules()
    branches = []
    for number in (1, 2, 3, 4):
        values: list[tuple[int, ...]] = [
            (int(r.value(f"regional_minimum_wage.region_{number}", m)),) for m in months
        ]
        for lo, hi, wage in _ranges(months, values):
            branches.append(((region == number) & (period >= lo) & (period <= hi), wage))
    if not branches:
        return ibis.null("int64")
    return ibis.cases(*branches, else_=ibis.null("int64")).cast("int64")


def as_int(value: ibis.Value) -> IntegerValue:
    """A whole number as a 64-bit integer on every backend.  DuckDB sums BIGINTs into
    HUGEINTs and Ibis drops a cast to the type it already believes, so the cast goes through
    DECIMAL(38, 0) (exact) to BIGINT."""
    return value.cast("decimal(38, 0)").cast("int64")  # type: ignore[return-value]


def month_offsets(count: int) -> ibis.Value:
    """0, 1, …, count−1 as an array to unnest (a calendar without an in-memory table)."""
    return ibis.literal(list(range(count)), type="array<int64>")


def date_list(days: list[dt.date]) -> ibis.Value:
    """Dates as an array to unnest."""
    return ibis.literal(list(days), type="array<date>")
