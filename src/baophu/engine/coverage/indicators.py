"""Coverage indicators for every unit and any list of reference dates, in one pass.

Definitions (docs/indicators.md has them with their formulas; the output columns carry the
same names):

* ``population`` — residents in the register born (or moved in) on or before D, not dead
  and not moved out on D (``death_date ≤ D`` or ``moved_out_date ≤ D`` ends membership);
* ``labour_force_register`` — population of working age on D: from the 15th birthday to the
  end of the month the statutory retirement age is reached (rules' retirement table, by sex
  and birth month); ``labour_force`` is the official figure where one is given, else this;
* ``bhyt_insured`` — the official count: distinct people with a BHYT spell in force on D held
  by this province (``enrol_province_code``), residents counted in their register hamlet,
  non-residents placed at their employer's commune (the province when there is none);
  ``bhyt_insured_nonresident`` is the non-resident part; ``residents_insured_elsewhere`` are
  residents whose only BHYT on D is held by another province (not in ``bhyt_insured``);
  ``residents_insured_any`` = residents insured in any province;
* ``compulsory_participants``, ``voluntary_participants``, ``bhxh_participants`` (either),
  ``bhtn_participants`` — distinct people with a spell in force on D held here, placed as
  above; ``*_nonresident`` and ``residents_*_elsewhere`` as for BHYT;
* ``compulsory_participants_workplace`` — the same people placed by their employer's commune
  (the basis of the compulsory rate; no hamlet figure) and ``compulsory_required``;
* ``voluntary_pool`` — working-age population not in compulsory BHXH (any province) on D;
* ``deceased_enrolled`` — residents dead on D with a spell held here still in force (not
  counted anywhere else).

Spells of a resident count only while they live here: not before they moved in, not from
the day they die or move out.  A person counts once per indicator
however many spells they have (duplicates and overlaps included).  Unlinked enrolments (see
``identity``) are not counted; ``identity_unlinked`` reports them by reason.

The computation runs in stages so that each query stays small: ``linked_codes`` (every
enrolment linked and reduced to small codes; stored once per imported state as the
``linked_spells`` mart, ordered by person), ``person_coverage`` (one row per resident or
linked non-resident with one bitmask per kind of spell, see ``coverage.masks``),
``person_types`` (people with the same unit and masks, counted), ``coverage_counts`` (wide
counts per unit and date, rolled up the hierarchy) and ``coverage_table`` (official labour
force, rates, names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import pyarrow as pa
from ibis.expr.types import IntegerValue, Table

from baophu.engine.coverage.masks import (
    Calendar,
    all_ones,
    and_not,
    bit,
    cumulate,
    dates_table,
    int_sum,
    mask_events,
    range_mask,
    span_bounds,
    span_mask,
)
from baophu.engine.coverage.required import compulsory_required
from baophu.engine.identity import (
    BHTN_HERE,
    BHYT_HERE,
    COMP_HERE,
    GROUP_RANK,
    NON_RESIDENT,
    PAYER_RANK,
    RESIDENT_STATUSES,
    SCHEME_INDEX,
    STATUS_METHOD,
    STATUS_REASON,
    VOL_HERE,
    decode_status,
    person_key,
)
from baophu.engine.units import LEVELS, roll_up
from baophu.rules import retirement_month_table

DEAD_OPEN = 8
MIN_WORKING_AGE = 15
TABLE_FIRST_BIRTH_YEAR = 1900

# Counted from people, per unit of residence (non-residents at their placement).
RESIDENCE_MEASURES: tuple[str, ...] = (
    "population",
    "labour_force_register",
    "bhyt_insured",
    "bhyt_insured_nonresident",
    "residents_insured_elsewhere",
    "residents_insured_any",
    "compulsory_participants",
    "voluntary_participants",
    "bhxh_participants",
    "bhxh_participants_nonresident",
    "residents_bhxh_elsewhere",
    "bhtn_participants",
    "bhtn_participants_nonresident",
    "residents_bhtn_elsewhere",
    "working_age_in_compulsory",
    "deceased_enrolled",
)
WORKPLACE_MEASURES: tuple[str, ...] = ("compulsory_participants_workplace", "compulsory_required")
COUNT_COLUMNS: tuple[str, ...] = (*RESIDENCE_MEASURES, *WORKPLACE_MEASURES)


@dataclass(frozen=True)
class CoverageTables:
    """The Ibis tables coverage reads besides the spells (``ancestors`` is
    ``units.ancestors(units)``, usually the ``unit_ancestors`` mart)."""

    units: Table
    ancestors: Table
    residents: Table
    employers: Table
    ledger: Table
    tax_returns: Table
    business_registry: Table


# --------------------------------------------------------------------------- working age


def retirement_table(last_reference: date) -> Table:
    """``_r_sex``, ``_r_birth_index`` (year × 12 + month − 1) and ``_r_reaches_index`` (the
    month the retirement age is reached, same indexing) from the rules' retirement table."""
    last_year = max(last_reference.year - MIN_WORKING_AGE + 1, TABLE_FIRST_BIRTH_YEAR + 1)
    rows = retirement_month_table(first_year=TABLE_FIRST_BIRTH_YEAR, last_year=last_year)

    def index(ym: str) -> int:
        return int(ym[:4]) * 12 + int(ym[5:7]) - 1

    return ibis.memtable(
        pa.table(
            {
                "_r_sex": [r["sex"] for r in rows],
                "_r_birth_index": pa.array([index(r["birth_ym"]) for r in rows], pa.int64()),
                "_r_reaches_index": pa.array([index(r["reaches_ym"]) for r in rows], pa.int64()),
            }
        )
    )


