"""Targets: official and hand-set targets in people, progress, rankings, phasing, campaigns.

A target row says, for a year, a unit and an indicator, either a rate (``bhyt_rate`` 0.96)
or a number of people (``compulsory_participants`` 1,115,590).  Everything here works in
people: a rate target becomes ``ceil(rate × denominator)`` people, with the denominator the
target row gives (the official base) or else the unit's own (population, labour force) on
the reference date.  Targets set by hand override official ones for the same year, unit and
indicator; allocated targets (``targets_allocated``) fill the units below.

Progress on the reference date D for a target T (people) by 31 December:

* ``achieved`` — the indicator's numerator on D (coverage marts; collectors and case
  officers: distinct people of their enrolments / employers);
* ``start_value`` — the same on 31 December of the previous year (when in the series);
* ``achievement_ratio`` = achieved / T; ``gap`` = max(T − achieved, 0) people;
* ``expected_by_now`` = start + (T − start) × days elapsed / days in the year — the straight
  path; ``behind_plan`` = expected − achieved;
* ``needed_per_day`` = ceil(gap / days left), ``needed_per_week`` = ceil(7 × gap / days left);
* ``rank`` among the units of the same level and indicator (1 = highest achievement ratio;
  ties by unit code); ``is_lowest`` for the ``lowest`` last.

Monthly and weekly targets split the year's increase ``T − start``: the cumulative target at
the end of month ``m`` is ``start + floor((T − start) × m / 12)`` (twelve equal parts), at
the end of a 7-day week (from 1 January; the last one is shorter) ``start + floor((T −
start) × days elapsed / days in year)``; the increments add up exactly to the increase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import pyarrow as pa
from ibis.expr.types import Table

TARGET_COLUMNS = ("year", "unit_code", "indicator", "target_value", "denominator", "source")


@dataclass(frozen=True)
class Indicator:
    """How a target indicator reads the coverage tables."""

    name: str
    numerator: str
    denominator: str
    is_rate: bool
    vi: str


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("bhyt_rate", "bhyt_insured", "population", True, "Tỷ lệ bao phủ BHYT"),
        Indicator("bhyt_insured", "bhyt_insured", "population", False, "Số người tham gia BHYT"),
        Indicator("bhxh_rate", "bhxh_participants", "labour_force", True, "Tỷ lệ tham gia BHXH"),
        Indicator("bhtn_rate", "bhtn_participants", "labour_force", True, "Tỷ lệ tham gia BHTN"),
        Indicator(
            "compulsory_participants",
            "compulsory_participants",
            "compulsory_required",
            False,
            "Số người tham gia BHXH bắt buộc",
        ),
        Indicator(
            "voluntary_participants",
            "voluntary_participants",
            "voluntary_pool",
            False,
            "Số người tham gia BHXH tự nguyện",
        ),
        Indicator(
            "bhtn_participants",
            "bhtn_participants",
            "labour_force",
            False,
            "Số người tham gia BHTN",
        ),
    )
}


def indicator(name: str) -> Indicator:
    try:
        return INDICATORS[name]
    except KeyError:
        raise ValueError(
            f"Chỉ tiêu không hợp lệ / unknown indicator {name!r}; "
            f"dùng / use: {', '.join(INDICATORS)}"
        ) from None


# ------------------------------------------------------------------------ unit statistics


def unit_stats(coverage: Table, name: str) -> Table:
    """Per unit of ``coverage`` (``coverage_by_unit`` shape): ``unit_code``, ``unit_name``,
    ``level``, ``parent_code``, ``achieved``, ``denominator`` and ``uncovered`` for
    indicator ``name``.

    Uncovered people: population − insured (BHYT); labour force − participants (BHXH,
    BHTN); the voluntary pool − participants (voluntary); for compulsory BHXH, required −
    participants by workplace (communes and above) and the working-age residents not in
    compulsory BHXH (hamlets, which have no employers).
    """
    ind = indicator(name)
    c = coverage
    achieved = c[ind.numerator]
    if ind.name == "compulsory_participants":
        denominator = ibis.ifelse(
            c.level == "hamlet", c.labour_force_register, c.compulsory_required
        )
        uncovered = ibis.ifelse(
            c.level == "hamlet",
            c.voluntary_pool,
            c.compulsory_required - c.compulsory_participants_workplace,
        )
    else:
        denominator = c[ind.denominator]
        uncovered = denominator - achieved
    return c.select(
        "unit_code",
        "unit_name",
        "level",
        "parent_code",
        achieved=achieved.cast("int64"),
        denominator=denominator.cast("int64").fill_null(0),
        uncovered=ibis.greatest(uncovered.fill_null(0), 0).cast("int64"),
    )


def field_stats(
    linked: Table,
    collectors: Table,
    officers: Table,
    employers: Table,
    coverage: Table,
    on: dt.date,
    name: str,
) -> Table:
    """Collectors (under their agent) and case officers (under their office) on ``on``:
    ``hierarchy``, ``parent_code``, ``unit_code``, ``unit_name``, ``achieved`` (distinct
    people with a spell of the indicator's scheme in force, collected by the collector / at
    an employer of the officer), ``denominator`` and ``uncovered`` (the uncovered people of
    the collector's hamlets, shared equally among the collectors of a hamlet; for officers,
    required − participants of their employers' communes, shared by employers' count)."""
    scheme = _scheme_of(name)
    day = ibis.literal(on, "date")
    active = linked.filter(
        linked.person_key.notnull()
        & (linked.scheme == scheme)
        & (linked.start_date <= day)
        & (linked.end_date.isnull() | (linked.end_date >= day))
    )
    # collectors
    coll = collectors.select("collector_code", "agent_code", "hamlet_code", "full_name")
    by_coll = (
        active.filter(active.collector_code.notnull())
        .group_by(_cc=active.collector_code)
        .aggregate(_achieved=active.person_key.nunique())
    )
    stats = unit_stats(coverage, name)
    ham = stats.filter(stats.level == "hamlet").select(
        _h="unit_code", _den="denominator", _unc="uncovered"
    )
    share = coll.group_by(_hh=coll.hamlet_code).aggregate(_k=coll.count())
    cj = coll.join(ham, coll.hamlet_code == ham._h).join(share, coll.hamlet_code == share._hh)
    per = cj.group_by(
        collector_code=cj.collector_code, agent_code=cj.agent_code, full_name=cj.full_name
    ).aggregate(
        _den=(cj._den.cast("float64") / cj._k).sum().round().cast("int64"),
        _unc=(cj._unc.cast("float64") / cj._k).sum().round().cast("int64"),
    )
    pc = per.left_join(by_coll, per.collector_code == by_coll._cc)
    collectors_out = pc.select(
        hierarchy=ibis.literal("agents"),
        parent_code=pc.agent_code,
        unit_code=pc.collector_code,
        unit_name=pc.full_name,
        achieved=pc._achieved.fill_null(0).cast("int64"),
        denominator=pc._den,
        uncovered=pc._unc,
    )
    # case officers
    emp = employers.select("employer_code", "officer_code")
    ae = active.join(emp, active.employer_code == emp.employer_code)
    by_off = ae.group_by(_oc=ae.officer_code).aggregate(_achieved=ae.person_key.nunique())
    com = stats.filter(stats.level == "commune").select(
        _c="unit_code", _den="denominator", _unc="uncovered"
    )
    ec = employers.select("employer_code", "officer_code", "commune_code")
    n_emp = ec.group_by(_cc=ec.commune_code).aggregate(_ne=ec.count())
    ej = ec.join(com, ec.commune_code == com._c).join(n_emp, ec.commune_code == n_emp._cc)
    off_share = ej.group_by(_oc2=ej.officer_code).aggregate(
        _den=(ej._den.cast("float64") / ej._ne).sum().round().cast("int64"),
        _unc=(ej._unc.cast("float64") / ej._ne).sum().round().cast("int64"),
    )
    o = officers.select("officer_code", "office_code", "full_name")
    oj = o.left_join(by_off, o.officer_code == by_off._oc).view()
    oj = oj.left_join(off_share, oj.officer_code == off_share._oc2)
    officers_out = oj.select(
        hierarchy=ibis.literal("officers"),
        parent_code=oj.office_code,
        unit_code=oj.officer_code,
        unit_name=oj.full_name,
        achieved=oj._achieved.fill_null(0).cast("int64"),
        denominator=oj._den.fill_null(0),
        uncovered=oj._unc.fill_null(0),
    )
    return ibis.union(collectors_out, officers_out, distinct=False)


def _scheme_of(name: str) -> str:
    return {
        "bhyt_rate": "bhyt",
        "bhyt_insured": "bhyt",
        "bhxh_rate": "bhxh_compulsory",
        "compulsory_participants": "bhxh_compulsory",
        "voluntary_participants": "bhxh_voluntary",
        "bhtn_rate": "bhtn",
        "bhtn_participants": "bhtn",
    }[indicator(name).name]


def allocation_children(
    stats: Table,
    method: str,
    allow_below_achieved: bool,
    last_year: Table | None = None,
    weights: Table | None = None,
) -> Table:
    """``parent_code``, ``unit_code``, ``weight``, ``base``, ``floor`` for
    ``targets_allocate.allocate`` (see its table of methods).  ``last_year`` has
    ``unit_code``, ``achieved``; ``weights`` has ``unit_code``, ``weight``."""
    s = stats
    if method == "uncovered":
        w, base = s.uncovered.cast("float64"), s.achieved
        t = s
    elif method == "uplift":
        w, base = s.denominator.cast("float64"), s.achieved
        t = s
    elif method == "last_year":
        if last_year is None:
            raise ValueError("last_year method needs last year's achievement")
        ly = last_year.select(_u=last_year.unit_code, _ly=last_year.achieved)
        t = s.left_join(ly, s.unit_code == ly._u)
        w, base = t._ly.fill_null(0).cast("float64"), ibis.literal(0, "int64")
    elif method == "weights":
        if weights is None:
            raise ValueError("weights method needs a weights table")
        wt = weights.select(_u=weights.unit_code, _w=weights.weight)
        t = s.left_join(wt, s.unit_code == wt._u)
        w, base = t._w.fill_null(0.0).cast("float64"), ibis.literal(0, "int64")
    else:
        raise ValueError(f"unknown allocation method {method!r}")
    floor = ibis.literal(0, "int64") if allow_below_achieved else t.achieved
    return t.select(
        "parent_code",
        "unit_code",
        "unit_name",
        "achieved",
        "denominator",
        weight=w,
        base=base,
        floor=floor,
    )


# ----------------------------------------------------------------------------- targets


def effective_targets(official: Table, manual: Table | None = None) -> Table:
    """Official targets with hand-set ones on top: ``year``, ``unit_code``, ``indicator``,
    ``target_value``, ``denominator``, ``source``, ``origin`` (``official`` / ``manual``)."""
    o = official.select(*TARGET_COLUMNS).mutate(origin=ibis.literal("official"))
    if manual is None:
        return o
    m = manual.select(*TARGET_COLUMNS).mutate(origin=ibis.literal("manual"))
    keys = m.select(_y=m.year, _u=m.unit_code, _i=m.indicator)
    kept = o.join(
        keys, [o.year == keys._y, o.unit_code == keys._u, o.indicator == keys._i], how="anti"
    )
    return ibis.union(kept, m, distinct=False)


def targets_in_people(targets: Table, stats: Table) -> Table:
    """Targets with ``target_people`` (whole people) and ``target_rate`` (for rates, and for
    counts with a denominator).  ``stats``: ``unit_code``, ``indicator``, ``denominator``
    (the unit's own on the reference date, used when the target row has none)."""
    s = stats.select(_u=stats.unit_code, _i=stats.indicator, _d=stats.denominator)
    j = targets.left_join(s, [targets.unit_code == s._u, targets.indicator == s._i])
    rate_names = [n for n, i in INDICATORS.items() if i.is_rate]
    is_rate = j.indicator.isin(rate_names)
    den = ibis.coalesce(j.denominator, j._d)
    people = ibis.ifelse(
        is_rate,
        (j.target_value * den.cast("float64") - 1e-9).ceil(),
        j.target_value.round(),
    ).cast("int64")
    rate = ibis.ifelse(
        is_rate,
        j.target_value,
        ibis.ifelse(den > 0, j.target_value / den.cast("float64"), ibis.null("float64")),
    )
    return j.select(
        *targets.columns, target_people=people, target_rate=rate, target_denominator=den
    )


def progress(
    targets: Table,
    achieved: Table,
    start: Table | None,
    reference_date: dt.date,
    lowest: int = 5,
) -> Table:
    """Progress of each target (``targets_in_people`` rows with ``level``,
    ``hierarchy``): see the module docstring for the columns.  ``achieved``:
    ``hierarchy``, ``unit_code``, ``indicator``, ``unit_name``, ``level``, ``achieved``,
    ``denominator``; ``start``: ``hierarchy``, ``unit_code``, ``indicator``,
    ``start_value``."""
    a = achieved.select(
        _h=achieved.hierarchy,
        _u=achieved.unit_code,
        _i=achieved.indicator,
        unit_name=achieved.unit_name,
        level=achieved.level,
        achieved=achieved.achieved,
        current_denominator=achieved.denominator,
    )
    j = targets.join(
        a, [targets.hierarchy == a._h, targets.unit_code == a._u, targets.indicator == a._i]
    )
    j = j.select(targets, "unit_name", "level", "achieved", "current_denominator").view()
    if start is not None:
        st = start.select(
            _h2=start.hierarchy, _u2=start.unit_code, _i2=start.indicator, _sv=start.start_value
        )
        j = j.left_join(st, [j.hierarchy == st._h2, j.unit_code == st._u2, j.indicator == st._i2])
        j = j.select(*[c for c in j.columns if not c.startswith("_")], start_value=j._sv).view()
    else:
        j = j.mutate(start_value=ibis.null("int64")).view()
    year_start = dt.date(reference_date.year - 1, 12, 31)
    year_end = dt.date(reference_date.year, 12, 31)
    total = (year_end - year_start).days
    elapsed = min(max((reference_date - year_start).days, 0), total)
    days_left = (year_end - reference_date).days
    t = j.target_people
    gap = ibis.greatest(t - j.achieved, 0)
    expected = ibis.ifelse(
        j.start_value.notnull(),
        (j.start_value + ((t - j.start_value) * elapsed) // total).cast("int64"),
        ibis.null("int64"),
    )
    out = j.mutate(
        achieved_rate=ibis.ifelse(
            j.current_denominator > 0,
            j.achieved.cast("float64") / j.current_denominator.cast("float64"),
            ibis.null("float64"),
        ),
        achievement_ratio=ibis.ifelse(
            t > 0, j.achieved.cast("float64") / t.cast("float64"), ibis.null("float64")
        ),
        gap=gap.cast("int64"),
        expected_by_now=expected,
        behind_plan=(expected - j.achieved).cast("int64"),
        days_left=ibis.literal(days_left, "int64"),
        needed_per_day=needed_per_period(gap, 1, days_left),
        needed_per_week=needed_per_period(gap, 7, days_left),
        target_date=ibis.literal(year_end, "date"),
    ).view()
    window = ibis.window(
        group_by=["hierarchy", "indicator", "level"],
        order_by=[ibis.desc("achievement_ratio"), "unit_code"],
    )
    up = ibis.window(
        group_by=["hierarchy", "indicator", "level"],
        order_by=[ibis.asc("achievement_ratio"), ibis.desc("unit_code")],
    )
    out = out.mutate(rank=ibis.row_number().over(window) + 1, _rev=ibis.row_number().over(up))
    return out.mutate(is_lowest=out._rev < lowest).drop("_rev")


def needed_per_period(gap: ibis.Value, days: int, days_left: int) -> ibis.Value:
    """People to enrol per period of ``days`` days to close ``gap`` in ``days_left`` days
    (rounded up); null when no day is left."""
    if days_left <= 0:
        return ibis.null("int64")
    return ((gap * days + days_left - 1) // days_left).cast("int64")


def phase(rows: Table, year: int, period: str) -> Table:
    """Monthly or weekly cumulative targets on the straight path from ``start_value`` (or
    0) to ``target_people``: ``period_index``, ``period_end``, ``cumulative_target``,
    ``increment`` for every target row (``unit_code``, ``indicator``, ``hierarchy``)."""
    ends = period_ends(year, period)
    year_start = dt.date(year - 1, 12, 31)
    if period == "month":  # twelve equal parts
        done = list(range(1, 13))
        total = 12
    else:  # by days: 7-day weeks, the last one shorter
        done = [(e - year_start).days for e in ends]
        total = (dt.date(year, 12, 31) - year_start).days
    p = ibis.memtable(
        pa.table(
            {
                "period_index": pa.array(range(1, len(ends) + 1), pa.int64()),
                "period_end": pa.array(ends, pa.date32()),
                "_days": pa.array(done, pa.int64()),
                "_prev_days": pa.array([0, *done[:-1]], pa.int64()),
            }
        )
    )
    r = rows.select(
        "hierarchy",
        "level",
        "unit_code",
        "unit_name",
        "indicator",
        "target_people",
        _s=rows.start_value.fill_null(0),
    )
    x = r.cross_join(p)
    inc = ibis.greatest(x.target_people - x._s, 0)
    cum = x._s + (inc * x._days) // total
    prev = x._s + (inc * x._prev_days) // total
    return x.select(
        "hierarchy",
        "level",
        "unit_code",
        "unit_name",
        "indicator",
        period=ibis.literal(period),
        period_index=x.period_index,
        period_end=x.period_end,
        cumulative_target=cum.cast("int64"),
        increment=(cum - prev).cast("int64"),
    )


def period_ends(year: int, period: str) -> list[dt.date]:
    """Month-ends, or the ends of 7-day weeks from 1 January (the last one is 31 December)."""
    if period == "month":
        return [
            dt.date(year, m + 1, 1) - dt.timedelta(days=1) if m < 12 else dt.date(year, 12, 31)
            for m in range(1, 13)
        ]
    if period == "week":
        out = []
        day = dt.date(year, 1, 7)
        while day < dt.date(year, 12, 31):
            out.append(day)
            day += dt.timedelta(days=7)
        out.append(dt.date(year, 12, 31))
        return out
    raise ValueError(f"period must be month or week, not {period!r}")


def campaign_path(daily: Table, start_value: int, target: int, first: dt.date, days: int) -> Table:
    """Daily progress of a campaign: ``daily`` (``day``, ``achieved``) against the straight
    path from ``start_value`` on the eve of ``first`` to ``target`` on its last day:
    ``needed_by_day``, ``ahead`` (achieved − needed), ``still_needed``, ``needed_per_day``
    (over the remaining days)."""
    last = first + dt.timedelta(days=days - 1)
    d = daily
    k = d.day.delta(ibis.literal(first, "date"), unit="day") + 1
    needed = start_value + ((target - start_value) * k) // days
    remaining = ibis.literal(last, "date").delta(d.day, unit="day")
    still = ibis.greatest(target - d.achieved, 0)
    return d.mutate(
        day_number=k.cast("int64"),
        needed_by_day=needed.cast("int64"),
        ahead=(d.achieved - needed).cast("int64"),
        still_needed=still.cast("int64"),
        needed_per_day=ibis.ifelse(
            remaining > 0, ((still + remaining - 1) // remaining).cast("int64"), still
        ),
    )


def achievements_long(coverage: Table, names: Sequence[str]) -> Table:
    """``hierarchy`` (units), ``unit_code``, ``unit_name``, ``level``, ``indicator``,
    ``achieved``, ``denominator`` for every unit and each indicator in ``names``."""
    parts = []
    for name in names:
        s = unit_stats(coverage, name)
        parts.append(
            s.select(
                hierarchy=ibis.literal("units"),
                unit_code=s.unit_code,
                unit_name=s.unit_name,
                level=s.level,
                indicator=ibis.literal(name),
                achieved=s.achieved,
                denominator=s.denominator,
            )
        )
    return ibis.union(*parts, distinct=False)
