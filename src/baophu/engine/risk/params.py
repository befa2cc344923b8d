"""The figures the risk checks use, read from the dated parameters and the policy on the
reference date: never a constant of the code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from baophu.rules import get_policy, get_rules


@dataclass(frozen=True)
class RiskParams:
    """``bhyt_base_monthly``: the BHYT rate on the base salary (the first household member's
    amount, and the budget's for its groups); ``bhyt_wage_rate``: the employer's and the
    employee's BHYT rates on the wage; ``voluntary_rate`` and ``voluntary_min_income``
    (the rural poverty line); ``compulsory_bhxh_rate``: the pension, sickness and occupational
    rates of both parties; ``remittance_due_days``: the days an agent has to transfer what it
    collected (policy); ``near_poor_support`` and ``student_support``: the budget's share of a
    near-poor card and of a pupil's or student's card."""

    bhyt_base_monthly: int
    bhyt_wage_rate: float
    voluntary_rate: float
    voluntary_min_income: int
    compulsory_bhxh_rate: float
    remittance_due_days: int
    near_poor_support: float
    student_support: float


def risk_params(day: dt.date) -> RiskParams:
    rules = get_rules()
    rates = rules.rates_on(day)
    base = int(rules.value("base_salary", day))
    bhyt_rate = float(rules.value("household_bhyt.rate", day))
    compulsory = sum(
        v
        for k, v in rates.items()
        if k.split(".")[-1] in ("pension_survivor", "sickness_maternity", "occupational")
    )
    return RiskParams(
        bhyt_base_monthly=round(base * bhyt_rate),
        bhyt_wage_rate=rates["rate.employer.bhyt"] + rates["rate.employee.bhyt"],
        voluntary_rate=float(rules.value("voluntary.rate", day)),
        voluntary_min_income=int(rules.value("poverty_line_rural", day)),
        compulsory_bhxh_rate=float(compulsory),
        remittance_due_days=int(get_policy().value("risk.remittance_due_days", day)),
        near_poor_support=float(rules.value("bhyt_support.near_poor", day)),
        student_support=float(rules.value("bhyt_support.student", day)),
    )
