"""Contribution ledger, employers' payments, and who pays late.

The ledger holds, per employer and contribution month, the declared headcount and wage bill
and the amounts due by scheme at the legal rates of that month (from ``baophu.rules``).
Payments follow each employer's behaviour: most pay before the deadline (the last day of
the month after the contribution month); some are occasionally late, pay part, overpay, pay
a quarter at once, or stopped paying months ago (persistent arrears, 3+ months).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from baophu.synth.context import Context
from baophu.synth.dates import month_end
from baophu.synth.employers import HOUSEHOLD_BUSINESS, Firms, Spells, SpellWages
from baophu.synth.rates import MonthlyRules, apply_rate, monthly_rules
from baophu.synth.strings import date_array, digits, take

BEHAVIOURS = (
    "on_time",
    "occasionally_late",
    "partial",
    "overpay",
    "lump_sum",
    "persistent_arrears",
)
ON_TIME, LATE, PARTIAL, OVERPAY, LUMP, PERSISTENT = range(6)
BEHAVIOUR_P = np.array([0.77, 0.12, 0.03, 0.02, 0.025, 0.035])


@dataclass
class Workforce:
    """Per firm and month: true and declared headcount and wage bill."""

    months: np.ndarray  # datetime64[M]
    rules: MonthlyRules
    true_head: np.ndarray  # (n_firms, n_months)
    true_bill: np.ndarray
    declared_head: np.ndarray
    declared_bill: np.ndarray

    def at(self, month: np.datetime64) -> int:
        return int((np.asarray(month, dtype="datetime64[M]") - self.months[0]).astype(np.int64))


def build_workforce(ctx: Context, firms: Firms, spells: Spells) -> Workforce:
    """Monthly true and declared workforce over the simulated months (``history_start`` to
    the as_of month: the tax years before the history need their averages)."""
    as_m = ctx.as_of_month
    mr = monthly_rules(ctx.history_start, as_m)
    n_m = len(mr.months)
    inside = np.flatnonzero(spells.firm >= 0)
    # spells by start month: those begun by a month are a prefix
    inside = inside[np.argsort(spells.start[inside].astype(np.int64), kind="stable")]
    start = spells.start[inside].astype(np.int64)  # months since 1970
    end = np.where(np.isnat(spells.end[inside]), 10**9, spells.end[inside].astype(np.int64))
    out = {k: np.zeros((firms.n, n_m), dtype=np.int64) for k in ("th", "tb", "dh", "db")}
    wages = SpellWages.of(spells, firms, as_m)
    # each spell's wage grows (1 + g) a month from its anchor: base × (1 + g)^(m − anchor)
    rate = np.log1p(wages.growth)
    scaled = wages.base[inside] * np.exp(-wages.anchor[inside] * rate)
    region, factor = wages.region[inside], wages.factor[inside]
    bunched, declared_job = wages.bunched[inside], spells.declared[inside]
    firm = spells.firm[inside]
    for i, m in enumerate(mr.months.astype(np.int64)):
        begun = int(np.searchsorted(start, m, side="right"))
        act = np.flatnonzero(end[:begun] >= m)
        if not len(act):
            continue
        minimum = np.take(mr.min_wage[i], region[act])
        true = np.maximum(np.round(scaled[act] * np.exp(m * rate), -3), minimum)
        declared = np.maximum(np.round(true * factor[act], -3), minimum)
        declared = np.where(bunched[act], minimum, declared)
        declared = np.minimum(declared, mr.cap_multiple[i] * mr.reference_level[i])
        f = firm[act]
        dec = declared_job[act]
        out["th"][:, i] = np.bincount(f, minlength=firms.n)
        out["tb"][:, i] = np.bincount(f, weights=true, minlength=firms.n).round().astype(np.int64)
        out["dh"][:, i] = np.bincount(f[dec], minlength=firms.n)
        out["db"][:, i] = (
            np.bincount(f[dec], weights=declared[dec], minlength=firms.n).round().astype(np.int64)
        )
    return Workforce(mr.months, mr, out["th"], out["tb"], out["dh"], out["db"])


@dataclass
class Ledger:
    """Ledger rows (numpy) and the table."""

    firm: np.ndarray
    month: np.ndarray  # datetime64[M]
    due: np.ndarray
    table: pa.Table


def build_ledger(ctx: Context, firms: Firms, wf: Workforce) -> Ledger:
    """The ``contribution_ledger`` contract: registered employers × the months of the
    history (``first_month`` to the as_of month), so that every month-end of the history has
    its declared headcount."""
    as_m = ctx.as_of_month
    lo = wf.at(ctx.first_month)
    hi = wf.at(as_m) + 1
    n_reg = firms.n_registered
    head = wf.declared_head[:n_reg, lo:hi]
    bill = wf.declared_bill[:n_reg, lo:hi]
    firm, mi = np.nonzero(head > 0)
    gi = mi + lo
    b = bill[firm, mi]
    mr = wf.rules
    bhxh = apply_rate(b, mr.bhxh_rate_e5[gi])
    bhyt = apply_rate(b, mr.bhyt_rate_e5[gi])
    bhtn = apply_rate(b, mr.bhtn_rate_e5[gi])
    total = bhxh + bhyt + bhtn
    months = wf.months[gi]
    table = pa.table(
        {
            "employer_code": firms.employer_code.take(pa.array(firm)),
            "period": pa.array(months.astype("datetime64[D]"), type=pa.date32()),
            "declared_headcount": pa.array(head[firm, mi].astype(np.int64)),
            "declared_wage_bill": pa.array(b.astype(np.int64)),
            "due_bhxh": pa.array(bhxh),
            "due_bhyt": pa.array(bhyt),
            "due_bhtn": pa.array(bhtn),
            "due_total": pa.array(total),
        }
    )
    return Ledger(firm=firm, month=months, due=total, table=table)


@dataclass
class Payments:
    """Payments table and the late-payment truth per employer."""

    table: pa.Table
    truth: pa.Table


def build_payments(ctx: Context, firms: Firms, ledger: Ledger) -> Payments:
    """Payments by behaviour, and each employer's arrears at the reference date."""
    rng = ctx.rng("payments")
    as_of = ctx.as_of_d
    as_m = ctx.as_of_month
    n_reg = firms.n_registered
    p = np.tile(BEHAVIOUR_P, (n_reg, 1))
    hb = firms.ownership[:n_reg] == HOUSEHOLD_BUSINESS
    p[hb, PERSISTENT] *= 2
    p[hb, LATE] *= 1.5
    p /= p.sum(axis=1, keepdims=True)
    behaviour = (rng.random(n_reg)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    stop = as_m - (4 + rng.geometric(0.12, n_reg)).astype("timedelta64[M]")

    f, m, due = ledger.firm, ledger.month, ledger.due
    n = len(f)
    beh = behaviour[f]
    deadline = month_end(m + 1)
    early = rng.integers(0, 25, n).astype("timedelta64[D]")
    date = deadline - early
    amount = due.astype(np.float64)
    u = rng.random(n)
    # occasionally late
    late = (beh == LATE) & (u < 0.3)
    date = np.where(late, deadline + rng.integers(1, 76, n).astype("timedelta64[D]"), date)
    # overpay
    over = (beh == OVERPAY) & (u < 0.3)
    amount = np.where(over, amount * rng.uniform(1.02, 1.25, n), amount)
    # partial: part now, the rest later (sometimes never)
    part = (beh == PARTIAL) & (u < 0.5)
    share = rng.uniform(0.4, 0.9, n)
    rest_paid = part & (rng.random(n) < 0.6)
    rest_amount = np.where(rest_paid, amount * (1 - share), 0.0)
    rest_date = deadline + rng.integers(20, 121, n).astype("timedelta64[D]")
    amount = np.where(part, amount * share, amount)
    # quarterly lump sums: each month paid with the last month of its quarter
    lump = beh == LUMP
    q_last = m.astype("datetime64[Y]").astype("datetime64[M]") + (
        (m.astype(np.int64) % 12) // 3 * 3 + 2
    ).astype("timedelta64[M]")
    q_key = rng.integers(0, 11, n_reg)[f].astype("timedelta64[D]")
    date = np.where(lump, month_end(q_last + 1) - q_key, date)
    # persistent arrears: nothing (or a little) since the stop month
    stopped = (beh == PERSISTENT) & (m >= stop[f])
    little = stopped & (u < 0.15)
    amount = np.where(stopped, np.where(little, amount * rng.uniform(0.2, 0.5, n), 0.0), amount)
    date = np.where(little, deadline + rng.integers(10, 90, n).astype("timedelta64[D]"), date)
    # some on-time payers split a month into two transfers
    split = (beh == ON_TIME) & (u < 0.1)
    split_amount = np.where(split, np.round(amount * 0.4), 0.0)
    amount = amount - split_amount
    split_date = date - rng.integers(1, 6, n).astype("timedelta64[D]")

    pay_f = np.concatenate([f, f, f])
    pay_d = np.concatenate([date, rest_date, split_date]).astype("datetime64[D]")
    pay_a = np.round(np.concatenate([amount, rest_amount, split_amount])).astype(np.int64)
    keep = (pay_a > 0) & (pay_d <= as_of)
    pay_f, pay_d, pay_a = pay_f[keep], pay_d[keep], pay_a[keep]
    # one transfer per employer and day
    key = pay_d.astype(np.int64) * (n_reg + 1) + pay_f
    uniq, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=pay_a).round().astype(np.int64)
    pf = (uniq % (n_reg + 1)).astype(np.int64)
    pd_ = (uniq // (n_reg + 1)).astype("datetime64[D]")
    table = pa.table(
        {
            "payment_id": digits(np.arange(1, len(uniq) + 1), 10, prefix="CT"),
            "employer_code": firms.employer_code.take(pa.array(pf)),
            "payment_date": pa.array(pd_, type=pa.date32()),
            "amount": pa.array(total),
        }
    )

    # truth: arrears at as_of, first-in first-out
    overdue = deadline < as_of
    due_over = np.bincount(f[overdue], weights=due[overdue], minlength=n_reg)
    paid = np.bincount(pf, weights=total, minlength=n_reg)
    arrears = np.maximum(0, due_over - paid).round().astype(np.int64)
    # months not fully covered: walk each employer's overdue months in order
    o = np.flatnonzero(overdue)
    o = o[np.lexsort((m[o], f[o]))]
    cum = np.cumsum(due[o].astype(np.float64))
    firm_start = np.searchsorted(f[o], np.arange(n_reg), side="left")
    before = np.concatenate([[0.0], cum])[firm_start][f[o]]
    cum_firm = cum - before
    uncovered = cum_firm > paid[f[o]] + 0.5
    months_late = np.bincount(f[o][uncovered], minlength=n_reg)
    oldest = np.full(n_reg, np.datetime64("NaT"), dtype="datetime64[M]")
    first_idx = np.flatnonzero(uncovered)
    if len(first_idx):
        fi = f[o][first_idx]
        _, pos = np.unique(fi, return_index=True)
        oldest[fi[pos]] = m[o][first_idx[pos]]
    truth = pa.table(
        {
            "employer_code": firms.employer_code,
            "behaviour": take(list(BEHAVIOURS), behaviour),
            "due_overdue": pa.array(due_over.round().astype(np.int64)),
            "paid": pa.array(paid.round().astype(np.int64)),
            "arrears": pa.array(arrears),
            "months_in_arrears": pa.array(months_late.astype(np.int64)),
            "oldest_unpaid_month": date_array(oldest.astype("datetime64[D]")),
            "late_3_plus": pa.array(months_late >= 3),
        }
    )
    return Payments(table=table, truth=truth)
