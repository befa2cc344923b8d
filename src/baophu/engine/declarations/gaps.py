"""What an employer declares on its D02-LT labour report against what it pays for and what
its tax settlement says: ``declared_workforce_gaps``, one row per employer and month reported.

* ``declared_headcount`` — workers listed on the D02-LT for the month;
* ``declared_wage_fund`` — the sum of their contribution wages: wage + position allowance
  + wage allowance + additional pay + wage × (seniority over frame % + job seniority %) / 100,
  rounded to the đồng;
* ``ledger_headcount`` / ``ledger_wage_fund`` — the contribution ledger's declared headcount
  and wage bill for the same month (null when the ledger has no row: nobody was paid for);
* ``headcount_gap`` = declared − ledger headcount, ``wage_fund_gap`` = declared − ledger wage
  fund (a missing ledger row counts as 0): positive when the employer lists more workers or
  wages than it contributes on — the under-declaration the evasion signals look for;
* ``tax_year``, ``tax_headcount``, ``tax_monthly_payroll`` (settled payroll fund / 12) — the
  latest settled tax year not after the month's year, by the employer's tax code, and
  ``tax_headcount_gap`` = tax − ledger headcount.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

MART_GAPS = "declared_workforce_gaps"


def contribution_wage(t: Table) -> ibis.Value:
    wage = t.wage.cast("int64")
    pct = t.seniority_over_frame_pct.fill_null(0.0) + t.seniority_job_pct.fill_null(0.0)
    seniority = (wage.cast("float64") * pct / 100.0).round().cast("int64")
    return (
        wage
        + t.allowance_position.fill_null(0)
        + t.allowance_wage.fill_null(0)
        + t.additional_pay.fill_null(0)
        + seniority
    )


def workforce_gaps(declared: Table, ledger: Table, employers: Table, tax: Table) -> Table:
    d = declared.mutate(_wage=contribution_wage(declared))
    d = d.group_by(["employer_code", "period"]).aggregate(
        declared_headcount=d.count().cast("int64"),
        declared_wage_fund=d._wage.sum().cast("int64"),
    )
    led = ledger.select(
        l_employer=ledger.employer_code,
        l_period=ledger.period,
        ledger_headcount=ledger.declared_headcount.cast("int64"),
        ledger_wage_fund=ledger.declared_wage_bill.cast("int64"),
    )
    j = d.left_join(led, (d.employer_code == led.l_employer) & (d.period == led.l_period))
    j = j.select(
        "employer_code",
        "period",
        "declared_headcount",
        "declared_wage_fund",
        "ledger_headcount",
        "ledger_wage_fund",
    )
    codes = employers.select(e_code=employers.employer_code, tax_code=employers.tax_code)
    years = tax.select(t_code=tax.tax_code, t_year=tax.year.cast("int64"))
    keyed = j.inner_join(codes, j.employer_code == codes.e_code).select(
        "employer_code", "period", "tax_code"
    )
    cand = keyed.inner_join(
        years,
        (keyed.tax_code == years.t_code) & (years.t_year <= keyed.period.year().cast("int64")),
    )
    latest = cand.group_by(["employer_code", "period", "tax_code"]).aggregate(
        tax_year=cand.t_year.max()
    )
    settled = tax.select(
        s_code=tax.tax_code,
        s_year=tax.year.cast("int64"),
        tax_headcount=tax.headcount.cast("int64"),
        tax_monthly_payroll=(tax.payroll_fund.cast("float64") / 12.0).round().cast("int64"),
    )
    latest = latest.inner_join(
        settled, (latest.tax_code == settled.s_code) & (latest.tax_year == settled.s_year)
    ).select(
        m_employer="employer_code",
        m_period="period",
        tax_year="tax_year",
        tax_headcount="tax_headcount",
        tax_monthly_payroll="tax_monthly_payroll",
    )
    out = j.left_join(
        latest, (j.employer_code == latest.m_employer) & (j.period == latest.m_period)
    )
    return out.select(
        "employer_code",
        "period",
        "declared_headcount",
        "ledger_headcount",
        "declared_wage_fund",
        "ledger_wage_fund",
        headcount_gap=out.declared_headcount - out.ledger_headcount.fill_null(0),
        wage_fund_gap=out.declared_wage_fund - out.ledger_wage_fund.fill_null(0),
        tax_year=out.tax_year,
        tax_headcount=out.tax_headcount,
        tax_monthly_payroll=out.tax_monthly_payroll,
        tax_headcount_gap=out.tax_headcount - out.ledger_headcount.fill_null(0),
    ).order_by(["employer_code", "period"])
