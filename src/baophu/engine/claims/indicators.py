"""The appraisal system's indicators per facility (reports B02, B04, B21, B26) and where each
facility stands among the facilities of its level (CMS PEPPER).

Three periods of ``period_months`` months (policy ``claims.indicator_period_months``), by
month of settlement: ``current`` ends with the reference month, ``previous`` is the period
before it, ``last_year`` the same months a year before.

B02: ``inpatient_rate`` (MA_LOAI_KCB 03, 04, 09 ÷ visits), ``alos`` (SO_NGAY_DTRI of the
03 stays ÷ stays), ``avg_cost`` / ``avg_cost_outpatient`` / ``avg_cost_inpatient``
(T_TONGCHI_BH ÷ visits).  B04: ``cost_<group>`` per visit (lab, imaging, drugs, surgery,
supplies, bed; THANH_TIEN_BH of the lines).

``claims_indicators`` (long: one row per facility and indicator): the three values, the
change against the previous period and against last year (ratio − 1), and among the
facilities of the same level: ``peer_percentile`` (percent rank of the current value, 0 the
lowest, 1 the highest), ``peer_median`` and ``peer_z`` (robust z: (x − median) ÷
(1.4826 × median absolute deviation), the deviation floored at 5 % of the median), and
``review`` = ``high`` from the 80th percentile, ``low`` at the 10th and below (PEPPER).
``growth_z`` is the same robust z of the change against last year.

``claims_cost_growth`` (B26): facilities ranked by the growth of their average cost against
the same period a year before, in the province and within their level.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.claims.cache import Cache, keep
from baophu.engine.claims.params import COST_GROUPS, STAY_TYPE, ClaimParams

MART_INDICATORS = "claims_indicators"
MART_COST_GROWTH = "claims_cost_growth"
PERIODS = ("current", "previous", "last_year")
B02 = ("inpatient_rate", "alos", "avg_cost", "avg_cost_outpatient", "avg_cost_inpatient")
INDICATORS = (*B02, *(f"cost_{g}" for g in COST_GROUPS))
MIN_VISITS = 30  # a facility with fewer visits in the period is not compared


def period_of(month_index: ibis.Value, reference_index: int, months: int) -> ibis.Value:
    start = reference_index - months + 1
    return ibis.cases(
        (month_index.between(start, reference_index), "current"),
        (month_index.between(start - months, start - 1), "previous"),
        (month_index.between(start - 12, reference_index - 12), "last_year"),
        else_=ibis.null("string"),
    )


def facility_periods(v: Table, reference_index: int, months: int) -> Table:
    """One row per facility and period with the indicators' values."""
    t = v.mutate(period=period_of(v.month_index, reference_index, months))
    t = t.filter(t.period.notnull())
    stay = t.care_type == STAY_TYPE
    metrics: dict[str, ibis.Value] = {
        "visits": t.count(),
        "inpatient": ibis.ifelse(t.inpatient, 1, 0).sum(),
        "stays": ibis.ifelse(stay, 1, 0).sum(),
        "stay_days": ibis.ifelse(stay, t.treatment_days, 0).sum(),
        "cost": t.total_insured.sum(),
        "cost_in": ibis.ifelse(t.inpatient, t.total_insured, 0.0).sum(),
    }
    for g in COST_GROUPS:
        metrics[f"sum_{g}"] = t[f"cost_{g}"].sum()
    a = t.group_by(["facility_code", "level", "period"]).aggregate(**metrics)
    visits = a.visits.cast("float64")
    out = a.inpatient.cast("float64")
    values: dict[str, ibis.Value] = {
        "inpatient_rate": a.inpatient.cast("float64") / visits,
        "alos": ibis.ifelse(
            a.stays > 0, a.stay_days.cast("float64") / a.stays, ibis.null("float64")
        ),
        "avg_cost": a.cost / visits,
        "avg_cost_outpatient": ibis.ifelse(
            a.visits > a.inpatient, (a.cost - a.cost_in) / (visits - out), ibis.null("float64")
        ),
        "avg_cost_inpatient": ibis.ifelse(a.inpatient > 0, a.cost_in / out, ibis.null("float64")),
    }
    for g in COST_GROUPS:
        values[f"cost_{g}"] = a[f"sum_{g}"] / visits
    return a.select("facility_code", "level", "period", "visits", **values)


