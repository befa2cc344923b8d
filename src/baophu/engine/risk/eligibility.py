"""Budget-paid eligibility beyond the household lists: pupils' and students' cards of people
the rosters show leaving school, and the benefit-list groups' cards of people on no benefit
list in force (docs/risk.md).

* ``student_ineligible`` — a student card (group ``student``, the budget supports it) valid
  on the reference date D, of a living person linked to a roster row of an earlier school
  year, whose school has sent the roster of the school year in force on D (1 October to 30
  September), while the person is on no roster of that school year or later — neither
  linked to a row (by ID, or by the linkage step's ``person_links``) nor matching one by
  folded name and birth date (day and month may be swapped).  A card holder no roster row
  links is never a case: the rosters do not show them leaving.
* ``benefit_ineligible`` — a card of a benefit-list group (``social_pension``,
  ``survivor_allowance``: the state budget pays) valid on D, of a living person whose
  commune has sent that benefit's list in D's year, while the person is on no row of it
  with the benefit in force on D (``benefit_to`` empty or on or after D) — neither by ID
  (birth dates agreeing) nor by folded name and birth date.

Amount: the budget's part of the card's months after the reference month — to the card's
end, or, for an open card, to December of D's year (the budget pays by the year) — at the
BHYT rate on the base salary: all of it for a benefit group, the student support share
(``bhyt_support.student``) for a student card.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.engine.identity import (
    births_agree,
    births_agree_expr,
    name_folded_expr,
    name_key_expr,
    normalise_person_id,
    person_key,
)
from baophu.engine.risk.kinds import record_case, record_vi
from baophu.engine.risk.params import RiskParams
from baophu.engine.risk.persons import month_index
from baophu.engine.text import dmy, label_or_code

BENEFIT_GROUPS = ("social_pension", "survivor_allowance")
BENEFIT_VI = {
    "social_pension": "hưởng trợ cấp hưu trí xã hội",
    "survivor_allowance": "hưởng trợ cấp tuất hằng tháng",
}


def school_year_of(day: dt.date) -> int:
    """The first calendar year of the school year in force on ``day`` (cards run from 1
    October to 30 September)."""
    return day.year if day.month >= 10 else day.year - 1


def roster_record_id(r: Table) -> ibis.Value:
    """The linkage step's ``record_id`` of a roster row (the contract key joined by ``|``)."""
    return (
        r.school_year.cast("string").fill_null("")
        + "|"
        + r.school_code.cast("string").fill_null("")
        + "|"
        + r.class_name.cast("string").fill_null("")
        + "|"
        + r.row_no.cast("string").fill_null("")
    )


def _folded(name: ibis.Value) -> ibis.Value:
    return name_folded_expr(name_key_expr(name))


def _valid_cards(s: Table, groups: list[str], day: dt.date) -> Table:
    d = ibis.literal(day)
    return s.filter(
        (s.scheme == "bhyt")
        & s.group.isin(groups)
        & (s.start <= d)
        & (s.open_end >= d)
        & (s.death.isnull() | (s.death > d))
    )


def _amount(t: Table, day: dt.date, monthly: float) -> ibis.Value:
    """The card's months after the reference month (an open card: to December of D's year)
    at ``monthly``."""
    year_end = dt.date(day.year, 12, 31)
    last = ibis.ifelse(t.end.isnull(), ibis.literal(year_end), t.open_end)
    months = ibis.greatest(month_index(last) - month_index(ibis.literal(day)), 0)
    return (months * monthly).round(0).cast("int64")


