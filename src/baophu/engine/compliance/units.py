"""Arrears rolled up to the units that answer for them, at the reference date and by month.

Owns the ``arrears_by_unit`` and ``arrears_trend`` marts.  Both have one row per
``dimension`` (``province``, ``office`` — the grassroots social-insurance office, ``officer`` —
the case officer, ``commune``, ``ownership``) and unit; the trend adds the month.

The arrears ratio is the late amount over the amount due of the year to date (the
contribution months of the reference year up to the reference date) — "tỷ lệ số tiền chậm
đóng trên số phải thu", held against the 2.55 % ceiling of seed 004.  The late amount at the
end of month ``M`` is what is unpaid of the months ``m ≤ M−2`` (their deadline, the last day
of ``m+1``, has passed); the number of months late counts those months with anything unpaid.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.compliance.params import as_int

OWNERSHIP_VI = {
    "fdi": "Doanh nghiệp có vốn đầu tư nước ngoài",
    "private": "Doanh nghiệp ngoài nhà nước",
    "state": "Doanh nghiệp nhà nước",
    "household_business": "Hộ kinh doanh",
    "cooperative": "Hợp tác xã",
}
DIMENSIONS = ("province", "office", "officer", "commune", "ownership")


def ownership_label(code: ibis.Value) -> ibis.Value:
    return ibis.cases(*[(code == k, v) for k, v in OWNERSHIP_VI.items()], else_=code)


def unit_keys(t: Table, dimension: str) -> dict[str, ibis.Value]:
    """``unit_code`` and ``unit_name`` of ``dimension`` for rows carrying directory columns."""
    if dimension == "province":
        return {"unit_code": t.province_code, "unit_name": t.province_name}
    if dimension == "office":
        return {"unit_code": t.office_code, "unit_name": t.office_name}
    if dimension == "officer":
        return {"unit_code": t.officer_code, "unit_name": t.officer_name}
    if dimension == "commune":
        return {"unit_code": t.commune_code, "unit_name": t.commune_name}
    return {"unit_code": t.ownership, "unit_name": ownership_label(t.ownership)}


def _ratio(late: ibis.Value, due: ibis.Value) -> ibis.Value:
    return ibis.ifelse(due > 0, late.cast("float64") / due.cast("float64"), ibis.null("float64"))


def arrears_by_unit(balance: Table) -> Table:
    """Arrears at the reference date per dimension and unit (``employer_balance`` in)."""
    parts = []
    for dim in DIMENSIONS:
        keys = unit_keys(balance, dim)
        b = balance.mutate(**keys)
        agg = b.group_by("unit_code", "unit_name").aggregate(
            employers=b.count(),
            employers_late=as_int(b.is_late.cast("int64").sum()),
            employers_late_3plus=as_int(b.late_3plus.cast("int64").sum()),
            employers_evasion=as_int(b.evasion_flag.cast("int64").sum()),
            due_ytd=as_int(b.due_ytd.sum()),
            due_total=as_int(b.due_total.sum()),
            paid_total=as_int(b.paid_total.sum()),
            late_amount=as_int(b.late_amount.sum()),
            late_3plus_amount=as_int(b.late_amount.sum(where=b.late_3plus)),
            evasion_amount=as_int(b.evasion_amount.sum()),
            interest_total=as_int(b.interest_total.sum()),
            interest_outstanding=as_int(b.interest_outstanding.sum()),
            credit=as_int(b.credit.sum()),
        )
        parts.append(agg.mutate(dimension=ibis.literal(dim)))
    u = ibis.union(*parts)
    u = u.mutate(
        late_3plus_amount=u.late_3plus_amount.fill_null(0),
        arrears_ratio=_ratio(u.late_amount, u.due_ytd),
    )
    return u.select(
        "dimension",
        "unit_code",
        "unit_name",
        "employers",
        "employers_late",
        "employers_late_3plus",
        "employers_evasion",
        "due_ytd",
        "due_total",
        "paid_total",
        "late_amount",
        "late_3plus_amount",
        "evasion_amount",
        "interest_total",
        "interest_outstanding",
        "credit",
        "arrears_ratio",
    )


def months_late_by_month(arrears: Table) -> Table:
    """Per employer and month ``M``: how many contribution months are late and unpaid at the
    end of ``M`` (``m ≤ M−2`` with ``cumdue(m) > cumpaid(M)`` and a due in ``m``)."""
    # only month ends with something late can have late months
    late = arrears.filter(arrears.late_amount_end > 0)
    at = late.select("employer_code", "month", "month_index", "cum_paid")
    owed = arrears.filter(arrears.due_total > 0).select(
        owed_employer=arrears.employer_code,
        owed_index=arrears.month_index,
        owed_cum_due=arrears.cum_due,
    )
    pairs = at.join(
        owed,
        [
            at.employer_code == owed.owed_employer,
            owed.owed_index <= at.month_index - 2,
            owed.owed_cum_due > at.cum_paid,
        ],
    )
    return pairs.group_by("employer_code", "month").aggregate(months_late_end=pairs.count())


def arrears_trend(arrears: Table, balance: Table, long_months: int = 3) -> Table:
    """Month by month, per dimension and unit: dues, payments, interest, late amount at the end
    of the month, employers late and late 3+ months, year-to-date dues and the ratio."""
    late_months = months_late_by_month(arrears)
    a = arrears.select(
        "employer_code",
        "month",
        "due_total",
        "paid_in_month",
        "interest_in_month",
        "late_amount_end",
    )
    a = a.left_join(late_months, ["employer_code", "month"]).drop(
        "employer_code_right", "month_right"
    )
    a = a.mutate(months_late_end=a.months_late_end.fill_null(0))
    dims = balance.select(
        "employer_code",
        "province_code",
        "province_name",
        "office_code",
        "office_name",
        "officer_code",
        "officer_name",
        "commune_code",
        "commune_name",
        "ownership",
    )
    a = a.left_join(dims, "employer_code").drop("employer_code_right")
    parts = []
    for dim in DIMENSIONS:
        t = a.mutate(**unit_keys(a, dim))
        agg = t.group_by("unit_code", "unit_name", "month").aggregate(
            due=as_int(t.due_total.sum()),
            paid=as_int(t.paid_in_month.sum()),
            interest=as_int(t.interest_in_month.sum()),
            late_amount=as_int(t.late_amount_end.sum()),
            employers_late=as_int((t.late_amount_end > 0).cast("int64").sum()),
            employers_late_3plus=as_int((t.months_late_end >= long_months).cast("int64").sum()),
            late_3plus_amount=as_int(t.late_amount_end.sum(where=t.months_late_end >= long_months)),
        )
        parts.append(agg.mutate(dimension=ibis.literal(dim)))
    u = ibis.union(*parts)
    ytd = ibis.window(
        group_by=[u.dimension, u.unit_code, u.month.year()],
        order_by=u.month,
        preceding=None,
        following=0,
    )
    u = u.mutate(
        late_3plus_amount=u.late_3plus_amount.fill_null(0), due_ytd=as_int(u.due.sum().over(ytd))
    )
    u = u.mutate(arrears_ratio=_ratio(u.late_amount, u.due_ytd))
    return u.select(
        "dimension",
        "unit_code",
        "unit_name",
        "month",
        "due",
        "paid",
        "interest",
        "late_amount",
        "late_3plus_amount",
        "employers_late",
        "employers_late_3plus",
        "due_ytd",
        "arrears_ratio",
    )
