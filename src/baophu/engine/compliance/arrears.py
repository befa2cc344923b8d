"""Employer arrears month by month: dues, FIFO settlement, lateness and the monthly statement.

Owns the ``employer_arrears`` mart (one row per employer and month, from the employer's first
contribution month or payment to the reference date):

* **dues** of the contribution month from the ledger, split by scheme for VSS form C12-TS
  (the ledger's ``due_bhxh`` holds the occupational-accident fund; its share is split off with
  the rates in force that month, half-up to the dong);
* **FIFO settlement** at the reference date: every payment up to the reference date settles the
  oldest dues first, so with ``P`` the employer's payments and ``cumdue`` its cumulative dues
  in period order, ``paid(m) = clamp(P − cumdue(m−1), 0, due(m))`` and
  ``arrears(m) = due(m) − paid(m)``;
* **lateness** under Law 41/2024: the deadline of month ``m`` is the last day of month
  ``m+1``; an amount still unpaid after it is late from the next day; still unpaid
  ``days_to_evasion`` (60) days after the deadline it is evasion;
* **the monthly statement** (calendar month ``M``): opening balance, dues of month ``M``, paid in
  ``M``, interest accrued in ``M`` (from ``compliance_interest``), closing balance
  ``Σ dues + Σ interest − Σ paid`` (negative = credit carried forward), and the late amount at
  the end of ``M`` — what the monthly notice (C12-TS) prints.

Nothing here reads files; every function takes and returns Ibis tables.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.compliance.interest import interest_by_month, late_segments
from baophu.engine.compliance.params import (
    as_int,
    first_day,
    month_first_day,
    month_index,
    month_last_day,
    month_offsets,
    occupational_split,
)
from baophu.rules import Rules

LEDGER_COLUMNS = (
    "employer_code",
    "period",
    "declared_headcount",
    "declared_wage_bill",
    "due_bhxh",
    "due_bhyt",
    "due_bhtn",
    "due_total",
)


def ledger_until(ledger: Table, reference_date: dt.date) -> Table:
    """Contribution months up to the reference date, canonical columns only."""
    return ledger.filter(ledger.period <= reference_date).select(*LEDGER_COLUMNS)


def payments_until(payments: Table, reference_date: dt.date) -> Table:
    """Payments received up to the reference date (nothing after it counts)."""
    return payments.filter(payments.payment_date <= reference_date).select(
        "employer_code", "payment_date", "amount"
    )


def employer_months(ledger: Table, payments: Table, months: list[dt.date]) -> Table:
    """Every month from each employer's first contribution month (or first payment, if
    earlier) to the last month of ``months`` (the reference month)."""
    starts = ledger.select("employer_code", first=ledger.period).union(
        payments.select("employer_code", first=first_day(payments.payment_date))
    )
    firsts = starts.group_by("employer_code").aggregate(first_month=starts.first.min())
    grid = firsts.select("employer_code", "first_month", offset=month_offsets(len(months)).unnest())
    base = months[0].year * 12 + months[0].month - 1
    index = (grid.offset + base).cast("int64")
    grid = grid.mutate(month=month_first_day(index), month_end=month_last_day(index))
    grid = grid.filter(grid.month >= grid.first_month)
    return grid.select("employer_code", "month", "month_end")


def _with_interest(
    g: Table,
    grid: Table,
    ledger: Table,
    payments: Table,
    reference_date: dt.date,
    rules: Rules | None,
) -> Table:
    """``g`` with ``interest_in_month`` and ``cum_interest``: interest is computed only for
    the employers ever late (late balance > 0 on some day up to the reference date)."""
    ever_late = g.filter(
        (g.cum_due - g.due_total > g.cum_paid) & (g.month_end < reference_date)
    ).select("employer_code")
    late = ever_late.distinct()
    late_grid = grid.semi_join(late, "employer_code")
    interest = interest_by_month(
        late_segments(
            late_grid,
            ledger.semi_join(late, "employer_code"),
            payments.semi_join(late, "employer_code"),
            reference_date,
            rules,
        )
    )
    m = late_grid.left_join(interest, ["employer_code", "month"]).drop(
        "employer_code_right", "month_right"
    )
    m = m.mutate(interest=m.interest.fill_null(0))
    running = ibis.window(group_by="employer_code", order_by="month", preceding=None, following=0)
    m = m.select(
        "employer_code",
        "month",
        interest_in_month=m.interest,
        cum_interest=as_int(m.interest.sum().over(running)),
    )
    out = g.left_join(m, ["employer_code", "month"]).drop("employer_code_right", "month_right")
    return out.mutate(
        interest_in_month=out.interest_in_month.fill_null(0),
        cum_interest=out.cum_interest.fill_null(0),
    )


STATEMENT_COLUMNS = (
    "employer_code",
    "month",
    "month_index",
    "month_end",
    "has_ledger",
    "declared_headcount",
    "declared_wage_bill",
    "due_bhxh",
    "due_bhxh_funds",
    "due_bhtnld",
    "due_bhyt",
    "due_bhtn",
    "due_total",
    "paid_allocated",
    "arrears",
    "deadline",
    "is_late",
    "late_since",
    "days_late",
    "is_evasion",
    "opening_balance",
    "paid_in_month",
    "payments_in_month",
    "interest_in_month",
    "adjustments",
    "closing_balance",
    "late_amount_end",
    "cum_due",
    "cum_paid",
    "cum_interest",
    "next_due_bhxh_funds",
    "next_due_bhtnld",
    "next_due_bhyt",
    "next_due_bhtn",
    "next_due_total",
    "next_due_estimated",
)


def monthly_statement(
    grid: Table,
    ledger: Table,
    payments: Table,
    months: list[dt.date],
    reference_date: dt.date,
    evasion_days: int | None,
    rules: Rules | None = None,
) -> Table:
    """The ``employer_arrears`` rows: one per employer and month of ``grid``
    (``STATEMENT_COLUMNS``), built in the steps the module docstring names.

    ``months`` are the months of ``grid`` (for the occupational split and the rates by
    date).  Interest is computed (``compliance_interest``) only for the employers that were
    ever late: those with, at some month end ``M`` before the reference date, dues up to
    ``M−1`` (whose deadline is that day) above the payments made by then.
    """
    g = dues_and_payments(grid, ledger, payments)
    g = with_occupational_split(g, months, rules)
    g = with_running_totals(g)
    g = _with_interest(g, grid, ledger, payments, reference_date, rules)
    g = with_next_month_due(g)
    g = with_balances(g)
    g = with_lateness(g, reference_date, evasion_days)
    return g.select(*STATEMENT_COLUMNS)


def dues_and_payments(grid: Table, ledger: Table, payments: Table) -> Table:
    """Each month of ``grid`` with the ledger's dues (0 where the ledger has no row,
    ``has_ledger`` false) and the payments received in the month."""
    paid = payments.group_by("employer_code", month=first_day(payments.payment_date)).aggregate(
        paid_in_month=as_int(payments.amount.sum()), payments_in_month=payments.count()
    )
    led = ledger.rename(month="period")
    g = grid.left_join(led, ["employer_code", "month"]).drop("employer_code_right", "month_right")
    g = g.left_join(paid, ["employer_code", "month"]).drop("employer_code_right", "month_right")
    return g.mutate(
        has_ledger=g.due_total.notnull(),
        declared_headcount=g.declared_headcount,
        declared_wage_bill=g.declared_wage_bill,
        due_bhxh=g.due_bhxh.fill_null(0),
        due_bhyt=g.due_bhyt.fill_null(0),
        due_bhtn=g.due_bhtn.fill_null(0),
        due_total=g.due_total.fill_null(0),
        paid_in_month=g.paid_in_month.fill_null(0),
        payments_in_month=g.payments_in_month.fill_null(0),
        month_index=month_index(g.month),
    )


def with_occupational_split(g: Table, months: list[dt.date], rules: Rules | None) -> Table:
    """``due_bhtnld``: the occupational-accident fund's part of ``due_bhxh`` with the rates
    of the month, half-up to the dong; ``due_bhxh_funds`` the rest."""
    occ_num, bhxh_num = occupational_split(g.month, months, rules)
    g = g.mutate(occ_num=occ_num, bhxh_num=bhxh_num)
    occ = ibis.ifelse(
        g.bhxh_num.fill_null(0) > 0,
        (g.due_bhxh * g.occ_num * 2 + g.bhxh_num) // (g.bhxh_num * 2),
        0,
    ).cast("int64")
    g = g.mutate(due_bhtnld=occ).drop("occ_num", "bhxh_num")
    return g.mutate(due_bhxh_funds=g.due_bhxh - g.due_bhtnld)


def with_running_totals(g: Table) -> Table:
    """Cumulative dues and payments, all payments to the reference date, next month's dues
    and ``cum_due_two_back`` (dues up to month M−2, without a second window pass)."""
    running = ibis.window(group_by="employer_code", order_by="month", preceding=None, following=0)
    ordered = ibis.window(group_by="employer_code", order_by="month")
    whole = ibis.window(group_by="employer_code")
    g = g.mutate(
        cum_due=as_int(g.due_total.sum().over(running)),
        cum_paid=as_int(g.paid_in_month.sum().over(running)),
        paid_at_reference=as_int(g.paid_in_month.sum().over(whole)),
        next_due_bhxh_funds=g.due_bhxh_funds.lead(1).over(ordered),
        next_due_bhtnld=g.due_bhtnld.lead(1).over(ordered),
        next_due_bhyt=g.due_bhyt.lead(1).over(ordered),
        next_due_bhtn=g.due_bhtn.lead(1).over(ordered),
        next_due_total=g.due_total.lead(1).over(ordered),
        next_has_ledger=g.has_ledger.lead(1).over(ordered),
        prev_due=g.due_total.lag(1).over(ordered),
    )
    return g.mutate(cum_due_two_back=g.cum_due - g.due_total - g.prev_due.fill_null(0))


def with_next_month_due(g: Table) -> Table:
    """ "This month's amount due": next month's dues where the ledger has them, else this
    month's (the amount the employer is expected to pay again)."""
    has_next = g.next_has_ledger.fill_null(False)
    return g.mutate(
        next_due_estimated=~has_next,
        next_due_bhxh_funds=ibis.ifelse(has_next, g.next_due_bhxh_funds, g.due_bhxh_funds),
        next_due_bhtnld=ibis.ifelse(has_next, g.next_due_bhtnld, g.due_bhtnld),
        next_due_bhyt=ibis.ifelse(has_next, g.next_due_bhyt, g.due_bhyt),
        next_due_bhtn=ibis.ifelse(has_next, g.next_due_bhtn, g.due_bhtn),
        next_due_total=ibis.ifelse(has_next, g.next_due_total, g.due_total),
    )


