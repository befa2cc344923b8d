"""Evasion and under-declaration: every employer (and unregistered business) scored on signals.

Owns the ``evasion_scores`` mart.  Seed 003 §III.1 and §IV.5 ask social insurance and the tax
office to cross-check the headcount and payroll fund of enterprises' settled accounts, and the
business registry, against what employers declared.  Each signal has a value, points and a
Vietnamese explanation; the score is the sum of the points:

================  ==========================================================  ===========
signal            fires when                                                  points
================  ==========================================================  ===========
headcount_gap     tax headcount of the latest settled year above the average  50 / 40 / 25
                  headcount declared to social insurance that year: gap
                  ≥ 20 % and ≥ 2 people (or ≥ 10 people) / ≥ 10 % and ≥ 2
                  (or ≥ 20 % and ≥ 1) / ≥ 10 % and ≥ 1
payroll_gap       tax payroll fund ÷ declared wage bill of the same year:      40 / 25
                  ≥ 1.4 strong, ≥ 1.25 weak (bonuses outside the contribution
                  wage make up to ~15 % normal)
minimum_wage      average declared wage ≤ 1.02 × the regional minimum wage     15
                  (2+ workers): wages bunched at the floor
unregistered      in the business registry (active) or with tax, no employer   70 / 30
                  registered with social insurance: 70 with workers in the tax
                  return; 30 when active for 90+ days and the tax data is silent
headcount_drop    declared headcount fell ≥ 30 % and ≥ 3 people from its 12-   15
                  month peak, more than the compulsory spells that ended
long_arrears      months late ≥ 6 / ≥ 3 / unpaid 60+ days after a deadline     15 / 10 / 5
================  ==========================================================  ===========

An employer is flagged for inspection from ``ListCriteria.inspection_min_score`` (40): one
strong direct signal (tax or registry) is enough; indirect ones (minimum wage, drop, arrears)
only count together with others.  Entities are ranked by score, then by the estimated monthly
contributions at stake (under-declared payroll × the full contribution rate), overall and per
grassroots office.  Unregistered businesses have ``employer_code`` null.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.compliance.balance import DIRECTORY_COLUMNS
from baophu.engine.compliance.params import (
    EVASION_SIGNALS,
    EvasionPolicy,
    ListCriteria,
    as_int,
    minimum_wage,
)
from baophu.rules import Rules

SIGNALS = EVASION_SIGNALS
# the kinds of evasion whose contributions are estimated (as the synthetic truth names them)
KINDS = ("under_declared_headcount", "under_declared_wage", "unregistered")


def _num(value: ibis.Value, digits: int = 0) -> ibis.Value:
    """A number as text: integers plain, decimals with a Vietnamese decimal comma."""
    if digits == 0:
        return value.round(0).cast("int64").cast("string")
    return value.round(digits).cast("string").replace(".", ",")


def _pct(share: ibis.Value) -> ibis.Value:
    return (share * 100).round(0).cast("int64").cast("string") + "%"


def _tax_latest(tax_returns: Table, reference_date: dt.date) -> Table:
    """Each tax code's latest settled year up to the reference year."""
    t = tax_returns.filter(tax_returns.year <= reference_date.year)
    return t.group_by("tax_code").aggregate(
        tax_year=t.year.max(),
        tax_headcount=t.headcount.argmax(t.year),
        payroll_fund=t.payroll_fund.argmax(t.year),
        taxpayer_name=t.taxpayer_name.argmax(t.year),
    )


def _declared_by_year(arrears: Table) -> Table:
    a = arrears.filter(arrears.has_ledger)
    a = a.mutate(year=a.month.year().cast("int64"))
    return a.group_by("employer_code", "year").aggregate(
        ledger_months=a.count(),
        si_headcount=a.declared_headcount.mean(),
        declared_bill=as_int(a.declared_wage_bill.sum()),
    )


