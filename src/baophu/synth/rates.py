"""Legal parameters by month, read from ``baophu.rules`` (never hard-coded here).

The generator needs, for every month it simulates, the regional minimum wages, the reference
level (for the contribution-wage cap), the base salary and the compulsory contribution rates.
This module looks them up once per month and hands them over as numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from baophu.rules.parameters import get_rules

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


def retirement_age_months(sex_female: bool, year: int) -> int:
    """Statutory retirement age in months for people reaching it in ``year``."""
    key = "retirement_age.female" if sex_female else "retirement_age.male"
    v = get_rules().value(key, date(year, 1, 1))
    if year < int(v["start_year"]):
        return int(v["before_start_months"])
    return int(
        min(v["start_months"] + v["step_months"] * (year - v["start_year"]), v["cap_months"])
    )


def poverty_line(on: date) -> int:
    """Rural poverty line (the floor of the voluntary-BHXH income)."""
    return int(get_rules().value("poverty_line_rural", on))