def working_age_mask(cal: Calendar, birth: ibis.Value, reaches_index: IntegerValue) -> IntegerValue:
    """Dates on which a person is of working age: from the 15th birthday (29 February
    counts as 28 February in common years) to the end of the month the retirement age is
    reached (``reaches_index``, from ``retirement_table``)."""
    lo = cal.before(birth + ibis.interval(years=MIN_WORKING_AGE))
    hi = cal.month_index_bound(reaches_index) - 1
    return range_mask(lo, hi)


def with_retirement(t: Table, birth: str, sex: str, retirement: Table) -> Table:
    """``t`` with ``_reaches``: the month index its person reaches the retirement age."""
    bidx = t[birth].year() * 12 + t[birth].month() - 1
    t = t.mutate(_birth_index=bidx.cast("int64")).view()
    j = t.left_join(
        retirement,
        [t[sex] == retirement._r_sex, t._birth_index == retirement._r_birth_index],
    )
    return j.select(*[c for c in t.columns if c != "_birth_index"], _reaches=j._r_reaches_index)


def _unpack(packed: IntegerValue, second: bool, n: int) -> IntegerValue:
    """One class's mask from a pair packed by ``person_coverage`` (``n`` bits each)."""
    if second:
        return ((packed >> n) & all_ones(n)).cast("int64")
    return (packed & all_ones(n)).cast("int64")