def _headcount_drop(arrears: Table, enrolments: Table | None, reference_date: dt.date) -> Table:
    a = arrears.filter(arrears.has_ledger)
    last = a.group_by("employer_code").aggregate(last_index=a.month_index.max())
    a = a.join(last, "employer_code")
    recent = a.filter(a.month_index >= a.last_index - 12)
    drop = recent.group_by("employer_code").aggregate(
        peak_headcount=recent.declared_headcount.max(),
        latest_headcount=recent.declared_headcount.argmax(recent.month_index),
    )
    if enrolments is None:  # no enrolment data: terminations unknown, the signal stays silent
        return drop.mutate(terminations=ibis.null("int64"))
    since = dt.date(reference_date.year - 1, reference_date.month, 1)
    e = enrolments.filter(
        (enrolments.scheme == "bhxh_compulsory")
        & enrolments.employer_code.notnull()
        & enrolments.end_date.notnull()
        & (enrolments.end_date >= since)
        & (enrolments.end_date <= reference_date)
    )
    ended = e.group_by("employer_code").aggregate(terminations=e.count())
    out = drop.left_join(ended, "employer_code").drop("employer_code_right")
    return out.mutate(terminations=out.terminations.fill_null(0))


def _registered_signals(
    balance: Table,
    arrears: Table,
    tax: Table,
    months: list[dt.date],
    enrolments: Table | None,
    reference_date: dt.date,
    rules: Rules | None,
    ev: EvasionPolicy,
) -> Table:
    b = balance.select(
        "employer_code",
        "tax_code",
        name=balance.employer_name,
        ownership=balance.ownership,
        commune_code=balance.commune_code,
        commune_name=balance.commune_name,
        office_code=balance.office_code,
        office_name=balance.office_name,
        officer_code=balance.officer_code,
        officer_name=balance.officer_name,
        wage_region=balance.wage_region,
        last_ledger_month=balance.last_ledger_month,
        declared_headcount=balance.declared_headcount,
        declared_wage_bill=balance.declared_wage_bill,
        months_late=balance.months_late,
        evasion_flag=balance.evasion_flag,
        late_amount=balance.late_amount,
    )
    b = b.left_join(tax, "tax_code").drop("tax_code_right")
    declared = _declared_by_year(arrears)
    b = b.left_join(
        declared,
        [b.employer_code == declared.employer_code, b.tax_year == declared.year],
    ).drop("employer_code_right", "year")
    b = b.mutate(min_wage=minimum_wage(b.last_ledger_month, b.wage_region, months, rules))
    b = b.left_join(_headcount_drop(arrears, enrolments, reference_date), "employer_code").drop(
        "employer_code_right"
    )

    # headcount gap (tax year vs the average declared in that year)
    gap = b.tax_headcount.cast("float64") - b.si_headcount
    share = ibis.ifelse(b.tax_headcount > 0, gap / b.tax_headcount.cast("float64"), 0.0)
    usable = b.si_headcount.notnull() & b.tax_headcount.notnull()
    strong_share, weak_share = ev.strong_headcount_share, ev.weak_headcount_share
    strong = usable & (
        ((share >= strong_share) & (gap >= ev.headcount_min_gap)) | (gap >= ev.headcount_large_gap)
    )
    clear = usable & (
        ((share >= weak_share) & (gap >= ev.headcount_min_gap))
        | ((share >= strong_share) & (gap >= 1))
    )
    slight = usable & (share >= weak_share) & (gap >= 1)
    points = ev.points
    hc_points = ibis.cases(
        (strong, points["headcount_gap"][0]),
        (clear, points["headcount_gap"][1]),
        (slight, points["headcount_gap"][2]),
        else_=0,
    )
    hc_note = (
        "Quyết toán thuế năm "
        + b.tax_year.cast("string")
        + " có "
        + _num(b.tax_headcount)
        + " lao động, BHXH kê khai bình quân "
        + _num(b.si_headcount, 1)
        + " (thiếu "
        + _num(gap, 1)
        + ", "
        + _pct(share)
        + ")"
    )

    # payroll fund vs declared wage bill (annualised when the ledger misses months)
    annual_bill = ibis.ifelse(
        b.ledger_months > 0,
        b.declared_bill.cast("float64") * 12 / b.ledger_months.cast("float64"),
        ibis.null("float64"),
    )
    ratio = ibis.ifelse(
        annual_bill > 0, b.payroll_fund.cast("float64") / annual_bill, ibis.null("float64")
    )
    pr_points = ibis.cases(
        (ratio >= ev.strong_payroll_ratio, points["payroll_gap"][0]),
        (ratio >= ev.weak_payroll_ratio, points["payroll_gap"][1]),
        else_=0,
    )
    pr_note = (
        "Quỹ tiền lương quyết toán thuế năm "
        + b.tax_year.cast("string")
        + " gấp "
        + _num(ratio, 2)
        + " lần quỹ lương đóng BHXH cùng năm"
    )

    # wages bunched at the regional minimum
    avg_wage = ibis.ifelse(
        b.declared_headcount > 0,
        b.declared_wage_bill.cast("float64") / b.declared_headcount.cast("float64"),
        ibis.null("float64"),
    )
    mw_ratio = avg_wage / b.min_wage.cast("float64")
    mw_points = ibis.ifelse(
        (b.declared_headcount >= 2) & (mw_ratio <= ev.minimum_wage_band),
        points["minimum_wage"][0],
        0,
    )
    mw_note = (
        "Tiền lương đóng bình quân "
        + _num(avg_wage / 1_000_000, 2)
        + " triệu đồng, bằng "
        + _num(mw_ratio, 2)
        + " lần lương tối thiểu vùng "
        + b.wage_region.cast("string")
    )

    # headcount drop without matching terminations
    drop = (b.peak_headcount - b.latest_headcount).cast("int64")
    unexplained = drop - b.terminations
    dr_points = ibis.ifelse(
        (unexplained >= ev.drop_people)
        & (unexplained.cast("float64") >= ev.drop_share * b.peak_headcount.cast("float64")),
        points["headcount_drop"][0],
        0,
    )
    dr_note = (
        "Số lao động kê khai giảm từ "
        + _num(b.peak_headcount)
        + " xuống "
        + _num(b.latest_headcount)
        + " nhưng chỉ có "
        + _num(b.terminations)
        + " người báo giảm trong 12 tháng"
    )

    la_points = ibis.cases(
        (b.months_late >= 6, points["long_arrears"][0]),
        (b.months_late >= 3, points["long_arrears"][1]),
        (b.evasion_flag, points["long_arrears"][2]),
        else_=0,
    )
    la_note = (
        "Chậm đóng "
        + _num(b.months_late)
        + " tháng, số tiền chậm đóng "
        + _num(b.late_amount.cast("float64") / 1_000_000, 1)
        + " triệu đồng"
    )

    # wages kept out of the contributions each month, by kind (VND; signals that fired only):
    # hidden workers at the tax return's average wage; the payroll above the normal ratio of
    # the declared bill, less the hidden workers' wages
    tax_wage = ibis.ifelse(
        b.tax_headcount > 0,
        b.payroll_fund.cast("float64") / b.tax_headcount.cast("float64") / 12,
        ibis.null("float64"),
    )
    hidden = ibis.ifelse(hc_points.fill_null(0) > 0, ibis.greatest(gap, 0) * tax_wage, 0.0)
    hidden = hidden.fill_null(0.0)
    above_normal = (
        b.payroll_fund.cast("float64") / 12 - hidden - ev.normal_payroll_ratio * annual_bill / 12
    )
    wage_fired = (pr_points.fill_null(0) > 0) | (mw_points.fill_null(0) > 0)
    under = ibis.ifelse(wage_fired, ibis.greatest(above_normal, 0), 0.0).fill_null(0.0)

    return b.select(
        "employer_code",
        "tax_code",
        "name",
        *DIRECTORY_COLUMNS,
        registered=ibis.literal(True),
        business_status=ibis.null("string"),
        tax_year=b.tax_year.cast("int64"),
        tax_headcount=b.tax_headcount.cast("int64"),
        si_headcount=b.si_headcount.cast("float64"),
        headcount_gap_value=gap.cast("float64"),
        headcount_gap_share=share.cast("float64"),
        headcount_gap_points=hc_points.fill_null(0).cast("int64"),
        headcount_gap_note=hc_note,
        payroll_fund=b.payroll_fund.cast("int64"),
        declared_annual_wage_bill=annual_bill.round(0).cast("int64"),
        payroll_gap_value=ratio.cast("float64"),
        payroll_gap_points=pr_points.fill_null(0).cast("int64"),
        payroll_gap_note=pr_note,
        average_declared_wage=avg_wage.round(0).cast("int64"),
        minimum_wage=b.min_wage.cast("int64"),
        minimum_wage_value=mw_ratio.cast("float64"),
        minimum_wage_points=mw_points.fill_null(0).cast("int64"),
        minimum_wage_note=mw_note,
        unregistered_value=ibis.null("int64"),
        unregistered_points=ibis.literal(0, "int64"),
        unregistered_note=ibis.null("string"),
        headcount_drop_value=drop,
        terminations=b.terminations.cast("int64"),
        headcount_drop_points=dr_points.fill_null(0).cast("int64"),
        headcount_drop_note=dr_note,
        long_arrears_value=b.months_late.cast("int64"),
        long_arrears_points=la_points.fill_null(0).cast("int64"),
        long_arrears_note=la_note,
        monthly_payroll_shortfall=ibis.greatest(
            (b.payroll_fund.cast("float64") - annual_bill) / 12, 0
        ),
        hidden_monthly_wages=hidden.cast("float64"),
        underdeclared_monthly_wages=under.cast("float64"),
        unregistered_monthly_wages=ibis.literal(0.0, "float64"),
    )


