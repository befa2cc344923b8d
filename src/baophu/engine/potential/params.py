"""The legal figures the potential lists need on one reference date, read from
``baophu.rules`` (never hard-coded): household BHYT by member number, BHYT of the
budget-supported groups, the voluntary-BHXH minimum and subsidy by group, the continuity gap,
and the collectors' commission rate.

The engine receives them as Python integers and puts them into expressions as literals, so
every amount in the lists is the rules' own calculation for that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from baophu.rules import get_rules, household_bhyt, voluntary_bhxh
from baophu.rules.money import dec, round_vnd
from baophu.rules.voluntary import GROUPS as VOLUNTARY_GROUPS

MONTHS = 12
MAX_MEMBER = 5  # the 5th and later members pay the last factor
DUE_DAYS = 30
SUBSIDY_DAYS = 60
SUPPORTED_GROUPS = ("student", "near_poor", "farming_average")


@dataclass(frozen=True)
class ListParams:
    """Figures in force on ``reference_date`` (amounts in whole VND)."""

    reference_date: dt.date
    due_days: int
    subsidy_days: int
    gap_days: int
    base_salary: int
    household_yearly: tuple[int, ...]  # member 1 … MAX_MEMBER
    household_factors: tuple[float, ...]
    supported_yearly: dict[str, int]  # student, near_poor, farming_average
    support_share: dict[str, float]
    voluntary_rate_e4: int  # 22 % → 2200
    poverty_line: int
    voluntary_subsidy: dict[str, int]  # per month, by group
    voluntary_share: dict[str, float]
    voluntary_min_payable: dict[str, int]  # per month, on the poverty line
    commission_rate: float
    commission_placeholder: bool
    rule_version: str
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on(
        cls, day: dt.date, due_days: int = DUE_DAYS, subsidy_days: int = SUBSIDY_DAYS
    ) -> ListParams:
        rules = get_rules()
        household = [household_bhyt(n, day) for n in range(1, MAX_MEMBER + 1)]
        base = int(rules.value("base_salary", day))
        rate = float(rules.value("household_bhyt.rate", day))
        shares = {g: float(rules.value(f"bhyt_support.{g}", day)) for g in SUPPORTED_GROUPS}
        supported = {
            g: round_vnd(dec(base) * dec(rate) * (dec(1) - dec(shares[g]))) * MONTHS
            for g in SUPPORTED_GROUPS
        }
        poverty = int(rules.value("poverty_line_rural", day))
        vol = {g: voluntary_bhxh(poverty, g, day) for g in VOLUNTARY_GROUPS}
        commission = rules.entry("collector.commission_rate", day)
        return cls(
            reference_date=day,
            due_days=int(due_days),
            subsidy_days=int(subsidy_days),
            gap_days=int(rules.value("bhyt.continuity_gap_days", day)),
            base_salary=base,
            household_yearly=tuple(int(h["yearly"]) for h in household),
            household_factors=tuple(float(h["factor"]) for h in household),
            supported_yearly=supported,
            support_share=shares,
            voluntary_rate_e4=round(float(rules.value("voluntary.rate", day)) * 10_000),
            poverty_line=poverty,
            voluntary_subsidy={g: int(v["subsidy"]) for g, v in vol.items()},
            voluntary_share={g: float(v["subsidy_share"]) for g, v in vol.items()},
            voluntary_min_payable={g: int(v["payable"]) for g, v in vol.items()},
            commission_rate=float(commission.value),
            commission_placeholder=commission.status == "placeholder",
            rule_version=rules.version,
            sources={
                **household[0]["sources"],
                **rules.sources_for(
                    [f"bhyt_support.{g}" for g in SUPPORTED_GROUPS]
                    + ["bhyt.continuity_gap_days", "collector.commission_rate"],
                    day,
                ),
            },
        )

    def percent(self, share: float) -> str:
        """A share as a Vietnamese percentage: 0.7 → "70%"."""
        return f"{share * 100:g}%".replace(".", ",")
