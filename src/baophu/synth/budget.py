"""What the state budget owes for BHYT, by paying department, group and month — and pays.

The Department of Finance pays for most budget-funded groups (quarterly, often late), Home
Affairs for people with meritorious service (monthly, on time) and Health for social
protection and social-pension recipients (monthly, sometimes only in part).  Persons are the
budget-paid BHYT spells held in the province in each month; the amount is the BHYT
contribution (household rate × base salary) times the budget's share, all three read from
``baophu.rules``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from baophu.rules.parameters import get_rules
from baophu.synth.context import Context
from baophu.synth.dates import month_end, month_start
from baophu.synth.enrolments import Enrolled, G, P, S
from baophu.synth.rates import monthly_rules
from baophu.synth.strings import date_array

BUDGET_MONTHS = 24
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "finance": (
        "child_under_6",
        "poor",
        "ethnic_minority_hardship",
        "near_poor",
        "student",
        "farming_average",
    ),
    "home_affairs": ("meritorious",),
    "health": ("social_protection", "social_pension"),
}


def budget_share(group: str, month: np.datetime64) -> float:
    """The state budget's share of the BHYT contribution of ``group`` in ``month``: the
    ``bhyt_support.<group>`` parameter in force on the month's first day for the
    budget-supported groups (Decree 188/2025/NĐ-CP, read from ``baophu.rules``), the whole
    contribution for the state-budget groups."""
    key = f"bhyt_support.{group}"
    rules = get_rules()
    if key not in rules:
        return 1.0
    first = date.fromisoformat(str(np.asarray(month, dtype="datetime64[M]")) + "-01")
    return float(rules.value(key, first))


def build_budget(ctx: Context, e: Enrolled) -> pa.Table:
    """The ``budget_obligations`` contract for the last 24 months."""
    rng = ctx.rng("budget")
    as_of = ctx.as_of_d
    as_m = ctx.as_of_month
    months = np.arange(as_m - np.timedelta64(BUDGET_MONTHS - 1, "M"), as_m + 1)
    mr = monthly_rules(months[0], months[-1])
    sel = (
        (e.scheme == S["bhyt"])
        & (e.province == 0)
        & np.isin(e.payer, (P["state_budget"], P["budget_supported"]))
    )
    start, end, grp = e.start[sel], e.end[sel], e.group[sel]
    dept_l, group_l, month_l, persons_l, due_l = [], [], [], [], []
    for department, groups in DEPARTMENTS.items():
        for gname in groups:
            g_rows = grp == G[gname]
            st, en = start[g_rows], end[g_rows]
            for i, m in enumerate(months):
                mid = month_start(np.array([m]))[0] + np.timedelta64(14, "D")
                count = int(((st <= mid) & (np.isnat(en) | (en >= mid))).sum())
                per_person = round(
                    mr.base_salary[i] * mr.household_bhyt_rate[i] * budget_share(gname, m)
                )
                dept_l.append(department)
                group_l.append(gname)
                month_l.append(m)
                persons_l.append(count)
                due_l.append(count * per_person)
    n = len(dept_l)
    month = np.array(month_l, dtype="datetime64[M]")
    due = np.array(due_l, dtype=np.int64)
    dept = np.array(dept_l)
    quarter_end = month.astype("datetime64[Y]").astype("datetime64[M]") + (
        (month.astype(np.int64) % 12) // 3 * 3 + 2
    ).astype("timedelta64[M]")
    paid_date = np.where(
        dept == "finance",
        month_end(quarter_end) + rng.integers(20, 76, n).astype("timedelta64[D]"),
        month_end(month)
        + np.where(dept == "health", rng.integers(10, 61, n), rng.integers(5, 26, n)).astype(
            "timedelta64[D]"
        ),
    ).astype("datetime64[D]")
    partial = (dept == "health") & (rng.random(n) < 0.15)
    paid = np.where(partial, np.round(due * 0.8), due).astype(np.int64)
    unpaid = paid_date > as_of
    paid = np.where(unpaid, 0, paid)
    paid_date = np.where(unpaid | (due == 0), np.datetime64("NaT"), paid_date)
    paid = np.where(due == 0, 0, paid)
    return pa.table(
        {
            "department": pa.array(dept_l, pa.string()),
            "participant_group": pa.array(group_l, pa.string()),
            "period": pa.array(month.astype("datetime64[D]"), type=pa.date32()),
            "persons": pa.array(np.array(persons_l, dtype=np.int64)),
            "amount_due": pa.array(due),
            "amount_paid": pa.array(paid),
            "paid_date": date_array(paid_date),
        }
    )