def with_balances(g: Table) -> Table:
    """Opening and closing balance, the late amount at the month's end, the deadline, and
    the FIFO settlement: payments up to the reference date settle the oldest dues first."""
    closing = g.cum_due + g.cum_interest - g.cum_paid
    settled = ibis.greatest(
        ibis.least(g.paid_at_reference - (g.cum_due - g.due_total), g.due_total), 0
    )
    g = g.mutate(
        opening_balance=closing - g.due_total - g.interest_in_month + g.paid_in_month,
        adjustments=as_int(ibis.literal(0, "int64")),
        closing_balance=closing,
        # dues of months m ≤ M−2 are past their deadline at the end of month M (and at any
        # reference date inside M): their unpaid part is the late amount
        late_amount_end=ibis.greatest(g.cum_due_two_back - g.cum_paid, 0),
        deadline=month_last_day(g.month_index + 1),
        paid_allocated=settled.cast("int64"),
    )
    return g.mutate(arrears=g.due_total - g.paid_allocated)


def with_lateness(g: Table, reference_date: dt.date, evasion_days: int | None) -> Table:
    """Whether the month's unpaid dues are late at the reference date, since when, for how
    many days, and whether that is evasion (``evasion_days`` after the deadline; never
    before the law that defines it)."""
    reference = ibis.literal(reference_date, "date")
    is_late = (g.arrears > 0) & (g.deadline < reference)
    days_late = ibis.ifelse(is_late, reference.delta(g.deadline, unit="day"), ibis.null("int64"))
    evasion = ibis.literal(False) if evasion_days is None else is_late & (days_late >= evasion_days)
    return g.mutate(
        is_late=is_late,
        late_since=ibis.ifelse(is_late, month_first_day(g.month_index + 2), ibis.null("date")),
        days_late=days_late.cast("int64"),
        is_evasion=evasion,
    )
