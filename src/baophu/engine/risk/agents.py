"""Risk checks on the money collection agents take: receipts (``agent_receipts``) against
transfers (``agent_remittances``) and against the enrolments they should have created.

* a receipt **matches** an enrolment of the same scheme whose person ID (else legacy code)
  is the receipt's, when the period the receipt pays for begins within the spell (from the
  first day of the spell's first month to its end);
* ``late_remittance`` — a transfer made more than ``risk.remittance_due_days`` (policy)
  after the last receipt date it settles;
* ``remittance_shortfall`` — the receipts of an agent dated within a transfer's receipt
  dates add up to more than the transfer (amount: the difference); and, per agent, the
  receipts past the due days that no transfer's dates cover (amount: their sum);
* ``receipt_without_enrolment`` — a receipt past the due days that matches no enrolment;
* ``enrolment_without_receipt`` — a household BHYT card or a voluntary BHXH spell brought in
  by a collector of an agent, starting between the first period the agent's receipts pay
  for and the reference date, that no receipt matches (amount: the spell's months up to 12,
  at its monthly cost).
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.risk.kinds import SCHEME_VI, case_rows, record_case, record_vi
from baophu.engine.risk.params import RiskParams
from baophu.engine.risk.persons import FAR, monthly_amount, months_between
from baophu.engine.text import dmy, label_or_code

MAX_MONTHS_AT_STAKE = 12  # a household card is sold for 12 months at most


def _month_start(day: ibis.Value) -> ibis.Value:
    return ibis.date(day.year().cast("int32"), day.month().cast("int32"), 1)


def receipt_matches(receipts: Table, enrolments: Table) -> Table:
    """``agent_code``, ``receipt_no``, ``enrolment_id`` of every receipt × enrolment match."""
    e = enrolments.select(
        e_id=enrolments.enrolment_id,
        e_pid=enrolments.person_id,
        e_si=enrolments.si_code,
        e_scheme=enrolments.scheme,
        e_from=_month_start(enrolments.start_date.cast("date")),
        e_to=enrolments.end_date.cast("date").fill_null(FAR),
    )
    r = receipts.select(
        r_agent=receipts.agent_code,
        r_no=receipts.receipt_no,
        r_pid=receipts.person_id,
        r_si=receipts.si_code,
        r_scheme=receipts.scheme,
        r_from=receipts.period_start.cast("date"),
    )
    parts = []
    for rk, ek in (("r_pid", "e_pid"), ("r_si", "e_si")):
        rr = r.filter(r[rk].notnull())
        j = rr.inner_join(
            e,
            [
                rr[rk] == e[ek],
                rr.r_scheme == e.e_scheme,
                rr.r_from >= e.e_from,
                rr.r_from <= e.e_to,
            ],
        )
        parts.append(j.select(agent_code=j.r_agent, receipt_no=j.r_no, enrolment_id=j.e_id))
    return ibis.union(*parts, distinct=True)


def _due(day: dt.date, p: RiskParams) -> ibis.Value:
    return ibis.literal(day - dt.timedelta(days=p.remittance_due_days))


def late_remittances(remittances: Table, day: dt.date, p: RiskParams) -> Table:
    t = remittances
    late = t.remittance_date.cast("date") > t.receipts_to.cast("date") + ibis.interval(
        days=p.remittance_due_days
    )
    t = t.filter(late & (t.remittance_date.cast("date") <= ibis.literal(day)))
    return case_rows(
        t,
        "late_remittance",
        case_id=ibis.literal("late_remittance:") + t.remittance_id,
        evidence=t.remittance_id,
        evidence_vi=ibis.literal("Biên lai từ ")
        + dmy(t.receipts_from.cast("date"))
        + " đến "
        + dmy(t.receipts_to.cast("date"))
        + ", chuyển ngày "
        + dmy(t.remittance_date.cast("date"))
        + f" (hạn {p.remittance_due_days} ngày)",
        period_start=t.receipts_from,
        period_end=t.remittance_date,
        amount=t.amount.cast("int64"),
        agent_code=t.agent_code,
    )


def remittance_shortfalls(
    receipts: Table, remittances: Table, day: dt.date, p: RiskParams
) -> Table:
    m = remittances.select(
        m_id=remittances.remittance_id,
        m_agent=remittances.agent_code,
        m_from=remittances.receipts_from.cast("date"),
        m_to=remittances.receipts_to.cast("date"),
        m_amount=remittances.amount.cast("int64"),
        m_date=remittances.remittance_date.cast("date"),
    )
    r = receipts.select(
        r_agent=receipts.agent_code,
        r_no=receipts.receipt_no,
        r_date=receipts.receipt_date.cast("date"),
        r_amount=receipts.amount.cast("int64"),
    )
    j = m.inner_join(r, [m.m_agent == r.r_agent, r.r_date >= m.m_from, r.r_date <= m.m_to])
    g = j.group_by(["m_id", "m_agent", "m_from", "m_to", "m_amount", "m_date"]).aggregate(
        received=j.r_amount.sum(), n=j.count()
    )
    g = g.filter(g.received > g.m_amount)
    short = case_rows(
        g,
        "remittance_shortfall",
        case_id=ibis.literal("remittance_shortfall:") + g.m_id,
        evidence=g.m_id,
        evidence_vi=g.n.cast("string")
        + " biên lai từ "
        + dmy(g.m_from)
        + " đến "
        + dmy(g.m_to)
        + ": lần chuyển "
        + g.m_id
        + " ngày "
        + dmy(g.m_date)
        + " ít hơn số tiền trên biên lai",
        period_start=g.m_from,
        period_end=g.m_date,
        amount=g.received - g.m_amount,
        agent_code=g.m_agent,
    )
    covered = j.select(c_agent=j.r_agent, c_no=j.r_no).distinct()
    old = r.filter(r.r_date <= _due(day, p))
    open_ = old.anti_join(covered, [old.r_agent == covered.c_agent, old.r_no == covered.c_no])
    u = open_.group_by("r_agent").aggregate(
        received=open_.r_amount.sum(),
        n=open_.count(),
        first=open_.r_date.min(),
        last=open_.r_date.max(),
    )
    unremitted = case_rows(
        u,
        "remittance_shortfall",
        case_id=ibis.literal("remittance_shortfall:") + u.r_agent + ":chua-chuyen",
        evidence=u.r_agent,
        evidence_vi=u.n.cast("string")
        + " biên lai quá hạn chưa có lần chuyển nào, từ "
        + dmy(u.first)
        + " đến "
        + dmy(u.last),
        period_start=u.first,
        period_end=u.last,
        amount=u.received,
        agent_code=u.r_agent,
    )
    return ibis.union(short, unremitted, distinct=False)


def receipts_without_enrolment(
    receipts: Table, matches: Table, day: dt.date, p: RiskParams
) -> Table:
    r = receipts.filter(receipts.receipt_date.cast("date") <= _due(day, p))
    r = r.anti_join(
        matches, [r.agent_code == matches.agent_code, r.receipt_no == matches.receipt_no]
    )
    return record_case(
        r,
        "receipt_without_enrolment",
        r.agent_code + "/" + r.receipt_no,
        r.person_id,
        r.full_name,
        evidence_vi=ibis.literal("Biên lai số ")
        + r.receipt_no
        + " ngày "
        + dmy(r.receipt_date.cast("date"))
        + ", "
        + label_or_code(r.scheme, SCHEME_VI)
        + ", "
        + r.months.cast("string")
        + " tháng từ "
        + dmy(r.period_start.cast("date")),
        period_start=r.period_start,
        amount=r.amount.cast("int64"),
        collector_code=r.collector_code,
        agent_code=r.agent_code,
    )


def enrolments_without_receipt(
    enrolments: Table,
    receipts: Table,
    collectors: Table,
    matches: Table,
    day: dt.date,
    p: RiskParams,
) -> Table:
    agent_of = collectors.select(
        c_code=collectors.collector_code, c_agent=collectors.agent_code
    ).distinct()
    agent_of = agent_of.group_by("c_code").aggregate(c_agent=agent_of.c_agent.min())
    window = receipts.group_by(w_agent=receipts.agent_code).aggregate(
        w_from=receipts.period_start.cast("date").min()
    )
    e = enrolments.filter(
        enrolments.collector_code.notnull()
        & (
            ((enrolments.scheme == "bhyt") & (enrolments.payer == "household"))
            | (enrolments.scheme == "bhxh_voluntary")
        )
        & (enrolments.start_date.cast("date") <= ibis.literal(day))
    )
    e = e.inner_join(agent_of, e.collector_code == agent_of.c_code)
    e = e.inner_join(window, e.c_agent == window.w_agent)
    e = e.filter(e.start_date.cast("date") >= e.w_from)
    e = e.anti_join(matches, e.enrolment_id == matches.enrolment_id)
    start = e.start_date.cast("date")
    last = ibis.least(e.end_date.cast("date").fill_null(FAR), ibis.literal(day))
    months = ibis.least(months_between(start, last), MAX_MONTHS_AT_STAKE)
    return record_case(
        e,
        "enrolment_without_receipt",
        e.enrolment_id,
        e.person_id,
        e.full_name,
        evidence_vi=record_vi(
            "Quá trình", e.enrolment_id, label_or_code(e.scheme, SCHEME_VI), start
        )
        + ", nhân viên thu "
        + e.collector_code,
        period_start=start,
        period_end=e.end_date,
        amount=(months * monthly_amount(e, p)).cast("int64"),
        collector_code=e.collector_code,
        agent_code=e.c_agent,
        hamlet_code=e.hamlet_code,
    )
