"""Each employer's position at the reference date, and who it belongs to.

Owns the ``employer_balance`` mart: one row per employer with dues, payments and interest to
the reference date, the balance (``dues + interest − payments``; negative = credit carried
forward), the contributions still unpaid, the late amount (unpaid months past their
deadline), the number of months late, the day the oldest late amount became late, the
amount that is evasion under Law 41/2024 (unpaid ``days_to_evasion`` days after the
deadline), the late-3+-months flag, and the employer's commune, grassroots office and case
officer (names included, so lists and notices need no further joins).

Payments settle contributions first (oldest month first, FIFO); what is left over settles
interest, then stays as a credit: so ``interest_outstanding = clamp(balance, 0, interest)``.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.compliance.params import as_int

# Where an employer stands in the directory after its name: its ownership, commune, office
# and case officer (the columns the evasion scores carry too).
DIRECTORY_COLUMNS = (
    "ownership",
    "commune_code",
    "commune_name",
    "office_code",
    "office_name",
    "officer_code",
    "officer_name",
)
# Who an employer is, as every list names it (the directory columns of the mart).
EMPLOYER_COLUMNS = ("employer_code", "tax_code", "employer_name", "address", *DIRECTORY_COLUMNS)


def employer_directory(employers: Table, units: Table, officers: Table) -> Table:
    """Employers with their commune, office (the commune's parent) and case officer names."""
    communes = units.filter(units.level == "commune").select(
        commune_code=units.unit_code,
        commune_name=units.unit_name,
        office_code=units.parent_code,
        province_code=units.province_code,
    )
    provinces = units.filter(units.level == "province").select(
        province_code=units.unit_code, province_name=units.unit_name
    )
    offices = units.filter(units.level == "office").select(
        office_code=units.unit_code, office_name=units.unit_name
    )
    people = officers.select(
        officer_code=officers.officer_code,
        officer_name=officers.full_name,
        officer_office_code=officers.office_code,
    )
    e = employers.select(
        "employer_code",
        "tax_code",
        "employer_name",
        "ownership",
        "commune_code",
        "officer_code",
        "wage_region",
        "registered_date",
        "address",
    )
    d = e.left_join(communes, "commune_code").drop("commune_code_right")
    d = d.left_join(offices, "office_code").drop("office_code_right")
    d = d.left_join(people, "officer_code").drop("officer_code_right")
    d = d.left_join(provinces, "province_code").drop("province_code_right")
    # an employer whose commune is unknown to the units table still belongs to its officer's
    # office
    return d.mutate(office_code=d.office_code.coalesce(d.officer_office_code)).drop(
        "officer_office_code"
    )


def employer_balance(
    arrears: Table, directory: Table, reference_date: dt.date, long_months: int = 3
) -> Table:
    """One row per employer of ``arrears`` (the ``employer_arrears`` mart) at the reference
    date, with its directory columns."""
    year = reference_date.year
    a = arrears
    agg = a.group_by("employer_code").aggregate(
        first_month=a.month.min(),
        months=as_int(a.has_ledger.cast("int64").sum()),
        due_total=as_int(a.due_total.sum()),
        due_ytd=as_int(a.due_total.sum(where=a.month.year() == year)),
        paid_total=as_int(a.paid_in_month.sum()),
        interest_total=as_int(a.interest_in_month.sum()),
        arrears=as_int(a.arrears.sum()),
        late_amount=as_int(a.arrears.sum(where=a.is_late)),
        months_late=as_int(a.is_late.cast("int64").sum()),
        oldest_late_month=a.month.min(where=a.is_late),
        late_since=a.late_since.min(),
        days_late=a.days_late.max(),
        evasion_amount=as_int(a.arrears.sum(where=a.is_evasion)),
        evasion_months=as_int(a.is_evasion.cast("int64").sum()),
        last_ledger_month=a.month.max(where=a.has_ledger),
        declared_headcount=a.declared_headcount.argmax(a.month, where=a.has_ledger),
        declared_wage_bill=a.declared_wage_bill.argmax(a.month, where=a.has_ledger),
        last_month_due=a.due_total.argmax(a.month, where=a.has_ledger),
    )
    balance = agg.due_total + agg.interest_total - agg.paid_total
    b = agg.mutate(
        late_amount=agg.late_amount.fill_null(0),
        evasion_amount=agg.evasion_amount.fill_null(0),
        due_ytd=agg.due_ytd.fill_null(0),
        balance=balance,
        credit=ibis.greatest(-balance, 0),
        interest_outstanding=ibis.greatest(ibis.least(balance, agg.interest_total), 0),
    )
    b = b.mutate(
        is_late=b.late_amount > 0,
        late_3plus=b.months_late >= long_months,
        evasion_flag=b.evasion_amount > 0,
        reference_date=ibis.literal(reference_date, "date"),
    )
    out = b.left_join(directory, "employer_code").drop("employer_code_right")
    return out.select(
        *EMPLOYER_COLUMNS,
        "province_code",
        "province_name",
        "wage_region",
        "reference_date",
        "first_month",
        "last_ledger_month",
        "months",
        "declared_headcount",
        "declared_wage_bill",
        "last_month_due",
        "due_total",
        "due_ytd",
        "paid_total",
        "interest_total",
        "balance",
        "credit",
        "arrears",
        "late_amount",
        "months_late",
        "oldest_late_month",
        "late_since",
        "days_late",
        "is_late",
        "late_3plus",
        "evasion_amount",
        "evasion_months",
        "evasion_flag",
        "interest_outstanding",
    )
