"""Interest on late contributions, accrued day by day and summed per employer and month.

Owns the interest computation of Law 41/2024 Art. 40 (0.03 % per day on the late amount for
each day late; the rate is read by date from the parameter file):

* The **late balance** of an employer on day ``t`` is what is still unpaid of the months whose
  deadline has passed: with payments settling the oldest dues first (FIFO) this is
  ``L(t) = max(0, Σ dues of months with deadline < t − Σ payments made before t)``.
* ``L`` only changes on a deadline (the day after it, an amount turns late) or on a payment
  (the day after it, the balance is lower — the payment day itself is still a day late, so
  an amount due on the 31st and paid on the 1st is one day late). The engine builds, per
  employer, the sorted breakpoints {deadlines, payment dates, month ends, the day before each
  change of the daily rate, the reference date}; between two breakpoints ``(s, e]`` the
  balance and the rate are constant and the interest is ``L × (e − s) × rate``.
* Month ends are breakpoints so that each segment lies in one calendar month: the interest
  of a month is the sum of its segments, computed exactly in integers (rate numerators over
  ``RATE_SCALE``) and rounded half-up to the whole dong once per employer and month — the
  amount the monthly notice shows (the parameter file's rule: round once, at the finest level
  shown); totals are sums of monthly amounts.
* Interest is charged on contributions only, never on interest.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.compliance.params import (
    RATE_SCALE,
    as_int,
    daily_rate_num,
    date_list,
    first_day,
    month_index,
    rate_change_days,
)
from baophu.rules import Rules

_EVENT_SCHEMA = {"employer_code": "string", "day": "date", "paid": "int64", "late_due": "int64"}


def _events(
    grid: Table, ledger: Table, payments: Table, reference_date: dt.date, rules: Rules | None
) -> Table:
    zero = ibis.literal(0, "int64")
    # one event per employer and month end: the month end of M is the deadline of M−1, whose
    # dues turn late the next day (a month without dues still splits the segments by month)
    previous = ledger.select(
        due_employer=ledger.employer_code,
        due_index=(month_index(ledger.period) + 1).cast("int64"),
        late_due=ledger.due_total.cast("int64"),
    )
    g = grid.mutate(index=month_index(grid.month))
    ends = g.left_join(
        previous,
        [g.employer_code == previous.due_employer, g.index == previous.due_index],
    )
    month_ends = ends.select(
        "employer_code", day=ends.month_end, paid=zero, late_due=ends.late_due.fill_null(0)
    )
    paid = payments.select(
        "employer_code",
        day=payments.payment_date,
        paid=payments.amount.cast("int64"),
        late_due=zero,
    )
    employers = grid.group_by("employer_code").aggregate(first=grid.month.min())
    reference = employers.select(
        "employer_code", day=ibis.literal(reference_date, "date"), paid=zero, late_due=zero
    )
    parts = [month_ends, paid, reference]
    changes = [d for d in rate_change_days(rules) if d < reference_date]
    if changes:
        crossed = employers.select("employer_code", "first", change_day=date_list(changes).unnest())
        parts.append(
            crossed.filter(crossed.change_day >= crossed.first).select(
                "employer_code", day=crossed.change_day, paid=zero, late_due=zero
            )
        )
    events = ibis.union(*[p.cast(_EVENT_SCHEMA) for p in parts])
    # events on the same day are not merged (grouping would cost a pass over every event):
    # the running sums use a RANGE frame, so every event of a day carries the sums of the
    # whole day, and the segment between two events of one day lasts 0 days
    return events.filter(events.day <= reference_date)


def late_segments(
    grid: Table,
    ledger: Table,
    payments: Table,
    reference_date: dt.date,
    rules: Rules | None = None,
) -> Table:
    """Segments ``(start, end]`` of constant late balance and rate, with a positive balance:
    ``employer_code, start, end, late_balance, days, rate_num, month`` (month of the days)."""
    events = _events(grid, ledger, payments, reference_date, rules)
    running = ibis.range_window(
        group_by="employer_code", order_by="day", preceding=None, following=0
    )
    ordered = ibis.window(group_by="employer_code", order_by="day")
    seg = events.mutate(
        paid_before=as_int(events.paid.sum().over(running)),
        late_due_before=as_int(events.late_due.sum().over(running)),
        end=events.day.lead(1).over(ordered),
    )
    seg = seg.filter(seg.end.notnull())
    seg = seg.mutate(
        late_balance=ibis.greatest(seg.late_due_before - seg.paid_before, 0).cast("int64"),
        days=seg.end.delta(seg.day, unit="day").cast("int64"),
        rate_num=daily_rate_num(seg.day, rules, day_after=True),
        month=first_day(seg.end),
    )
    seg = seg.filter((seg.late_balance > 0) & (seg.days > 0))
    return seg.select(
        "employer_code",
        start=seg.day,
        end=seg.end,
        late_balance=seg.late_balance,
        days=seg.days,
        rate_num=seg.rate_num,
        month=seg.month,
    )


def interest_by_month(segments: Table) -> Table:
    """Whole-VND interest per employer and calendar month (half-up, once per month):
    ``employer_code, month, interest, late_vnd_days``."""
    weighted = segments.mutate(
        num=segments.late_balance * segments.days * segments.rate_num,
        vnd_days=segments.late_balance * segments.days,
    )
    monthly = weighted.group_by("employer_code", "month").aggregate(
        num=as_int(weighted.num.sum()), late_vnd_days=as_int(weighted.vnd_days.sum())
    )
    return monthly.select(
        "employer_code",
        "month",
        interest=((monthly.num + RATE_SCALE // 2) // RATE_SCALE).cast("int64"),
        late_vnd_days=monthly.late_vnd_days.cast("int64"),
    )