def person_coverage(
    codes: Table,
    residents: Table,
    employers: Table,
    dates: Sequence[date],
    province_code: str,
) -> Table:
    """One row per resident of the register, and one per linked non-resident with a spell
    (all masks 0 when none is in force on any of ``dates``).

    Columns: ``resident``, ``unit_code`` (register hamlet; a non-resident's placement),
    ``pop`` (dates on which the resident is born or moved in, alive and not moved out),
    ``wa`` (dates of working age;
    residents), ``m0 … m8`` (the dates on which each kind of spell covers them: BHYT,
    compulsory, voluntary, BHTN × held here / elsewhere, then the spells held here that run
    past the resident's death) and ``bhyt_code`` (precedence code of their BHYT held here in
    force on the last date).

    One aggregation over the spells (``codes``, ordered by person in the ``linked_spells``
    mart): a spell's dates are a range of bits, a person's dates the bitwise OR of their
    spells' ranges — two classes packed in one 64-bit integer — then one join with the
    register, which also carries the people with no spell into the population.
    """
    cal = Calendar(dates)
    n = cal.n
    e = codes.filter(codes.person_key.notnull() & codes.cls.notnull())
    # no filter on the date range: a spell in force on no date has mask 0 and adds nothing
    e = e.mutate(_mask=span_mask(cal, e.start_date, ends_inclusive=[e.end_date]))
    mask = e._mask
    zero = ibis.literal(0, "int64")
    packed = {
        f"_p{s}": ibis.ifelse(
            e.cls == 2 * s, mask, ibis.ifelse(e.cls == 2 * s + 1, mask << n, zero)
        ).bit_or()
        for s in range(4)
    }
    # in force on the last date: bit n − 1, the highest, is set
    last_bhyt = (e.cls == BHYT_HERE) & (mask >= 1 << (n - 1))
    agg = e.group_by(_pk=e.person_key).aggregate(
        **packed, _code=ibis.ifelse(last_bhyt, e.code, ibis.null("int16")).min()
    )
    # a non-resident counts at the commune of an employer of theirs here (smallest code)
    nr = codes.filter((codes.link_status == NON_RESIDENT) & codes.employer_code.notnull())
    emp = employers.select(_ec=employers.employer_code, _commune=employers.commune_code)
    nr = nr.join(emp, nr.employer_code == emp._ec)
    placed = nr.group_by(_nk=nr.person_key).aggregate(_placed=nr._commune.min())

    r = residents.select(
        _rid=person_key(residents.person_id),
        _hamlet=residents.hamlet_code,
        _birth=residents.birth_date,
        _sex=residents.sex,
        _death=residents.death_date,
        _in=residents.moved_in_date,
        _out=residents.moved_out_date,
        _res=ibis.literal(True),
    )
    r = with_retirement(r, "_birth", "_sex", retirement_table(cal.last))
    # living here: from birth, or from moving in, until death or moving out
    since = ibis.greatest(r._birth, ibis.coalesce(r._in, r._birth))
    r = r.mutate(
        _pop=span_mask(cal, since, ends_exclusive=[r._death, r._out]),
        _wa=working_age_mask(cal, r._birth, r._reaches),
        # dates before the resident's death (every date when alive)
        _alive=span_mask(cal, None, ends_exclusive=[r._death]),
        # dates the resident lived here (spells count only then)
        _lived=span_mask(
            cal, ibis.coalesce(r._in, ibis.date(1900, 1, 1)), ends_exclusive=[r._death, r._out]
        ),
    )
    j = r.outer_join(agg, r._rid == agg._pk)
    j = j.left_join(placed, j._pk == placed._nk)
    resident = j._res.notnull()
    everyday = ibis.literal(all_ones(n), "int64")
    alive = ibis.ifelse(resident, j._alive, everyday)
    lived = ibis.ifelse(resident, j._lived, everyday)
    raw = [_unpack(j[f"_p{c // 2}"].fill_null(0), c % 2 == 1, n) for c in range(DEAD_OPEN)]
    here = raw[BHYT_HERE] | raw[COMP_HERE] | raw[VOL_HERE] | raw[BHTN_HERE]
    masks = {f"m{c}": (raw[c] & lived).cast("int64") for c in range(DEAD_OPEN)}
    masks[f"m{DEAD_OPEN}"] = and_not(here, alive, n).cast("int64")
    alive_last = bit(lived, n - 1) == 1
    return j.select(
        resident=resident,
        unit_code=ibis.ifelse(resident, j._hamlet, j._placed.fill_null(province_code)),
        pop=ibis.ifelse(resident, j._pop, 0).cast("int64"),
        wa=ibis.ifelse(resident, j._wa, 0).cast("int64"),
        **masks,
        bhyt_code=ibis.ifelse(alive_last, j._code.cast("int64"), ibis.null("int64")),
    )


def person_types(persons: Table) -> Table:
    """People with the same unit and the same status on every date, counted: the person
    table collapsed (``people`` per row), which is all the counts need."""
    return persons.group_by(list(persons.columns)).aggregate(people=persons.count())


def workplace_masks(
    codes: Table,
    employers: Table,
    ancestors: Table,
    dates: Sequence[date],
    province_code: str,
) -> Table:
    """Compulsory BHXH held here, per person and unit of their employer's commune, its office
    and the province: ``person_key``, ``unit_code``, ``mask`` (spells stop at death)."""
    cal = Calendar(dates)
    comp = codes.filter((codes.cls == COMP_HERE) & codes.person_key.notnull())
    lo, hi = span_bounds(
        cal,
        comp.start_date,
        ends_inclusive=[comp.end_date],
        ends_exclusive=[comp.person_death_date],
    )
    s = comp.select("person_key", "employer_code", mask=range_mask(lo, hi))
    emp = employers.select(_ec=employers.employer_code, _c=employers.commune_code)
    j = s.left_join(emp, s.employer_code == emp._ec)
    j = j.select("person_key", "mask", unit_code=j._c.fill_null(province_code)).view()
    chain = ancestors.filter(
        ancestors.ancestor_level.isin(["province", "office", "commune"])
    ).view()
    x = j.join(chain, j.unit_code == chain.unit_code)
    x = x.select("person_key", "mask", anc=x.ancestor_code)
    return x.group_by(person_key=x.person_key, unit_code=x.anc).aggregate(mask=x.mask.bit_or())