def student_ineligible(
    s: Table,
    rosters: Table,
    residents: Table,
    roster_links: Table | None,
    day: dt.date,
    p: RiskParams,
) -> Table:
    """Student cards of people the rosters show leaving school (module docstring)."""
    now = school_year_of(day)
    r = rosters.mutate(
        _y=rosters.school_year.cast("string").substr(0, 4).try_cast("int64"),
        _rid=roster_record_id(rosters),
    )
    res = residents.select(_rk=person_key(residents.person_id), _rb=residents.birth_date)
    by_id = r.mutate(_key=person_key(normalise_person_id(r.person_id)))
    by_id = by_id.inner_join(res, by_id._key == res._rk)
    by_id = by_id.filter(births_agree(by_id.birth_date, by_id._rb))
    linked = by_id.select("_rid", _pk=by_id._rk)
    if roster_links is not None:
        lk = roster_links.select(_rid=roster_links.record_id, _pk=roster_links.person_key)
        linked = ibis.union(linked, lk.cast({"_pk": "int64"}), distinct=True)
    rl = r.inner_join(linked, r._rid == linked._rid)
    earlier = rl.filter(rl._y < now)
    last = earlier.group_by(e_pk=earlier._pk).aggregate(e_year=earlier._y.max())
    last_rows = earlier.inner_join(last, [earlier._pk == last.e_pk, earlier._y == last.e_year])
    last_rows = last_rows.group_by(l_pk=last_rows._pk).aggregate(
        l_year=last_rows.school_year.min(),
        l_school=last_rows.school_code.min(),
        l_school_name=last_rows.school_name.min(),
        l_class=last_rows.class_name.min(),
    )
    sent = r.filter(r._y == now).select(x_school=r.school_code).distinct()
    left = last_rows.inner_join(sent, last_rows.l_school == sent.x_school)
    still = rl.filter(rl._y >= now).select(n_pk=rl._pk).distinct()

    cards = _valid_cards(s, ["student"], day)
    c = cards.inner_join(left, cards.pk == left.l_pk)
    c = c.anti_join(still, c.pk == still.n_pk)
    # a later roster row the IDs did not link, with the holder's name and birth date
    later = r.filter(r._y >= now).select(
        m_name=_folded(r.full_name), m_birth=r.birth_date.cast("date")
    )
    c = c.mutate(_name=_folded(c.name))
    hit = c.inner_join(
        later, [c._name == later.m_name, births_agree_expr(c.birth, later.m_birth)]
    ).select(h_eid="eid")
    c = c.anti_join(hit, c.eid == hit.h_eid)
    current = f"{now}-{now + 1}"
    return _card_case(
        c,
        "student_ineligible",
        day,
        p.bhyt_base_monthly * p.student_support,
        record_vi("Thẻ", c.eid, "học sinh, sinh viên", c.start)
        + "; có trong danh sách lớp "
        + c.l_class
        + ", "
        + c.l_school_name
        + " năm học "
        + c.l_year
        + f", không có trong danh sách năm học {current} (nhà trường đã gửi)",
        ibis.literal(day),
    )


def benefit_ineligible(
    s: Table, benefits: Table, units: Table, day: dt.date, p: RiskParams
) -> Table:
    """Cards of the benefit-list groups of people on no list in force (module docstring)."""
    d = ibis.literal(day)
    b = benefits.filter(
        (benefits.list_month.cast("date").year() == day.year)
        & (benefits.list_month.cast("date") <= d)
    )
    sent = b.select(x_commune=b.commune_code, x_benefit=b.benefit).distinct()
    inforce = b.filter(b.benefit_to.isnull() | (b.benefit_to.cast("date") >= d))
    rows_ = inforce.select(
        b_key=person_key(normalise_person_id(inforce.person_id)),
        b_benefit=inforce.benefit,
        b_commune=inforce.commune_code,
        b_name=_folded(inforce.full_name),
        b_birth=inforce.birth_date.cast("date"),
    )
    hamlets = units.filter(units.level == "hamlet").select(
        u_hamlet=units.unit_code, u_commune=units.parent_code
    )

    cards = _valid_cards(s, list(BENEFIT_GROUPS), day)
    cards = cards.filter(cards.payer == "state_budget")
    c = cards.inner_join(hamlets, cards.hamlet == hamlets.u_hamlet)
    c = c.inner_join(sent, [c.u_commune == sent.x_commune, c.group == sent.x_benefit])
    c = c.mutate(_name=_folded(c.name))
    on_id = c.inner_join(
        rows_,
        [c.pk == rows_.b_key, c.group == rows_.b_benefit, births_agree(c.birth, rows_.b_birth)],
    ).select(h_eid="eid")
    on_name = c.inner_join(
        rows_,
        [
            c._name == rows_.b_name,
            c.group == rows_.b_benefit,
            c.u_commune == rows_.b_commune,
            births_agree_expr(c.birth, rows_.b_birth),
        ],
    ).select(h_eid="eid")
    c = c.anti_join(on_id, c.eid == on_id.h_eid)
    c = c.anti_join(on_name, c.eid == on_name.h_eid)
    return _card_case(
        c,
        "benefit_ineligible",
        day,
        float(p.bhyt_base_monthly),
        record_vi(
            "Thẻ", c.eid, ibis.literal("người ") + label_or_code(c.group, BENEFIT_VI), c.start
        )
        + f": không có trong danh sách hưởng trợ cấp năm {day.year} của xã "
        + c.u_commune
        + " còn hưởng ngày "
        + dmy(d),
        d,
    )


def _card_case(
    c: Table, kind: str, day: dt.date, monthly: float, evidence_vi: ibis.Value, start: ibis.Value
) -> Table:
    """One case per budget-paid card of ``c``: evidence the card, from ``start`` to the card's
    end, the budget's ``monthly`` part of its remaining months as the amount."""
    return record_case(
        c,
        kind,
        c.eid,
        c.pid,
        c.name,
        evidence_vi=evidence_vi,
        period_start=start,
        period_end=c.end,
        amount=_amount(c, day, monthly),
        collector_code=c.collector,
        hamlet_code=c.hamlet,
    )