def _unregistered_signals(
    employers: Table,
    registry: Table,
    tax: Table,
    directory_units: Table,
    reference_date: dt.date,
    ev: EvasionPolicy,
) -> Table:
    known = employers.filter(employers.tax_code.notnull()).select(known_tax=employers.tax_code)
    known = known.distinct()
    reg = registry.select(
        "tax_code",
        reg_name=registry.business_name,
        status=registry.status,
        ownership=registry.ownership,
        commune_code=registry.commune_code,
        registered_date=registry.registered_date,
    )
    codes = reg.select("tax_code").union(tax.select("tax_code")).distinct()
    codes = codes.filter(codes.tax_code.notnull())
    c = codes.left_join(reg, "tax_code").drop("tax_code_right")
    c = c.left_join(tax, "tax_code").drop("tax_code_right")
    c = c.left_join(known, c.tax_code == known.known_tax)
    c = c.filter(c.known_tax.isnull()).drop("known_tax")
    c = c.left_join(directory_units, "commune_code").drop("commune_code_right")
    active = c.status.isnull() | (c.status == "active")
    with_workers = active & (c.tax_headcount >= 1)
    age_days = ibis.literal(reference_date, "date").delta(c.registered_date, unit="day")
    silent = (
        (c.status == "active")
        & c.tax_headcount.isnull()
        & (age_days >= ev.unregistered_active_days)
    )
    points = ibis.cases(
        (with_workers, ev.points["unregistered"][0]),
        (silent, ev.points["unregistered"][1]),
        else_=0,
    )
    note = ibis.cases(
        (
            with_workers,
            "Có trong dữ liệu đăng ký doanh nghiệp/thuế, quyết toán thuế năm "
            + c.tax_year.cast("string")
            + " có "
            + _num(c.tax_headcount)
            + " lao động nhưng chưa đăng ký tham gia BHXH",
        ),
        (
            silent,
            "Đang hoạt động theo đăng ký doanh nghiệp từ "
            + _num(age_days)
            + " ngày, chưa có quyết toán thuế, chưa đăng ký tham gia BHXH",
        ),
        else_=ibis.null("string"),
    )
    fund = c.payroll_fund.cast("float64")
    return c.select(
        employer_code=ibis.null("string"),
        tax_code=c.tax_code,
        name=c.reg_name.coalesce(c.taxpayer_name),
        ownership=c.ownership,
        commune_code=c.commune_code,
        commune_name=c.commune_name,
        office_code=c.office_code,
        office_name=c.office_name,
        officer_code=ibis.null("string"),
        officer_name=ibis.null("string"),
        registered=ibis.literal(False),
        business_status=c.status,
        tax_year=c.tax_year.cast("int64"),
        tax_headcount=c.tax_headcount.cast("int64"),
        si_headcount=ibis.null("float64"),
        headcount_gap_value=ibis.null("float64"),
        headcount_gap_share=ibis.null("float64"),
        headcount_gap_points=ibis.literal(0, "int64"),
        headcount_gap_note=ibis.null("string"),
        payroll_fund=c.payroll_fund.cast("int64"),
        declared_annual_wage_bill=ibis.null("int64"),
        payroll_gap_value=ibis.null("float64"),
        payroll_gap_points=ibis.literal(0, "int64"),
        payroll_gap_note=ibis.null("string"),
        average_declared_wage=ibis.null("int64"),
        minimum_wage=ibis.null("int64"),
        minimum_wage_value=ibis.null("float64"),
        minimum_wage_points=ibis.literal(0, "int64"),
        minimum_wage_note=ibis.null("string"),
        unregistered_value=c.tax_headcount.cast("int64"),
        unregistered_points=points.cast("int64"),
        unregistered_note=note,
        headcount_drop_value=ibis.null("int64"),
        terminations=ibis.null("int64"),
        headcount_drop_points=ibis.literal(0, "int64"),
        headcount_drop_note=ibis.null("string"),
        long_arrears_value=ibis.null("int64"),
        long_arrears_points=ibis.literal(0, "int64"),
        long_arrears_note=ibis.null("string"),
        monthly_payroll_shortfall=ibis.ifelse(c.tax_headcount >= 1, fund.fill_null(0.0) / 12, 0.0),
        hidden_monthly_wages=ibis.literal(0.0, "float64"),
        underdeclared_monthly_wages=ibis.literal(0.0, "float64"),
        unregistered_monthly_wages=ibis.ifelse(with_workers, fund.fill_null(0.0) / 12, 0.0)
        .fill_null(0.0)
        .cast("float64"),
    )


