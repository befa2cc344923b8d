"""State-budget arrears: what each paying department owes for each BHYT group it funds.

Owns the ``budget_arrears`` mart: one row per department (Finance, Home Affairs, Health),
participant group and month (``level = 'month'``) and the same per quarter
(``level = 'quarter'``), from ``budget_obligations`` up to the reference date:

* ``amount_paid`` counts only transfers made on or before the reference date (a transfer
  without a date counts: the source did not say when);
* ``outstanding = amount_due − amount_paid`` (negative = paid ahead);
* the deadline of a month is the last day of its quarter — the budget transfers BHYT money
  quarterly at the latest (our reading; seed 004 §2.2 b asks the departments for monthly
  transfers) — so ``overdue_amount`` is the outstanding part of months whose quarter ended
  before the reference date, and ``paid_late`` marks transfers made after the deadline;
* ``cumulative_outstanding`` runs over the months (or quarters) of each department and group.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.compliance.params import as_int, month_last_day
from baophu.engine.text import label_or_code

DEPARTMENT_VI = {
    "finance": "Sở Tài chính",
    "home_affairs": "Sở Nội vụ",
    "health": "Sở Y tế",
}
GROUP_VI = {
    "child_under_6": "Trẻ em dưới 6 tuổi",
    "poor": "Người thuộc hộ nghèo",
    "ethnic_minority_hardship": "Người DTTS vùng khó khăn",
    "meritorious": "Người có công với cách mạng",
    "social_protection": "Đối tượng bảo trợ xã hội",
    "social_pension": "Người hưởng trợ cấp hưu trí xã hội",
    "survivor_allowance": "Người hưởng trợ cấp tuất hằng tháng",
    "near_poor": "Người thuộc hộ cận nghèo",
    "student": "Học sinh, sinh viên",
    "farming_average": "Hộ nông lâm ngư diêm nghiệp có mức sống trung bình",
    "pensioner": "Người hưởng lương hưu, trợ cấp BHXH",
    "unemployment_benefit": "Người hưởng trợ cấp thất nghiệp",
    "household": "Hộ gia đình",
    "employee": "Người lao động",
    "voluntary": "BHXH tự nguyện",
    "other": "Khác",
}


def budget_arrears(obligations: Table, reference_date: dt.date) -> Table:
    """Month and quarter rows of what each department owes (``budget_obligations`` in)."""
    reference = ibis.literal(reference_date, "date")
    o = obligations.filter(obligations.period <= reference_date)
    counted = o.paid_date.isnull() | (o.paid_date <= reference)
    o = o.mutate(
        amount_paid=ibis.ifelse(counted, o.amount_paid, 0).cast("int64"),
        paid_date=ibis.ifelse(counted, o.paid_date, ibis.null("date")),
        quarter=o.period.year().cast("string") + "-Q" + o.period.quarter().cast("string"),
        deadline=month_last_day((o.period.year() * 12 + o.period.quarter() * 3 - 1).cast("int64")),
    )
    o = o.mutate(outstanding=o.amount_due - o.amount_paid)
    overdue = (o.deadline < reference) & (o.outstanding > 0)
    o = o.mutate(
        overdue_amount=ibis.ifelse(overdue, o.outstanding, 0).cast("int64"),
        paid_late=o.paid_date.notnull() & (o.paid_date > o.deadline),
    )
    months = o.select(
        "department",
        "participant_group",
        level=ibis.literal("month"),
        period=o.period,
        quarter=o.quarter,
        deadline=o.deadline,
        persons=o.persons,
        amount_due=o.amount_due,
        amount_paid=o.amount_paid,
        outstanding=o.outstanding,
        overdue_amount=o.overdue_amount,
        paid_late=o.paid_late.cast("int64"),
        last_paid_date=o.paid_date,
    )
    q = o.group_by("department", "participant_group", "quarter").aggregate(
        period=o.period.min(),
        deadline=o.deadline.max(),
        persons=o.persons.mean().round(0).cast("int64"),
        amount_due=as_int(o.amount_due.sum()),
        amount_paid=as_int(o.amount_paid.sum()),
        outstanding=as_int(o.outstanding.sum()),
        overdue_amount=as_int(o.overdue_amount.sum()),
        paid_late=as_int(o.paid_late.cast("int64").sum()),
        last_paid_date=o.paid_date.max(),
    )
    quarters = q.select(
        "department",
        "participant_group",
        level=ibis.literal("quarter"),
        period=q.period,
        quarter=q.quarter,
        deadline=q.deadline,
        persons=q.persons,
        amount_due=q.amount_due,
        amount_paid=q.amount_paid,
        outstanding=q.outstanding,
        overdue_amount=q.overdue_amount,
        paid_late=q.paid_late,
        last_paid_date=q.last_paid_date,
    )
    u = ibis.union(months, quarters)
    running = ibis.window(
        group_by=[u.department, u.participant_group, u.level],
        order_by=u.period,
        preceding=None,
        following=0,
    )
    u = u.mutate(
        cumulative_outstanding=as_int(u.outstanding.sum().over(running)),
        department_name=label_or_code(u.department, DEPARTMENT_VI),
        group_name=label_or_code(u.participant_group, GROUP_VI),
    )
    return u.select(
        "level",
        "department",
        "department_name",
        "participant_group",
        "group_name",
        "period",
        "quarter",
        "deadline",
        "persons",
        "amount_due",
        "amount_paid",
        "outstanding",
        "overdue_amount",
        "cumulative_outstanding",
        "paid_late",
        "last_paid_date",
    )