def robust_z(
    t: Table, value: str, group: list[str], median: str = "peer_median", z: str = "z"
) -> Table:
    """``t`` with ``median`` (the median of ``value`` in ``group``) and ``z`` (the robust z of
    ``value`` in ``group``: its distance to the median over 1.4826 × the median absolute
    deviation, the scale at least 5 % of the median)."""
    ok = t.filter(t[value].notnull())
    med = ok.group_by(group).aggregate(_m=ok[value].median())
    med = med.rename({f"_g_{g}": g for g in group})
    j = ok.inner_join(med, [ok[g] == med[f"_g_{g}"] for g in group])
    j = j.mutate(_dev=(j[value] - j._m).abs())
    mad = j.group_by(group).aggregate(_mad=j._dev.median(), _med=j._m.max())
    mad = mad.rename({f"_h_{g}": g for g in group})
    scale = ibis.greatest(1.4826 * mad._mad, 0.05 * mad._med.abs(), 1e-9)
    mad = mad.select(*[f"_h_{g}" for g in group], "_med", _scale=scale)
    r = t.left_join(mad, [t[g] == mad[f"_h_{g}"] for g in group])
    return r.select(*t.columns, **{median: r._med, z: (r[value] - r._med) / r._scale})


def indicators(
    v: Table,
    reference_index: int,
    p: ClaimParams,
    min_visits: int = MIN_VISITS,
    cache: Cache = keep,
) -> Table:
    """The long table; ``cache`` materialises the facility-period sums, which every
    indicator's three periods read (33 readers: one scan of the visits, not 33)."""
    f = cache(facility_periods(v, reference_index, p.period_months))
    cur = f.filter(f.period == "current")
    prev = f.filter(f.period == "previous")
    last = f.filter(f.period == "last_year")
    parts = []
    for name in INDICATORS:
        c = cur.select("facility_code", "level", "visits", value_current=cur[name])
        pv = prev.select(p_code=prev.facility_code, value_previous=prev[name])
        ly = last.select(l_code=last.facility_code, value_last_year=last[name])
        j = c.left_join(pv, c.facility_code == pv.p_code).drop("p_code")
        j = j.left_join(ly, j.facility_code == ly.l_code).drop("l_code")
        parts.append(j.mutate(indicator=ibis.literal(name)))
    long = parts[0]
    for part in parts[1:]:
        long = long.union(part)
    long = long.filter(long.visits >= min_visits)
    long = long.mutate(
        change_previous=ibis.ifelse(
            long.value_previous > 0,
            long.value_current / long.value_previous - 1,
            ibis.null("float64"),
        ),
        change_last_year=ibis.ifelse(
            long.value_last_year > 0,
            long.value_current / long.value_last_year - 1,
            ibis.null("float64"),
        ),
    )
    w = ibis.window(group_by=[long.level, long.indicator], order_by=long.value_current)
    long = long.mutate(
        peer_percentile=ibis.ifelse(
            long.value_current.notnull(), ibis.percent_rank().over(w), ibis.null("float64")
        ),
        peers=long.count().over(ibis.window(group_by=[long.level, long.indicator])),
    )
    # Each robust z reads its table three times (the medians, the deviations, the join
    # back): materialised, the eleven indicators' union is computed once, not nine times
    # (Spark inlines a repeated subquery; its plan for this mart took seconds to run).
    long = robust_z(cache(long), "value_current", ["level", "indicator"], "peer_median", "peer_z")
    long = robust_z(long, "change_last_year", ["level", "indicator"], "growth_median", "growth_z")
    review = ibis.cases(
        (long.peer_percentile >= p.peer_high, "high"),
        (long.peer_percentile <= p.peer_low, "low"),
        else_=ibis.null("string"),
    )
    return long.select(
        "facility_code",
        "level",
        "indicator",
        "visits",
        "value_current",
        "value_previous",
        "value_last_year",
        "change_previous",
        "change_last_year",
        "peers",
        "peer_percentile",
        "peer_median",
        "peer_z",
        "growth_median",
        "growth_z",
        review=review,
    )


def cost_growth(ind: Table) -> Table:
    """B26: facilities ranked by the growth of their average cost against last year."""
    t = ind.filter((ind.indicator == "avg_cost") & ind.change_last_year.notnull())
    order = [ibis.desc(t.change_last_year), t.facility_code]
    return t.select(
        "facility_code",
        "level",
        "visits",
        avg_cost=t.value_current,
        avg_cost_last_year=t.value_last_year,
        growth=t.change_last_year,
        growth_z=t.growth_z,
        rank_province=(ibis.row_number().over(ibis.window(order_by=order)) + 1).cast("int64"),
        rank_level=(ibis.row_number().over(ibis.window(group_by=t.level, order_by=order)) + 1).cast(
            "int64"
        ),
    )