def commune_offices(units: Table) -> Table:
    """Communes with their grassroots office (for businesses known only by commune)."""
    communes = units.filter(units.level == "commune").select(
        commune_code=units.unit_code, commune_name=units.unit_name, office_code=units.parent_code
    )
    offices = units.filter(units.level == "office").select(
        office_code=units.unit_code, office_name=units.unit_name
    )
    return communes.left_join(offices, "office_code").drop("office_code_right")


def evasion_scores(
    balance: Table,
    arrears: Table,
    employers: Table,
    tax_returns: Table,
    registry: Table,
    units: Table,
    months: list[dt.date],
    reference_date: dt.date,
    contribution_rate: float,
    enrolments: Table | None = None,
    criteria: ListCriteria | None = None,
    rules: Rules | None = None,
    evasion: EvasionPolicy | None = None,
) -> Table:
    """Every registered employer and every unregistered business with its signals, score,
    explanation, the contributions it is estimated to evade each month (in VND, per kind
    and in all) and ranks (``rank`` overall, ``office_rank`` within the grassroots office).

    ``contribution_rate`` is the full compulsory rate on the wage (employer + employee,
    0.32 in 2026), used to turn wages kept out of the contributions into contributions at
    stake.  ``evasion``: the points and thresholds (default: the policy file's on the
    reference date).
    """
    crit = criteria or ListCriteria()
    ev = evasion or EvasionPolicy.on(reference_date)
    tax = _tax_latest(tax_returns, reference_date)
    reg = _registered_signals(balance, arrears, tax, months, enrolments, reference_date, rules, ev)
    unreg = _unregistered_signals(
        employers, registry, tax, commune_offices(units), reference_date, ev
    )
    s = ibis.union(reg, unreg)
    total = sum((s[f"{name}_points"] for name in SIGNALS), ibis.literal(0, "int64"))
    parts = [ibis.ifelse(s[f"{name}_points"] > 0, s[f"{name}_note"] + "; ", "") for name in SIGNALS]
    explanation = parts[0]
    for part in parts[1:]:
        explanation = explanation + part
    s = s.mutate(
        total_score=total,
        explanation=explanation.re_replace(r"; $", ""),
        estimated_monthly_shortfall=(s.monthly_payroll_shortfall * contribution_rate)
        .round(0)
        .cast("int64"),
        entity_key=s.employer_code.coalesce("MST:" + s.tax_code),
    )
    # signals that did not fire keep no note: the explanation says what was found
    s = s.mutate(
        **{
            f"{name}_note": ibis.ifelse(
                s[f"{name}_points"] > 0, s[f"{name}_note"], ibis.null("string")
            )
            for name in SIGNALS
        }
    )

    def vnd(wages: ibis.Value) -> ibis.Value:
        return (wages * contribution_rate).round(0).cast("int64")

    s = s.mutate(
        evaded_headcount=vnd(s.hidden_monthly_wages),
        evaded_wage=vnd(s.underdeclared_monthly_wages),
        evaded_unregistered=vnd(s.unregistered_monthly_wages),
    )
    s = s.mutate(
        estimated_monthly_evaded=s.evaded_headcount + s.evaded_wage + s.evaded_unregistered
    )
    s = s.mutate(
        evasion_kind=ibis.cases(
            (s.estimated_monthly_evaded <= 0, ibis.null("string")),
            (s.evaded_unregistered >= ibis.greatest(s.evaded_headcount, s.evaded_wage), KINDS[2]),
            (s.evaded_headcount >= s.evaded_wage, KINDS[0]),
            else_=KINDS[1],
        ),
        flagged=s.total_score >= crit.inspection_min_score,
    )
    s = with_ranks(s, "rank", "office_rank")
    return s.drop(
        "monthly_payroll_shortfall",
        "hidden_monthly_wages",
        "underdeclared_monthly_wages",
        "unregistered_monthly_wages",
    )


def ranking_order(s: Table) -> list[ibis.Value]:
    """The inspection order: entities the signals flag first, then the contributions they
    are estimated to evade each month (VND: one scale for every kind of evasion), then the
    score, then the key (a stable order)."""
    return [
        ibis.desc(s.flagged.cast("int8")),
        ibis.desc(s.estimated_monthly_evaded),
        ibis.desc(s.total_score),
        s.entity_key,
    ]


def with_ranks(s: Table, rank: str, office_rank: str) -> Table:
    """``s`` with its place in the inspection order (``ranking_order``, from 1) in the
    province (column ``rank``) and in its grassroots office (column ``office_rank``)."""
    order = ranking_order(s)
    return s.mutate(
        **{
            rank: (ibis.row_number().over(ibis.window(order_by=order)) + 1).cast("int64"),
            office_rank: (
                ibis.row_number().over(ibis.window(group_by=s.office_code, order_by=order)) + 1
            ).cast("int64"),
        }
    )
