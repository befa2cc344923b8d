"""People required to participate in compulsory BHXH, estimated per employer and date.

For each employer the required workforce on a date ``D`` is the higher of

* the headcount it declared to social insurance for the ledger month of ``D`` (the latest
  contribution month on or before ``D`` present in the ledger; an employer without a row
  for that month declared nobody), and
* the average headcount of its most recent settled tax year before ``D``'s year (at most two
  years back), matched on the tax code.

Enterprises that file tax returns but never registered with social insurance count with
their tax headcount, placed in the commune the business registry gives (the province when it
gives none).  Declared workforce is a floor the employer admits; the tax headcount catches
under-declaring and unregistered enterprises (seed 003 §IV.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
from ibis.expr.types import Table

from baophu.engine.coverage.masks import dates_table

TAX_YEARS_BACK = 2


def compulsory_required(
    employers: Table,
    ledger: Table,
    tax_returns: Table,
    business_registry: Table,
    dates: Sequence[date],
    province_code: str,
) -> Table:
    """``unit_code`` (commune, or the province), ``date_index``, ``employer_key``,
    ``declared``, ``tax_headcount``, ``required`` — one row per employer (or unregistered
    enterprise) and date."""
    d = dates_table(dates)
    # the ledger month of each date: the latest period on or before it
    periods = ledger.select(period=ledger.period).distinct()
    pd = periods.cross_join(d)
    pd = pd.filter(pd.period <= pd.reference_date)
    month_of = pd.group_by("date_index").aggregate(ledger_month=pd.period.max())
    declared = ledger.join(month_of, ledger.period == month_of.ledger_month).select(
        "employer_code", "date_index", declared=ledger.declared_headcount
    )
    # the latest settled tax year before each date's year, not older than TAX_YEARS_BACK
    td = tax_returns.select("tax_code", "year", "headcount").cross_join(d)
    td = td.filter(
        (td.year < td.reference_date.year())
        & (td.year >= td.reference_date.year() - TAX_YEARS_BACK)
    )
    latest = td.group_by(["tax_code", "date_index"]).aggregate(_y=td.year.max())
    tax = td.join(
        latest,
        [td.tax_code == latest.tax_code, td.date_index == latest.date_index, td.year == latest._y],
    ).select(tax_code=td.tax_code, date_index=td.date_index, tax_headcount=td.headcount)
    tax = tax.view()

    emp = employers.select("employer_code", "tax_code", "commune_code").cross_join(d)
    j = emp.left_join(
        declared,
        [emp.employer_code == declared.employer_code, emp.date_index == declared.date_index],
    ).select(emp, declared=declared.declared)
    j = j.view()
    j = j.left_join(tax, [j.tax_code == tax.tax_code, j.date_index == tax.date_index]).select(
        j, tax_headcount=tax.tax_headcount
    )
    registered = j.select(
        unit_code=j.commune_code.fill_null(province_code),
        date_index=j.date_index,
        employer_key=j.employer_code,
        declared=j.declared.fill_null(0),
        tax_headcount=j.tax_headcount.fill_null(0),
    )

    known = employers.filter(employers.tax_code.notnull()).select(_t=employers.tax_code)
    unregistered = tax.join(known, tax.tax_code == known._t, how="anti").view()
    reg = business_registry.select(
        _rt=business_registry.tax_code, _c=business_registry.commune_code
    )
    u = unregistered.left_join(reg, unregistered.tax_code == reg._rt)
    unregistered_rows = u.select(
        unit_code=u._c.fill_null(province_code),
        date_index=u.date_index,
        employer_key=u.tax_code,
        declared=ibis.literal(0, "int64"),
        tax_headcount=u.tax_headcount.fill_null(0),
    )
    out = ibis.union(registered, unregistered_rows, distinct=False)
    return out.mutate(required=ibis.greatest(out.declared, out.tax_headcount))
