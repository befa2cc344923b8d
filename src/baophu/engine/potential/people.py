"""The people the lists are about: every living resident on D with their participation, their
household, their owner in the field and the amounts they would pay.

``owners(store)`` places each hamlet in its commune and office; ``collector_of_households``
gives every household the collector responsible for its hamlet (a hamlet shared by several
collectors is split between them by household, so a household stays with one collector).

``people(...)`` adds to each living resident (``person_key`` the integer form of the ID):

* participation (``potential.state.person_state``), ``age`` and ``working_age`` on D;
* ``classification`` of the household on D (poor / near_poor / farming_average, from the
  communes' lists by household id) and ``voluntary_group`` (poor, near-poor, ethnic
  minority — ethnicity other than Kinh — or other);
* ``hh_covered`` (members with a BHYT card on D) and ``hh_household`` (members with a
  household card on D, the ones the household discount counts);
* ``bhyt_state_paid`` — the state pays this person's card: a child under six, a member of a
  poor household, or someone on a benefit list of the new budget-paid groups;
* ``member_no`` — the number the person would have as a household-BHYT member:
  ``hh_household`` + their rank (oldest first) among the household's members who would
  pay as household members (no card and not state-paid or supported, or losing a subsidy);
  ``hh_rank`` — for a household card in force, its holder's rank among the household's
  household-card holders;
* ``bhyt_amount`` — what a card would cost them a year: the pupils' supported amount for
  someone on a school roster, 0 when the state pays, the supported amount for near-poor and
  farming households, else the household amount of ``member_no``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ibis
from ibis.expr.types import Table

from baophu.backends import Store
from baophu.engine.coverage import retirement_table, with_retirement
from baophu.engine.identity import person_key
from baophu.engine.potential.params import MAX_MEMBER, ListParams
from baophu.engine.potential.state import GROUP_CODE

CLASS_RANK = {"poor": 0, "near_poor": 1, "farming_average": 2}


def owners(units: Table) -> Table:
    """``hamlet_code`` → ``hamlet_name``, ``commune_code``, ``commune_name``, ``office_code``."""
    h = units.filter(units.level == "hamlet").select(
        hamlet_code="unit_code", hamlet_name="unit_name", _parent="parent_code"
    )
    c = units.filter(units.level == "commune").select(
        _c="unit_code", commune_name="unit_name", _office="parent_code"
    )
    j = h.left_join(c, h._parent == c._c)
    return j.select(
        "hamlet_code",
        "hamlet_name",
        commune_code=j._parent,
        commune_name=j.commune_name,
        office_code=j._office,
    )


def communes(units: Table) -> Table:
    """``commune_code`` → ``commune_name``, ``office_code``."""
    c = units.filter(units.level == "commune")
    return c.select(commune_code="unit_code", commune_name="unit_name", office_code="parent_code")


def collector_of_households(households: Table, collectors: Table) -> Table:
    """``household_id`` → ``collector_code``, ``collector_name`` (households of hamlets
    without a collector are left out)."""
    c = collectors.select("collector_code", "hamlet_code", "full_name").distinct()
    by_hamlet = ibis.window(group_by="hamlet_code", order_by="collector_code")
    c = c.mutate(
        _idx=ibis.row_number().over(by_hamlet),
        _k=c.collector_code.count().over(ibis.window(group_by="hamlet_code")),
    ).view()
    hh = households.select("household_id", "hamlet_code")
    hh = hh.mutate(
        _rank=ibis.dense_rank().over(ibis.window(group_by="hamlet_code", order_by="household_id"))
    )
    j = hh.join(c, [hh.hamlet_code == c.hamlet_code, (hh._rank % c._k) == c._idx])
    return j.select(
        household_id=hh.household_id, collector_code=c.collector_code, collector_name=c.full_name
    )


def household_class(classifications: Table, p: ListParams) -> Table:
    """``household_id`` → ``classification`` in force on D (poor before near-poor before
    farming when a household is on several lists)."""
    d = ibis.literal(p.reference_date, "date")
    hc = classifications.filter(
        classifications.household_id.notnull()
        & (classifications.valid_from <= d)
        & (classifications.valid_to.isnull() | (classifications.valid_to >= d))
    )
    rank = ibis.cases(*[(hc.classification == k, v) for k, v in CLASS_RANK.items()], else_=9)
    g = hc.mutate(_r=rank).group_by("household_id").aggregate(_r=lambda t: t._r.min())
    back = ibis.cases(*[(g._r == v, k) for k, v in CLASS_RANK.items()], else_=ibis.null("string"))
    return g.select(_hid=g.household_id, classification=back)


def age_on(birth: ibis.Value, p: ListParams) -> ibis.Value:
    """Completed years of age on D."""
    d = p.reference_date
    before = (birth.month() > d.month) | ((birth.month() == d.month) & (birth.day() > d.day))
    return (d.year - birth.year() - ibis.ifelse(before, 1, 0)).cast("int64")


def living_residents(store: Store, state: Table, p: ListParams) -> Table:
    """Living residents on D (the columns the reasons test) with their participation, age
    and working age; names, addresses and owners are added later, to the people listed."""
    d = ibis.literal(p.reference_date, "date")
    r = store.table("residents")
    r = r.filter(
        (r.birth_date <= d)
        & (r.death_date.isnull() | (r.death_date > d))
        & (r.moved_in_date.isnull() | (r.moved_in_date <= d))
        & (r.moved_out_date.isnull() | (r.moved_out_date > d))
    )
    r = r.select(
        "sex",
        "birth_date",
        "ethnicity",
        "household_id",
        person_key=person_key(r.person_id),
    )
    r = with_retirement(r, "birth_date", "sex", retirement_table(p.reference_date))
    st = state.view()
    j = r.left_join(st, r.person_key == st.person_key)
    flags = {f: j[f].fill_null(False) for f in ("bhyt_on", "hh_on", "vol_on", "comp_on")}
    keep = [c for c in state.columns if c not in ("person_key", *flags)]
    month_index = p.reference_date.year * 12 + p.reference_date.month - 1
    age = age_on(j.birth_date, p)
    return j.select(
        *[r[c] for c in r.columns if c != "_reaches"],
        *[j[c] for c in keep],
        **flags,
        age=age,
        working_age=(age >= 15) & (j._reaches.isnull() | (j._reaches >= month_index)),
    )


def may_be_listed(t: Table, p: ListParams) -> ibis.Value:
    """True for anyone some reason could list (a cheap superset of the reasons' tests): no
    card, losing a subsidy, in the voluntary pool, a voluntary lapse or a due date ahead."""
    d = ibis.literal(p.reference_date, "date")
    y0 = ibis.literal(dt.date(p.reference_date.year, 1, 1), "date")
    ahead = d + ibis.interval(days=p.due_days)
    return (
        ~t.bhyt_on
        | t.subsidy_hit
        | (t.working_age & ~t.comp_on & ~t.vol_on)
        | (t.vol_last_end >= y0).fill_null(False)
        | ((t.bhyt_due_end >= d) & (t.bhyt_due_end <= ahead)).fill_null(False)
        | ((t.vol_due_end >= d) & (t.vol_due_end <= ahead)).fill_null(False)
    )


def people(
    store: Store,
    state: Table,
    p: ListParams,
    subsidy_hit: Table,
    state_group: Table,
    pupils: Table,
    cache: Callable[[Table], Table] = lambda t: t,
) -> Table:
    """The living residents some reason could list, with household, owner and amounts (see
    the module docstring); household counts and ranks are taken over every living member.

    ``subsidy_hit``: ``person_key`` of the people losing a subsidy; ``state_group``:
    ``person_key`` of the people the new budget-paid groups cover; ``pupils``: ``person_key``
    of the people identified on a school roster (their card goes through the school, at the
    pupils' supported rate, outside the household count).  ``cache`` keeps the intermediate
    table the household ranks read twice (``Store.temporary_tables``).
    """
    base = living_residents(store, state, p)
    hit = subsidy_hit.select(_hk="person_key", _hit=ibis.literal(True))
    sg = state_group.select(_sk="person_key", _sg=ibis.literal(True)).distinct()
    pu = pupils.select(_pk_p="person_key", _pu=ibis.literal(True)).distinct()
    cls = household_class(store.table("household_classifications"), p)
    b = base.left_join(hit, base.person_key == hit._hk)
    b = b.left_join(sg, b.person_key == sg._sk)
    b = b.left_join(pu, b.person_key == pu._pk_p)
    b = b.left_join(cls, b.household_id == cls._hid)
    eth = b.ethnicity.strip().lower()
    b = b.select(
        *base.columns,
        subsidy_hit=b._hit.fill_null(False),
        state_group=b._sg.fill_null(False),
        on_roster=b._pu.fill_null(False),
        classification=b.classification,
        voluntary_group=ibis.cases(
            (b.classification == "poor", "poor"),
            (b.classification == "near_poor", "near_poor"),
            (eth.notnull() & (eth != "kinh") & (eth != ""), "ethnic_minority"),
            else_="other",
        ),
    ).view()
    poor = (b.classification == "poor").fill_null(False)
    state_paid = (b.age < p.child_state_paid_age) | poor | b.state_group
    supported = b.classification.isin(["near_poor", "farming_average"]).fill_null(False)
    candidate = ~b.on_roster & (b.subsidy_hit | (~b.bhyt_on & ~state_paid & ~supported))
    b = cache(b.mutate(bhyt_state_paid=state_paid, _cand=candidate)).view()
    # per household (every living member): cards, household cards, and the ranks (oldest
    # first) among the would-be household members and among the household-card holders
    counts = b.group_by(_hc="household_id").aggregate(
        hh_covered=ibis.ifelse(b.bhyt_on, 1, 0).sum().cast("int64"),
        hh_household=ibis.ifelse(b.hh_on, 1, 0).sum().cast("int64"),
    )
    order = ibis.window(group_by="household_id", order_by=["birth_date", "person_key"])
    cand = b.filter(b._cand).select(_pk_c="person_key", _rank_c=ibis.row_number().over(order) + 1)
    hold = b.filter(b.hh_on).select(_pk_h="person_key", hh_rank=ibis.row_number().over(order) + 1)
    listed = b.filter(may_be_listed(b, p))
    j = listed.join(counts, listed.household_id == counts._hc)
    j = j.left_join(cand, j.person_key == cand._pk_c)
    j = j.left_join(hold, j.person_key == hold._pk_h)
    member_no = ibis.ifelse(j._rank_c.notnull(), j.hh_household + j._rank_c, ibis.null("int64"))
    j = j.select(
        *[c for c in b.columns if c != "_cand"],
        "hh_covered",
        "hh_household",
        member_no=member_no.cast("int64"),
        hh_rank=j.hh_rank.cast("int64"),
    ).view()
    hh_amount = household_amount(j.member_no, p)
    amount = ibis.cases(
        (j.on_roster & ((j.age >= 6) | j.subsidy_hit), p.supported_yearly["student"]),
        (j.subsidy_hit, hh_amount),
        (j.bhyt_state_paid, 0),
        (j.classification == "near_poor", p.supported_yearly["near_poor"]),
        (j.classification == "farming_average", p.supported_yearly["farming_average"]),
        else_=hh_amount,
    )
    pov = ibis.literal(p.poverty_line, "int64")
    last_income = ibis.ifelse(j.vol_last_income > 0, j.vol_last_income, pov).cast("int64")
    due_income = ibis.ifelse(j.vol_due_income > 0, j.vol_due_income, pov).cast("int64")
    out = j.mutate(
        bhyt_amount=amount.cast("int64"),
        due_amount=due_amount(j.bhyt_due_group, j.hh_rank, p),
        vol_subsidy=voluntary_subsidy(j.voluntary_group, p),
        vol_min_payable=ibis.cases(
            *[(j.voluntary_group == g, v) for g, v in p.voluntary_min_payable.items()],
            else_=p.voluntary_min_payable["other"],
        ).cast("int64"),
        vol_last_income=last_income,
        vol_last_payable=voluntary_payable(last_income, j.voluntary_group, p),
        vol_due_income=due_income,
        vol_due_payable=voluntary_payable(due_income, j.voluntary_group, p),
    )
    return with_display(store, out)


def with_display(store: Store, t: Table) -> Table:
    """``t`` (with ``person_key``, ``household_id``) with the register's ID, name and phone,
    the household's address and hamlet, the hamlet's commune and office, the collector."""
    r = store.table("residents")
    r = r.select(
        _rk=person_key(r.person_id),
        person_id=r.person_id,
        full_name=r.full_name,
        phone=r.phone,
        hamlet_code=r.hamlet_code,
    )
    hh = store.table("households").select(_h="household_id", address="address")
    own = owners(store.table("units")).rename(_oh="hamlet_code")
    coll = collector_of_households(store.table("households"), store.table("collectors"))
    coll = coll.select(
        _ch="household_id", collector_code="collector_code", collector_name="collector_name"
    )
    out = t.join(r, t.person_key == r._rk).drop("_rk")
    out = out.left_join(hh, out.household_id == hh._h).drop("_h")
    out = out.left_join(own, out.hamlet_code == own._oh).drop("_oh")
    return out.left_join(coll, out.household_id == coll._ch).drop("_ch")


def household_amount(member_no: ibis.Value, p: ListParams) -> ibis.Value:
    """The household-BHYT yearly amount of member number ``member_no`` (1 when null)."""
    n = member_no.fill_null(1)
    return ibis.cases(
        *[(n == k + 1, p.household_yearly[k]) for k in range(MAX_MEMBER - 1)],
        else_=p.household_yearly[MAX_MEMBER - 1],
    ).cast("int64")


def due_amount(group: ibis.Value, hh_rank: ibis.Value, p: ListParams) -> ibis.Value:
    """What renewing a self-paid card costs a year, by the card's group."""
    return ibis.cases(
        (group == GROUP_CODE["farming_average"], p.supported_yearly["farming_average"]),
        (group == GROUP_CODE["student"], p.supported_yearly["student"]),
        (group == GROUP_CODE["near_poor"], p.supported_yearly["near_poor"]),
        else_=household_amount(hh_rank, p),
    ).cast("int64")


def voluntary_subsidy(group: ibis.Value, p: ListParams) -> ibis.Value:
    """The state's monthly voluntary-BHXH subsidy for ``voluntary_group``."""
    return ibis.cases(*[(group == g, v) for g, v in p.voluntary_subsidy.items()], else_=0).cast(
        "int64"
    )


def voluntary_payable(income: ibis.Value, group: ibis.Value, p: ListParams) -> ibis.Value:
    """Monthly payable on ``income``: 22 % of it rounded half-up, less the group's subsidy."""
    gross = (income.cast("int64") * p.voluntary_rate_e4 + 5_000) // 10_000
    return (gross - voluntary_subsidy(group, p)).cast("int64")
