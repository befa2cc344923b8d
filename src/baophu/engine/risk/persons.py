"""Risk checks on the participants: duplicate records, BHYT cards paid twice, BHXH months
paid twice, and the dead still enrolled.  Every check reads the enrolments linked to the
register (``engine.identity.link_enrolments``: personal ID, else the legacy code of one
resident), so the same person under two IDs or an ID and a legacy code is one person.

Periods: a spell runs from ``start_date`` to ``end_date`` (inclusive; open when empty).  Two
spells overlap when each starts on or before the other ends: an overlap of one day counts.
Open ends are capped at the reference date when months are counted.  A month counts when any
day of it is at stake (``months_between`` counts calendar months, both ends included).
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.identity import PAYER_RANK
from baophu.engine.risk.kinds import (
    GROUP_VI,
    PAYER_VI,
    SCHEME_VI,
    case_rows,
    record_case,
    record_vi,
)
from baophu.engine.risk.params import RiskParams
from baophu.engine.text import dmy, label_or_code

FAR = dt.date(2999, 12, 31)


def month_index(day: ibis.Value) -> ibis.Value:
    """Months since year 0 of a date (to count calendar months)."""
    return day.year().cast("int64") * 12 + day.month().cast("int64")


def months_between(first: ibis.Value, last: ibis.Value) -> ibis.Value:
    """Calendar months from ``first`` to ``last``, both included (0 when ``last`` is before)."""
    return ibis.greatest(month_index(last) - month_index(first) + 1, 0)


def person_text(key: ibis.Value) -> ibis.Value:
    """The 12-digit personal ID of a person key."""
    return key.cast("string").lpad(12, "0")


def monthly_amount(t: Table, p: RiskParams) -> ibis.Value:
    """What a spell costs a month at the reference date's parameters: BHYT on the wage for
    an employer's card (employer and employee shares), else the BHYT rate on the base salary
    (the first household member's amount); voluntary BHXH at its rate on the declared income
    (at least the lowest income); compulsory BHXH at the pension, sickness and occupational
    rates on the wage."""
    wage = t.contribution_wage.cast("int64")
    income = ibis.greatest(wage.fill_null(p.voluntary_min_income), p.voluntary_min_income)
    bhyt = ibis.ifelse(
        (t.payer == "employer") & wage.notnull(),
        wage * p.bhyt_wage_rate,
        ibis.literal(p.bhyt_base_monthly, "float64"),
    )
    return ibis.cases(
        (t.scheme == "bhyt", bhyt),
        (t.scheme == "bhxh_voluntary", income * p.voluntary_rate),
        (t.scheme == "bhxh_compulsory", wage.fill_null(0) * p.compulsory_bhxh_rate),
        else_=ibis.literal(0.0),
    ).round(0)


def spells(linked: Table, residents: Table, p: RiskParams) -> Table:
    """Linked enrolments of a person (resident or not), with the person's ID, name, hamlet
    (the enrolment's, else the register's), the cost a month and the payer's rank."""
    t = linked.filter(linked.person_key.notnull())
    r = residents.select(
        _rk=residents.person_id.try_cast("int64"),
        _r_name=residents.full_name,
        _r_hamlet=residents.hamlet_code,
        _r_household=residents.household_id,
        _r_birth=residents.birth_date,
    )
    t = t.left_join(r, t.person_key == r._rk)
    rank = ibis.cases(*[(t.payer == k, v) for k, v in PAYER_RANK.items()], else_=99)
    return t.select(
        pk=t.person_key,
        pid=person_text(t.person_key),
        name=ibis.coalesce(t._r_name, t.full_name),
        eid=t.enrolment_id,
        scheme=t.scheme,
        group=t.participant_group,
        payer=t.payer,
        rank=rank,
        employer=t.employer_code.fill_null(""),
        wage=t.contribution_wage.cast("int64").fill_null(0),
        start=t.start_date.cast("date"),
        end=t.end_date.cast("date"),
        open_end=t.end_date.cast("date").fill_null(FAR),
        monthly=monthly_amount(t, p),
        hamlet=ibis.coalesce(t.hamlet_code, t._r_hamlet),
        collector=t.collector_code,
        death=t.person_death_date.cast("date"),
        household=ibis.ifelse(t.resident, t._r_household, ibis.null("string")),
        birth=ibis.coalesce(t._r_birth.cast("date"), t.birth_date.cast("date")),
    )


def overlap_candidates(s: Table) -> Table:
    """The spells of every person and scheme in which two spells overlap: sorted by start, a
    spell starts on or before the latest end of the spells before it.  Exact, and it keeps
    the pairwise join of the checks to the few people concerned."""
    order = [s.start, s.eid]
    running = s.open_end.max().over(
        ibis.cumulative_window(group_by=[s.pk, s.scheme], order_by=order)
    )
    t = s.mutate(_cmax=running)
    t = t.mutate(
        _prev=t._cmax.lag().over(ibis.window(group_by=[t.pk, t.scheme], order_by=[t.start, t.eid]))
    )
    hit = t.filter(t.start <= t._prev).select(h_pk=t.pk, h_scheme=t.scheme).distinct()
    return s.semi_join(hit, [s.pk == hit.h_pk, s.scheme == hit.h_scheme])


def _pairs(s: Table, same_scheme: bool = True) -> Table:
    """Pairs of one person's spells (``a`` the smaller enrolment id) that overlap."""
    a = s.rename({f"a_{c}": c for c in s.columns})
    b = s.rename({f"b_{c}": c for c in s.columns})
    cond = [
        a.a_pk == b.b_pk,
        a.a_eid < b.b_eid,
        a.a_start <= b.b_open_end,
        b.b_start <= a.a_open_end,
    ]
    if same_scheme:
        cond.append(a.a_scheme == b.b_scheme)
    return a.inner_join(b, cond)


def _same_record(j: Table) -> ibis.Value:
    return (j.a_payer == j.b_payer) & (j.a_group == j.b_group) & (j.a_employer == j.b_employer)


def _pair_case(
    j: Table, kind: str, amount: ibis.Value, day: dt.date, note: str | ibis.Value
) -> Table:
    start = ibis.greatest(j.a_start, j.b_start)
    out = case_rows(
        j,
        kind,
        case_id=ibis.literal(f"{kind}:") + j.a_eid + "," + j.b_eid,
        person_id=j.a_pid,
        full_name=j.a_name,
        persons=j.a_pid,
        evidence=j.a_eid + "," + j.b_eid,
        evidence_vi=(ibis.literal(note) if isinstance(note, str) else note)
        + j.a_eid
        + " ("
        + label_or_code(j.a_scheme, SCHEME_VI)
        + ", "
        + label_or_code(j.a_payer, PAYER_VI)
        + " đóng, từ "
        + dmy(j.a_start)
        + ") và "
        + j.b_eid
        + " ("
        + label_or_code(j.b_scheme, SCHEME_VI)
        + ", "
        + label_or_code(j.b_payer, PAYER_VI)
        + " đóng, từ "
        + dmy(j.b_start)
        + ")",
        period_start=start,
        period_end=ibis.least(j.a_open_end, j.b_open_end),
        amount=amount.cast("int64"),
        collector_code=ibis.coalesce(j.b_collector, j.a_collector),
        hamlet_code=ibis.coalesce(j.a_hamlet, j.b_hamlet),
    )
    out = out.filter(out.period_start <= ibis.least(out.period_end, ibis.literal(day)))
    return out.mutate(period_end=_no_far(out.period_end))


def _no_far(end: ibis.Value) -> ibis.Value:
    return ibis.ifelse(end == ibis.literal(FAR), ibis.null("date"), end)


def duplicate_records(s: Table, day: dt.date) -> Table:
    """Two records of one person in one scheme, with the same payer, group and employer,
    whose periods overlap: the months of the overlap are paid twice (amount: the overlap's
    months up to the reference date at one record's monthly cost)."""
    j = _pairs(s)
    j = j.filter(_same_record(j))
    last = ibis.least(j.a_open_end, j.b_open_end, ibis.literal(day))
    months = months_between(ibis.greatest(j.a_start, j.b_start), last)
    return _pair_case(j, "duplicate_record", months * j.b_monthly, day, "Hai hồ sơ: ")


def overlapping_bhyt(s: Table, day: dt.date) -> Table:
    """Two BHYT cards of one person paid for overlapping periods (not the same record
    twice).  The law's order of payers decides: the card whose payer comes first (employer,
    social-insurance fund, state budget, budget-supported, household, self) stands; between
    two employers the higher wage stands (then the smaller enrolment id).  The other card's
    months of overlap, up to the reference date, are refunded to its payer."""
    bhyt = s.filter(s.scheme == "bhyt")
    j = _pairs(bhyt)
    j = j.filter(~_same_record(j))
    a_first = (j.a_rank < j.b_rank) | ((j.a_rank == j.b_rank) & (j.a_wage >= j.b_wage))
    refunded = ibis.ifelse(a_first, j.b_monthly, j.a_monthly)
    last = ibis.least(j.a_open_end, j.b_open_end, ibis.literal(day))
    months = months_between(ibis.greatest(j.a_start, j.b_start), last)
    payer = ibis.ifelse(a_first, j.b_payer, j.a_payer)
    note = ibis.literal("Hoàn trả cho bên đóng: ") + label_or_code(payer, PAYER_VI) + "; hai thẻ: "
    return _pair_case(j, "overlapping_bhyt", months * refunded, day, note)


def bhxh_double_paid(s: Table, day: dt.date) -> Table:
    """Compulsory and voluntary BHXH of one person for the same months: the voluntary
    months of the overlap (up to the reference date) are refunded."""
    comp = s.filter(s.scheme == "bhxh_compulsory")
    vol = s.filter(s.scheme == "bhxh_voluntary")
    a = comp.rename({f"a_{c}": c for c in s.columns})
    b = vol.rename({f"b_{c}": c for c in s.columns})
    j = a.inner_join(
        b,
        [a.a_pk == b.b_pk, a.a_start <= b.b_open_end, b.b_start <= a.a_open_end],
    )
    last = ibis.least(j.a_open_end, j.b_open_end, ibis.literal(day))
    months = months_between(ibis.greatest(j.a_start, j.b_start), last)
    return _pair_case(j, "bhxh_double_paid", months * j.b_monthly, day, "BHXH bắt buộc ")


def deceased_enrolled(s: Table, day: dt.date) -> Table:
    """A dead person (register's death date) with a spell that ends after the death date or
    is still open (a card ending on the day of death is not a case); one case per person.
    Amount: every such spell's months after the month of death, up to the reference date
    (or the spell's end), at its monthly cost."""
    d = s.filter(s.death.notnull() & (s.open_end > s.death) & (s.start <= ibis.literal(day)))
    last = ibis.least(d.open_end, ibis.literal(day))
    first_after = ibis.greatest(month_index(d.death) + 1, month_index(d.start))
    months = ibis.greatest(month_index(last) - first_after + 1, 0)
    d = d.mutate(_amount=(months * d.monthly).cast("int64"))
    g = d.group_by(["pk", "pid", "death"]).aggregate(
        name=d.name.min(),
        evidence=d.eid.collect().sort().join(","),  # sorted: the same on every backend
        first_eid=d.eid.min(),
        n=d.count(),
        amount=d._amount.sum(),
        first_start=d.start.min(),
        last_end=d.open_end.max(),
        hamlet=d.hamlet.min(),
        collector=d.collector.min(),
    )
    return case_rows(
        g,
        "deceased_enrolled",
        case_id=ibis.literal("deceased_enrolled:") + g.first_eid,
        person_id=g.pid,
        full_name=g.name,
        persons=g.pid,
        evidence=g.evidence,
        evidence_vi=ibis.literal("Ngày mất ")
        + dmy(g.death)
        + "; "
        + g.n.cast("string")
        + " quá trình còn hiệu lực sau ngày mất",
        period_start=(g.death.cast("timestamp") + ibis.interval(days=1)).date(),
        period_end=_no_far(g.last_end),
        amount=g.amount,
        collector_code=g.collector,
        hamlet_code=g.hamlet,
    )


LISTED_FOR = {"poor": ("poor",), "near_poor": ("poor", "near_poor")}


def budget_ineligible(s: Table, classifications: Table, day: dt.date, p: RiskParams) -> Table:
    """A poor household's card (the state budget pays) or a near-poor one (the budget
    supports) valid on the reference date, of a resident whose household is on no list in
    force that day that entitles them (a poor card: the poor list; a near-poor card: the poor
    or the near-poor list).  Amount: the budget's share for the card's months after the
    reference month."""
    d = ibis.literal(day)
    cards = s.filter(
        s.household.notnull()
        & (s.scheme == "bhyt")
        & s.group.isin(list(LISTED_FOR))
        & s.payer.isin(["state_budget", "budget_supported"])
        & (s.start <= d)
        & (s.open_end >= d)
    )
    c = classifications
    listed = c.filter(
        c.household_id.notnull() & (c.valid_from <= d) & (c.valid_to.isnull() | (c.valid_to >= d))
    ).select(l_household=c.household_id, l_class=c.classification)
    entitled = ibis.cases(
        *[
            (cards.group == g, listed.l_class.isin(list(allowed)))
            for g, allowed in LISTED_FOR.items()
        ],
        else_=False,
    )
    on_list = cards.inner_join(listed, [cards.household == listed.l_household, entitled])
    ok = on_list.select(x_eid=on_list.eid)
    out = cards.anti_join(ok, cards.eid == ok.x_eid)
    share = ibis.ifelse(out.group == "poor", 1.0, p.near_poor_support)
    months = ibis.greatest(month_index(out.open_end) - month_index(d), 0)
    months = ibis.ifelse(out.end.isnull(), 0, months)
    amount = (months * p.bhyt_base_monthly * share).round(0)
    return record_case(
        out,
        "budget_ineligible",
        out.eid,
        out.pid,
        out.name,
        evidence_vi=record_vi("Thẻ", out.eid, label_or_code(out.group, GROUP_VI), out.start)
        + ", hộ "
        + out.household
        + " không có trong danh sách có hiệu lực ngày "
        + dmy(d),
        period_start=d,
        period_end=out.end,
        amount=amount.cast("int64"),
        collector_code=out.collector,
        hamlet_code=out.hamlet,
    )
