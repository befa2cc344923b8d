"""Each linked person's participation on the reference date D, in one pass over the spells.

``spells(store)`` links every enrolment to the register (``identity.link_enrolments``) and
keeps, as small codes, what the lists read: scheme, group, payer, employer, start, end and the
chosen income.  ``person_state(spells, params)`` then gives one row per ``person_key``:

* ``bhyt_on`` / ``hh_on`` / ``vol_on`` / ``comp_on`` — a BHYT card (any group) / a household
  card / voluntary BHXH / compulsory BHXH in force on D, in any province;
* ``bhyt_last_end``, ``bhyt_last_payer``, ``bhyt_last_group`` — the latest end of the BHYT
  cards that began by D and ended before D, and who paid that card;
* ``bhyt_due_end``, ``bhyt_due_group`` — the latest end of the cards in force on D (null when
  one of them is open) and its group; ``bhyt_next_start`` — the first card starting after D;
* ``vol_last_end``, ``vol_last_income``, ``vol_due_end``, ``vol_due_income``,
  ``vol_next_start`` — the same for voluntary BHXH, with the chosen monthly income;
* ``sub_end``, ``sub_group`` — the latest end, between D − gap and D + ``subsidy_days``, of a
  subsidised card (near-poor, child under six, ethnic minority of a disadvantaged commune).

"The latest end and its group" is one ``max`` over an integer that packs the date and the
code (days × 1000 + code), so there is no second pass and no backend-specific ``max_by``.
``continued_after(spells, ends)`` is the second pass the lost-subsidy list needs: whether
another card covers the day after that end.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from baophu.backends import Store
from baophu.contracts.tables import PARTICIPANT_GROUPS, PAYERS, SCHEMES
from baophu.contracts.vocabularies import SUBSIDY_GROUPS
from baophu.engine.identity import LINK_INPUTS, accepted_links, link_enrolments
from baophu.engine.potential.params import ListParams
from baophu.engine.potential.text import date_of, days_of

FAR = ibis.date(2999, 12, 31)
CODE = 1000  # packing factor for group / payer codes (< 1000)
INCOME = 10**8  # packing factor for incomes (< 100,000,000)
SCHEME_CODE = {s: i for i, s in enumerate(SCHEMES)}
GROUP_CODE = {g: i for i, g in enumerate(PARTICIPANT_GROUPS)}
PAYER_CODE = {p: i for i, p in enumerate(PAYERS)}
BHYT, COMPULSORY, VOLUNTARY = (
    SCHEME_CODE["bhyt"],
    SCHEME_CODE["bhxh_compulsory"],
    SCHEME_CODE["bhxh_voluntary"],
)
SPELL_COLUMNS = (
    "person_key",
    "sc",
    "grp",
    "pay",
    "start_date",
    "end_date",
    "wage",
)


def _code(column: ibis.Value, codes: dict[str, int]) -> ibis.Value:
    return ibis.cases(*[(column == k, v) for k, v in codes.items()], else_=-1).cast("int16")


def spells(store: Store) -> Table:
    """Linked spells as small codes (``SPELL_COLUMNS``): ``sc`` scheme, ``grp`` group and
    ``pay`` payer indices (contract order), ``wage`` the contribution wage or chosen income."""
    e = store.table("enrolments")
    pre = e.select(
        *LINK_INPUTS,
        "start_date",
        "end_date",
        sc=_code(e.scheme, SCHEME_CODE),
        grp=_code(e.participant_group, GROUP_CODE),
        pay=_code(e.payer, PAYER_CODE),
        wage=e.contribution_wage,
    )
    out = link_enrolments(
        pre, store.table("residents"), store.table("units"), accepted_links(store)
    )
    return out.filter(out.person_key.notnull()).select(*SPELL_COLUMNS)


def _decode(packed: ibis.Value, factor: int) -> tuple[ibis.Value, ibis.Value]:
    """(date, code) from ``days × factor + code`` (null stays null)."""
    return date_of(packed // factor), packed % factor


def person_state(s: Table, p: ListParams) -> Table:
    """One row per linked person (see the module docstring)."""
    d = ibis.literal(p.reference_date, "date")
    end = s.end_date.fill_null(FAR)
    active = (s.start_date <= d) & (end >= d)
    bhyt = s.sc == BHYT
    vol = s.sc == VOLUNTARY
    comp = s.sc == COMPULSORY
    began = s.start_date <= d
    ended = began & s.end_date.notnull() & (s.end_date < d)
    later = s.start_date > d
    code = s.pay.cast("int64") * 100 + s.grp.cast("int64")
    income = s.wage.fill_null(0).cast("int64")
    lo = ibis.literal(p.reference_date, "date") - ibis.interval(days=p.gap_days)
    hi = ibis.literal(p.reference_date, "date") + ibis.interval(days=p.subsidy_days)
    subsidised = s.grp.isin([GROUP_CODE[g] for g in SUBSIDY_GROUPS])
    sub = bhyt & subsidised & (s.start_date <= hi) & s.end_date.notnull()
    sub = sub & (s.end_date >= lo) & (s.end_date <= hi)

    def any_(cond: ibis.Value) -> ibis.Value:
        return ibis.ifelse(cond, 1, 0).max()

    def packed_max(cond: ibis.Value, day: ibis.Value, value: ibis.Value, f: int) -> ibis.Value:
        return ibis.ifelse(cond, days_of(day) * f + value, ibis.null("int64")).max()

    def first_day(cond: ibis.Value) -> ibis.Value:
        return ibis.ifelse(cond, s.start_date, ibis.null("date")).min()

    g = s.group_by("person_key").aggregate(
        _bhyt_on=any_(bhyt & active),
        _hh_on=any_(bhyt & active & (s.grp == GROUP_CODE["household"])),
        _vol_on=any_(vol & active),
        _comp_on=any_(comp & active),
        _bhyt_last=packed_max(bhyt & ended, s.end_date, code, CODE),
        _bhyt_due=packed_max(bhyt & active, end, s.grp.cast("int64"), CODE),
        bhyt_next_start=first_day(bhyt & later),
        _vol_last=packed_max(vol & ended, s.end_date, income, INCOME),
        _vol_due=packed_max(vol & active, end, income, INCOME),
        vol_next_start=first_day(vol & later),
        _sub=packed_max(sub, s.end_date, s.grp.cast("int64"), CODE),
    )
    last_end, last_code = _decode(g._bhyt_last, CODE)
    due_end, due_group = _decode(g._bhyt_due, CODE)
    vlast_end, vlast_income = _decode(g._vol_last, INCOME)
    vdue_end, vdue_income = _decode(g._vol_due, INCOME)
    sub_end, sub_group = _decode(g._sub, CODE)
    return g.select(
        "person_key",
        bhyt_on=g._bhyt_on == 1,
        hh_on=g._hh_on == 1,
        vol_on=g._vol_on == 1,
        comp_on=g._comp_on == 1,
        bhyt_last_end=last_end,
        bhyt_last_payer=(last_code // 100).cast("int16"),
        bhyt_last_group=(last_code % 100).cast("int16"),
        bhyt_due_end=ibis.ifelse(due_end == FAR, ibis.null("date"), due_end),
        bhyt_due_group=due_group.cast("int16"),
        bhyt_next_start="bhyt_next_start",
        vol_last_end=vlast_end,
        vol_last_income=vlast_income,
        vol_due_end=ibis.ifelse(vdue_end == FAR, ibis.null("date"), vdue_end),
        vol_due_income=vdue_income,
        vol_next_start="vol_next_start",
        sub_end=sub_end,
        sub_group=sub_group.cast("int16"),
    )


def continued_after(s: Table, ends: Table) -> Table:
    """``person_key`` of the people in ``ends`` (``person_key``, ``_end``) who hold another
    BHYT card covering the day after ``_end``."""
    e = ends.select(_pk=ends.person_key, _e=ends._end)
    j = s.join(e, s.person_key == e._pk)
    covers = (
        (j.sc == BHYT)
        & (j.start_date <= j._e + ibis.interval(days=1))
        & (j.end_date.isnull() | (j.end_date > j._e))
    )
    return j.filter(covers).select(person_key=j._pk).distinct()


def employer_of_last(store: Store, lapsed: Table, p: ListParams) -> Table:
    """The employer (the smallest code when several) of each ``lapsed`` person's last
    employer-paid BHYT card, the one ending on ``_end``: ``person_key``, ``employer_code``.

    Only the employer-paid cards that ended this year are linked again (the same rows, the
    same links as ``spells``), so the spells need not carry employer codes.
    """
    d = ibis.literal(p.reference_date, "date")
    y0 = ibis.literal(dt.date(p.reference_date.year, 1, 1), "date")
    e = store.table("enrolments")
    e = e.filter(
        (e.scheme == "bhyt")
        & (e.payer == "employer")
        & e.end_date.notnull()
        & (e.end_date >= y0)
        & (e.end_date < d)
    )
    pre = e.select(
        "enrolment_id",
        "person_id",
        "si_code",
        "birth_date",
        "hamlet_code",
        "employer_code",
        "end_date",
    )
    linked = link_enrolments(
        pre, store.table("residents"), store.table("units"), accepted_links(store)
    )
    linked = linked.filter(linked.person_key.notnull())
    x = lapsed.select(_pk=lapsed.person_key, _e=lapsed._end)
    j = linked.join(x, [linked.person_key == x._pk, linked.end_date == x._e])
    return j.group_by(person_key=j._pk).aggregate(employer_code=j.employer_code.min())
