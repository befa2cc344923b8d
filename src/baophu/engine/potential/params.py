"""The legal figures and policy choices the potential lists need on one reference date, read
from ``baophu.rules`` (never hard-coded): household BHYT by member number, BHYT of the
budget-supported groups, who the budget pays for by age (children, the amended law's new
groups), the voluntary-BHXH minimum and subsidy by group, the continuity gap, the
collectors' commission rate; and from the policy file how far ahead the lists look
(``lists.due_days``, ``lists.subsidy_days``).

The engine receives them as Python integers and puts them into expressions as literals, so
every amount in the lists is the rules' own calculation for that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from baophu.rules import get_policy, get_rules, household_bhyt, voluntary_bhxh
from baophu.rules.budget_paid import CHILD_KEY, NEW_GROUPS_KEY, child_under_age, new_groups
from baophu.rules.money import dec, round_vnd
from baophu.rules.voluntary import GROUPS as VOLUNTARY_GROUPS
from baophu.vn import formats

MONTHS = 12
MAX_MEMBER = 5  # the 5th and later members pay the last factor
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
    child_state_paid_age: int  # children under this age: the budget pays their BHYT
    social_pension_state_paid: bool  # the amended law's groups (all off before it)
    survivor_min_age: int | None
    survivor_near_poor_min_age: int | None
    rule_version: str
    policy_version: str
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on(
        cls, day: dt.date, due_days: int | None = None, subsidy_days: int | None = None
    ) -> ListParams:
        """The figures in force on ``day``; the windows from the policy file unless given."""
        rules = get_rules()
        policy = get_policy()
        if due_days is None:
            due_days = due_days_on(day)
        if subsidy_days is None:
            subsidy_days = int(policy.value("lists.subsidy_days", day))
        groups = new_groups(day, rules)
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
            child_state_paid_age=child_under_age(day, rules),
            social_pension_state_paid=groups is not None and groups.social_pension,
            survivor_min_age=None if groups is None else groups.survivor_min_age,
            survivor_near_poor_min_age=None
            if groups is None
            else groups.survivor_near_poor_min_age,
            rule_version=rules.version,
            policy_version=policy.version,
            sources={
                **household[0]["sources"],
                **rules.sources_for(
                    [f"bhyt_support.{g}" for g in SUPPORTED_GROUPS]
                    + ["bhyt.continuity_gap_days", "collector.commission_rate", CHILD_KEY]
                    + ([NEW_GROUPS_KEY] if groups is not None else []),
                    day,
                ),
            },
        )

    def percent(self, share: float) -> str:
        """A share as a Vietnamese percentage: 0.7 → "70%"."""
        return formats.rate(share)


def due_days_on(day: dt.date) -> int:
    """How many days ahead the lists look for cards and contributions falling due
    (``lists.due_days`` of the policy file in force on ``day``)."""
    return int(get_policy().value("lists.due_days", day))