def unlinked_by_reason(codes: Table, on: date) -> Table:
    """``identity_unlinked``: enrolment rows by outcome (``linked`` / ``non_resident`` /
    ``unlinked``), method, reason and scheme: ``rows`` and ``rows_active`` (in force on
    ``on``)."""
    day = ibis.literal(on, "date")
    active = (codes.start_date <= day) & (codes.end_date.isnull() | (codes.end_date >= day))
    status = codes.link_status
    t = codes.mutate(
        _outcome=ibis.cases(
            (status.isin(RESIDENT_STATUSES), "linked"),
            (status == NON_RESIDENT, "non_resident"),
            else_="unlinked",
        ),
        _scheme=ibis.cases(
            *[(codes.cls // 2 == i, s) for s, i in SCHEME_INDEX.items()],
            else_=ibis.null("string"),
        ),
        _active=ibis.ifelse(active.fill_null(False), 1, 0),
    )
    g = t.group_by(outcome=t._outcome, _status=t.link_status, scheme=t._scheme).aggregate(
        rows=t.count(),
        rows_active=int_sum(t._active),
    )
    return g.select(
        "outcome",
        link_method=decode_status(g._status, STATUS_METHOD),
        unlinked_reason=decode_status(g._status, STATUS_REASON),
        scheme=g.scheme,
        rows=g.rows,
        rows_active=g.rows_active,
    )


# ------------------------------------------------------------------------------ counts


def _person_measures(p: Table, n: int) -> dict[str, IntegerValue]:
    zero = ibis.literal(0, "int64")
    res = p.resident
    nonres = ~p.resident
    bhxh_here = p.m2 | p.m4
    bhxh_else = p.m3 | p.m5
    return {
        "bhyt_insured": p.m0,
        "bhyt_insured_nonresident": ibis.ifelse(nonres, p.m0, zero),
        "residents_insured_elsewhere": ibis.ifelse(res, and_not(p.m1, p.m0, n), zero),
        "residents_insured_any": ibis.ifelse(res, p.m0 | p.m1, zero),
        "compulsory_participants": p.m2,
        "voluntary_participants": p.m4,
        "bhxh_participants": bhxh_here,
        "bhxh_participants_nonresident": ibis.ifelse(nonres, bhxh_here, zero),
        "residents_bhxh_elsewhere": ibis.ifelse(res, and_not(bhxh_else, bhxh_here, n), zero),
        "bhtn_participants": p.m6,
        "bhtn_participants_nonresident": ibis.ifelse(nonres, p.m6, zero),
        "residents_bhtn_elsewhere": ibis.ifelse(res, and_not(p.m7, p.m6, n), zero),
        "working_age_in_compulsory": ibis.ifelse(res, p.wa & (p.m2 | p.m3), zero),
        "deceased_enrolled": ibis.ifelse(res, p.m8, zero),
    }


def _count_measures(types: Table, measures: dict[str, IntegerValue]) -> Table:
    """``(unit_code, measure, mask, value)``: the people of each unit by the mask of each
    measure, in one pass over ``types`` (each row unpivoted to one row per measure with a
    set bit, then one aggregation).  A union of one aggregation per measure read the table
    sixteen times; Spark ran each as a stage of its own."""
    pairs = ibis.array(
        [
            ibis.struct({"measure": ibis.literal(name), "mask": m.cast("int64")})
            for name, m in measures.items()
        ]
    )
    long = types.select(unit_code=types.unit_code, _w=types.people, _p=pairs.unnest())
    long = long.select("unit_code", "_w", measure=long._p["measure"], mask=long._p["mask"])
    long = long.filter(long.mask != 0)
    return long.group_by("unit_code", "measure", "mask").aggregate(value=int_sum(long._w))


def _pivot(
    long: Table, keys: Sequence[str], measures: Sequence[str], value: str = "value"
) -> Table:
    """``(keys…, measure, value)`` → one column per measure (summed per key and measure
    first, so the wide aggregation reads one row per key and measure)."""
    summed = long.group_by([*keys, "measure"]).aggregate(_v=int_sum(long[value]))
    aggs = {m: int_sum(ibis.ifelse(summed.measure == m, summed._v, 0)) for m in measures}
    return summed.group_by(list(keys)).aggregate(**aggs)


def roll_up_wide(
    counts: Table, ancestors: Table, values: Sequence[str], levels: Sequence[str] = LEVELS
) -> Table:
    """Sum ``values`` of ``(unit_code, date_index, values…)`` over every ancestor unit."""
    return roll_up(counts, ancestors, values, by=["date_index"], levels=levels)


def coverage_counts(types: Table, ancestors: Table, dates: Sequence[date]) -> Table:
    """Residence-based counts from the person types (``person_types``): ``level``,
    ``unit_code``, ``unit_name``, ``date_index`` and one column per ``RESIDENCE_MEASURES``,
    for every unit with residents or participants."""
    n = Calendar(dates).n
    measures = {
        "population": types.pop,
        "labour_force_register": types.pop & types.wa,
        **_person_measures(types, n),
    }
    events = mask_events(_count_measures(types, measures), n)
    deltas = _pivot(events, ["unit_code", "date_index"], RESIDENCE_MEASURES, value="delta")
    wide = cumulate(deltas, ["unit_code"], n, RESIDENCE_MEASURES)
    return roll_up_wide(wide, ancestors, RESIDENCE_MEASURES)


def workplace_counts(
    masks: Table, tables: CoverageTables, dates: Sequence[date], province_code: str
) -> Table:
    """``compulsory_participants_workplace`` (from ``workplace_masks``) and
    ``compulsory_required`` per unit from the commune up: ``level``, ``unit_code``,
    ``unit_name``, ``date_index`` and the two counts."""
    cal = Calendar(dates)
    n = cal.n
    counted = masks.group_by("unit_code", "mask").aggregate(value=masks.count())
    events = mask_events(counted, n)
    deltas = events.group_by("unit_code", "date_index").aggregate(
        compulsory_participants_workplace=int_sum(events.delta)
    )
    participants = cumulate(deltas, ["unit_code"], n, ["compulsory_participants_workplace"])

    required = compulsory_required(
        tables.employers,
        tables.ledger,
        tables.tax_returns,
        tables.business_registry,
        cal.dates,
        province_code,
    )
    req = required.group_by("unit_code", "date_index").aggregate(
        compulsory_required=int_sum(required.required)
    )
    req = roll_up_wide(
        req, tables.ancestors, ["compulsory_required"], ("province", "office", "commune")
    )
    names = tables.ancestors.filter(tables.ancestors.distance == 0).select(
        _u="unit_code", _level="ancestor_level", _name="ancestor_name"
    )
    both = req.outer_join(
        participants,
        [req.unit_code == participants.unit_code, req.date_index == participants.date_index],
    )
    both = both.select(
        _unit=ibis.coalesce(both.unit_code, both.unit_code_right),
        date_index=ibis.coalesce(both.date_index, both.date_index_right),
        compulsory_participants_workplace=both.compulsory_participants_workplace.fill_null(0),
        compulsory_required=both.compulsory_required.fill_null(0),
    )
    both = both.view()
    out = both.join(names, both._unit == names._u)
    return out.select(
        level=out._level,
        unit_code=out._unit,
        unit_name=out._name,
        date_index=out.date_index,
        compulsory_participants_workplace=out.compulsory_participants_workplace,
        compulsory_required=out.compulsory_required,
    )


def bhyt_by_group(types: Table, ancestors: Table, n: int) -> Table:
    """BHYT insured on the last date by participant group and payer: ``level``,
    ``unit_code``, ``unit_name``, ``participant_group``, ``payer``, ``insured``.  Each person
    counts once, in the group of their card with the highest precedence (``PAYER_RANK``,
    then ``GROUP_RANK``); the groups sum to ``bhyt_insured``."""
    g = types.filter(types.bhyt_code.notnull() & (bit(types.m0, n - 1) == 1))
    counts = g.group_by(unit_code=g.unit_code, _code=g.bhyt_code).aggregate(
        insured=int_sum(g.people)
    )
    rolled = roll_up(counts, ancestors, ["insured"], by=["_code"])
    codes = _code_names()
    out = rolled.join(codes, rolled._code == codes._c)
    return out.select("level", "unit_code", "unit_name", "participant_group", "payer", "insured")


def _code_names() -> Table:
    codes, groups, payers = [], [], []
    for payer, pr in PAYER_RANK.items():
        for group, gr in GROUP_RANK.items():
            codes.append(pr * 100 + gr)
            groups.append(group)
            payers.append(payer)
    return ibis.memtable(
        pa.table(
            {
                "_c": pa.array(codes, pa.int64()),
                "participant_group": groups,
                "payer": payers,
            }
        )
    )


# ------------------------------------------------------------------------------- table


def coverage_table(
    counts: Table,
    workplace: Table,
    units: Table,
    dates: Sequence[date],
    official_labour_force: Table | None = None,
) -> Table:
    """The wide coverage table: one row per unit (of ``units``) and date, every count, the
    labour force used and every rate (fractions; null when the denominator is 0).

    ``official_labour_force`` (``year``, ``unit_code``, ``labour_force``) wins over the
    register's working-age count for the units and years it gives (the latest year on or
    before the date's year).
    """
    d = dates_table(dates)
    base = units.filter(units.level.isin(list(LEVELS))).select(
        "unit_code", "unit_name", "level", "parent_code"
    )
    grid = base.cross_join(d)
    c = counts.drop("level", "unit_name").view()
    j = grid.left_join(c, [grid.unit_code == c.unit_code, grid.date_index == c.date_index])
    j = j.select(grid, *[j[m].fill_null(0).name(m) for m in RESIDENCE_MEASURES])
    w = workplace.drop("level", "unit_name").view()
    j = j.view()
    k = j.left_join(w, [j.unit_code == w.unit_code, j.date_index == w.date_index])
    k = k.select(j, *[k[m].name(m) for m in WORKPLACE_MEASURES])
    if official_labour_force is not None:
        k = _apply_official_labour_force(k, official_labour_force)
    else:
        k = k.mutate(
            labour_force=k.labour_force_register,
            labour_force_source=ibis.literal("register"),
        )
    return with_rates(k)


def _apply_official_labour_force(t: Table, official: Table) -> Table:
    t = t.view()
    o = official.select(_u=official.unit_code, _y=official.year, _lf=official.labour_force)
    j = t.left_join(o, [t.unit_code == o._u, o._y <= t.reference_date.year()])
    latest = j.group_by([j.unit_code, j.date_index]).aggregate(_ly=j._y.max())
    j2 = t.left_join(latest, [t.unit_code == latest.unit_code, t.date_index == latest.date_index])
    j2 = j2.select(t, _ly=latest._ly).view()
    j3 = j2.left_join(o, [j2.unit_code == o._u, j2._ly == o._y])
    j3 = j3.select(j2, _lf=o._lf)
    return j3.mutate(
        labour_force=ibis.coalesce(j3._lf, j3.labour_force_register).cast("int64"),
        labour_force_source=ibis.ifelse(j3._lf.notnull(), "official", "register"),
    ).drop("_ly", "_lf")


def _rate(num: ibis.Value, den: ibis.Value) -> ibis.Value:
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def with_rates(t: Table) -> Table:
    """Add ``voluntary_pool`` and the rates (fractions) to a table of counts."""
    t = t.mutate(voluntary_pool=t.labour_force_register - t.working_age_in_compulsory)
    return t.mutate(
        bhyt_rate=_rate(t.bhyt_insured, t.population),
        residents_insured_rate=_rate(t.residents_insured_any, t.population),
        bhxh_rate=_rate(t.bhxh_participants, t.labour_force),
        bhtn_rate=_rate(t.bhtn_participants, t.labour_force),
        compulsory_rate=_rate(t.compulsory_participants_workplace, t.compulsory_required),
        voluntary_rate=_rate(t.voluntary_participants, t.voluntary_pool),
    )
