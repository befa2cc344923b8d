"""Household health insurance (BHYT hộ gia đình): the amount for the n-th member of a household.

Owns one rule: the first member pays ``household_bhyt.rate`` (4.5 %) of the base salary per
month; the 2nd, 3rd, 4th and 5th-or-later members pay 70 %, 60 %, 50 % and 40 % of the first
member's amount (``household_bhyt.member_factors``; members past the end of the list use its
last factor).  The discount applies to members who join in the same financial year.

Rounding (as stated in ``parameters.toml``): a member's monthly amount is
``base_salary × rate × factor`` computed exactly and rounded half-up to the whole dong once;
the yearly amount is that **rounded** monthly amount × 12 — what the participant actually pays
for a 12-month card.  With 2,340,000 every figure is exact anyway (105,300; 73,710; 63,180;
52,650; 42,120 per month).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baophu.rules.errors import RulesInputError
from baophu.rules.money import dec, round_vnd
from baophu.rules.parameters import Rules, as_date, resolve

MONTHS_PER_YEAR = 12


def member_factor(member: int, on: date | datetime | str, rules: Rules | None = None) -> float:
    """The share of the first member's amount paid by member number ``member`` (1-based)."""
    if isinstance(member, bool) or not isinstance(member, int) or member < 1:
        raise RulesInputError(
            f"Thứ tự thành viên hộ gia đình phải là số nguyên từ 1 trở lên, nhận {member!r}",
            f"household member number must be a whole number from 1 up, got {member!r}",
        )
    factors = list(resolve(rules).value("household_bhyt.member_factors", on))
    return float(factors[min(member, len(factors)) - 1])


def household_bhyt(
    member: int, on: date | datetime | str, *, rules: Rules | None = None
) -> dict[str, Any]:
    """The BHYT amount of household member number ``member`` on ``on``.

    Returns ``{"member", "date", "base_salary", "rate", "factor", "monthly", "yearly",
    "rule_version", "sources"}`` (amounts in whole VND).
    """
    r = resolve(rules)
    day = as_date(on)
    factor = member_factor(member, day, r)
    base_salary = int(r.value("base_salary", day))
    rate = float(r.value("household_bhyt.rate", day))
    monthly = round_vnd(dec(base_salary) * dec(rate) * dec(factor))
    keys = ["base_salary", "household_bhyt.rate", "household_bhyt.member_factors"]
    return {
        "member": member,
        "date": day.isoformat(),
        "base_salary": base_salary,
        "rate": rate,
        "factor": factor,
        "monthly": monthly,
        "yearly": monthly * MONTHS_PER_YEAR,
        "rule_version": r.version,
        "sources": r.sources_for(keys, day),
    }


def household_bhyt_total(
    members: int, on: date | datetime | str, *, rules: Rules | None = None
) -> dict[str, Any]:
    """What a household of ``members`` people joining together pays: per member and in all."""
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise RulesInputError(
            f"Số thành viên hộ gia đình phải là số nguyên từ 1 trở lên, nhận {members!r}",
            f"number of household members must be a whole number from 1 up, got {members!r}",
        )
    rows = [household_bhyt(n, on, rules=rules) for n in range(1, members + 1)]
    return {
        "members": members,
        "date": rows[0]["date"],
        "by_member": [
            {k: row[k] for k in ("member", "factor", "monthly", "yearly")} for row in rows
        ],
        "monthly": sum(row["monthly"] for row in rows),
        "yearly": sum(row["yearly"] for row in rows),
        "rule_version": rows[0]["rule_version"],
        "sources": rows[0]["sources"],
    }
