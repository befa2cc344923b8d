"""Legal parameters by month, read from ``baophu.rules`` (never hard-coded here).

The generator needs, for every month it simulates, the regional minimum wages, the reference
level (for the contribution-wage cap), the base salary and the compulsory contribution rates.
This module looks them up once per month and hands them over as numpy arrays; it also gives
the month each person reaches the statutory retirement age and the day they reach working
age, from the rules' own tables.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import numpy as np

from baophu.rules.parameters import get_rules
from baophu.rules.retirement import TABLE_FIRST_YEAR, retirement_month_table
from baophu.synth.dates import month_end, month_index, month_start

EMPLOYER_BHXH_KEYS = (
    "rate.employer.pension_survivor",
    "rate.employer.sickness_maternity",
    "rate.employer.occupational",
)
EMPLOYEE_BHXH_KEYS = ("rate.employee.pension_survivor",)


@dataclass(frozen=True)
class MonthlyRules:
    """Parameters for a run of consecutive months (arrays indexed by month offset)."""

    months: np.ndarray  # datetime64[M]
    min_wage: np.ndarray  # (n_months, 5): column r = region r (column 0 unused)
    reference_level: np.ndarray
    base_salary: np.ndarray
    bhxh_rate_e5: np.ndarray  # rates × 100,000 as integers (exact rounding)
    bhyt_rate_e5: np.ndarray
    bhtn_rate_e5: np.ndarray
    cap_multiple: np.ndarray
    household_bhyt_rate: np.ndarray

    def index(self, month: np.datetime64) -> int:
        return int((np.asarray(month, dtype="datetime64[M]") - self.months[0]).astype(np.int64))


def _e5(value: float) -> int:
    return round(float(value) * 100_000)


def monthly_rules(first: np.datetime64, last: np.datetime64) -> MonthlyRules:
    """Parameters in force on the first day of every month from ``first`` to ``last``."""
    rules = get_rules()
    lo = np.asarray(first, dtype="datetime64[M]").astype(np.int64)
    hi = np.asarray(last, dtype="datetime64[M]").astype(np.int64)
    months = np.arange(int(lo), int(hi) + 1).astype("datetime64[M]")
    n = len(months)
    min_wage = np.zeros((n, 5), dtype=np.int64)
    ref = np.zeros(n, dtype=np.int64)
    base = np.zeros(n, dtype=np.int64)
    bhxh = np.zeros(n, dtype=np.int64)
    bhyt = np.zeros(n, dtype=np.int64)
    bhtn = np.zeros(n, dtype=np.int64)
    cap = np.zeros(n, dtype=np.int64)
    hh_rate = np.zeros(n)
    for i, m in enumerate(months):
        on = date.fromisoformat(str(m) + "-01")
        for r in range(1, 5):
            min_wage[i, r] = int(rules.value(f"regional_minimum_wage.region_{r}", on))
        ref[i] = int(rules.value("reference_level", on))
        base[i] = int(rules.value("base_salary", on))
        bhxh[i] = sum(_e5(rules.value(k, on)) for k in (*EMPLOYER_BHXH_KEYS, *EMPLOYEE_BHXH_KEYS))
        bhyt[i] = _e5(rules.value("rate.employer.bhyt", on)) + _e5(
            rules.value("rate.employee.bhyt", on)
        )
        bhtn[i] = _e5(rules.value("rate.employer.bhtn", on)) + _e5(
            rules.value("rate.employee.bhtn", on)
        )
        cap[i] = int(rules.value("cap.bhxh_multiple", on))
        hh_rate[i] = float(rules.value("household_bhyt.rate", on))
    return MonthlyRules(months, min_wage, ref, base, bhxh, bhyt, bhtn, cap, hh_rate)


def apply_rate(amount: np.ndarray, rate_e5: np.ndarray | int) -> np.ndarray:
    """``amount × rate`` rounded half-up to the whole dong, in exact integer arithmetic."""
    return (np.asarray(amount, dtype=np.int64) * rate_e5 + 50_000) // 100_000


@functools.lru_cache(maxsize=8)
def _reach_table(first_year: int, last_year: int) -> np.ndarray:
    """``(2, months)``: the month index (year × 12 + month − 1) in which men (row 0) and women
    (row 1) born in each month from January ``first_year`` reach the retirement age."""
    size = (last_year - first_year + 1) * 12
    table = np.zeros((2, size), dtype=np.int64)
    for row in retirement_month_table(first_year=first_year, last_year=last_year):
        birth = int(row["birth_ym"][:4]) * 12 + int(row["birth_ym"][5:7]) - 1
        reach = int(row["reaches_ym"][:4]) * 12 + int(row["reaches_ym"][5:7]) - 1
        table[1 if row["sex"] == "female" else 0, birth - first_year * 12] = reach
    return table


def retirement_month(birth: np.ndarray, female: np.ndarray) -> np.ndarray:
    """The month (``datetime64[M]``) in which each person reaches the statutory retirement
    age: ``baophu.rules.retirement_month_table`` (Labour Code 45/2019, Decree 135/2020) by
    sex and birth month.  A person is of working age up to the end of that month."""
    months = month_index(birth)
    assert isinstance(months, np.ndarray)
    index = months + 1970 * 12  # year × 12 + month − 1
    first = min(int(index.min()) // 12, TABLE_FIRST_YEAR) if len(index) else TABLE_FIRST_YEAR
    last = max(int(index.max()) // 12, first) if len(index) else first
    table = _reach_table(first, last)
    reach = table[np.asarray(female, dtype=np.int64), index - first * 12]
    return (reach - 1970 * 12).astype("datetime64[M]")


def working_age_from(birth: np.ndarray) -> np.ndarray:
    """The day (``datetime64[D]``) each person reaches the minimum working age (the 15th
    birthday, ``working_age.min_years``; 29 February → 28 February in common years)."""
    years = int(get_rules().latest("working_age.min_years").value)
    month = month_index(birth)
    assert isinstance(month, np.ndarray)
    moved = (month + 12 * years).astype("datetime64[M]")
    first = month_start(month.astype("datetime64[M]"))
    day = (np.asarray(birth, dtype="datetime64[D]") - first).astype(np.int64)
    last = month_end(moved)
    return np.minimum(month_start(moved) + day.astype("timedelta64[D]"), last)


def poverty_line(on: date) -> int:
    """Rural poverty line (the floor of the voluntary-BHXH income)."""
    return int(get_rules().value("poverty_line_rural", on))
