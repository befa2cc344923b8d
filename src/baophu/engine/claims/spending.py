"""What the fund pays out against the estimate (the appraisal system's report B01).

* ``claims_spending`` — T_BHTT by month of settlement, facility, level and type of care
  (MA_LOAI_KCB), less what review outcomes refused or recovered (``deducted``): ``net_paid``.
* ``claims_estimate`` — the reference year month by month for the province: spent and spent
  to date (net), the seasonal profile, the estimate (latest revision decided by the reference
  date), the estimate pro-rated by the profile, the use of each, and for the months ahead the
  projection to 31 December with its interval.  ``claims_estimate_summary`` is its one-row
  digest, with the month the estimate runs out.
* ``claims_facility_estimate`` — each facility's spending to date against its expected
  spending for the year (dự kiến chi), plain and pro-rated by the profile, ranked.

Seasonal profile: each month's share of the year's spending, averaged over the complete past
years in the data (a straight line, 1/12 a month, when there is none) — not a straight line,
since spending dips at Tết and peaks in the rainy season.

Projection: the pace of the latest ``claims.projection_recent_months`` months — what they
spent over their share of the profile, an implied annual total — spent over the rest of the
profile: projected(m) = spent to date + pace × (profile to m − profile to date).  Interval:
± 1.645 × the standard deviation of each month's implied annual total (spent ÷ its share)
× the profile still ahead (90 % if the months vary independently around the pace).
The estimate runs out in the first month whose spending to date — actual, then projected —
reaches it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from baophu.engine.claims.params import ClaimParams

MART_SPENDING = "claims_spending"
MART_ESTIMATE = "claims_estimate"
MART_ESTIMATE_SUMMARY = "claims_estimate_summary"
MART_FACILITY_ESTIMATE = "claims_facility_estimate"
Z90 = 1.645


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def deductions(v: Table, outcomes: Table | None) -> Table:
    """Refused and recovered amounts per claim (``deducted``), from review outcomes:
    ``facility_code, claim_code, outcome, amount`` (outcome accepted / refused / recovered)."""
    if outcomes is None:
        return v.select(
            d_facility="facility_code", d_claim="claim_code", deducted=ibis.literal(0.0)
        ).limit(0)
    o = outcomes.filter(outcomes.outcome.isin(("refused", "recovered")))
    return o.group_by(d_facility=o.facility_code, d_claim=o.claim_code).aggregate(
        deducted=o.amount.cast("float64").sum()
    )


def spending(v: Table, outcomes: Table | None) -> Table:
    d = deductions(v, outcomes)
    j = v.left_join(d, (v.facility_code == d.d_facility) & (v.claim_code == d.d_claim))
    j = j.mutate(deducted=ibis.least(j.deducted.fill_null(0.0), j.fund_paid))
    a = j.group_by(["month_index", "facility_code", "level", "care_type"]).aggregate(
        visits=j.count(),
        fund_paid=j.fund_paid.sum(),
        deducted=j.deducted.sum(),
    )
    return a.select(
        "month_index",
        year=(a.month_index // 12).cast("int64"),
        month=(a.month_index % 12 + 1).cast("int64"),
        facility_code=a.facility_code,
        level=a.level,
        care_type=a.care_type,
        visits=a.visits.cast("int64"),
        fund_paid=a.fund_paid.round(0),
        deducted=a.deducted.round(0),
        net_paid=(a.fund_paid - a.deducted).round(0),
    )


def _profile(monthly: dict[int, float], year: int) -> tuple[list[float], list[int]]:
    years = sorted(
        y
        for y in {m // 12 for m in monthly}
        if y < year and all((y * 12 + k) in monthly for k in range(12))
    )
    if not years:
        return [1 / 12] * 12, []
    shares = [0.0] * 12
    for y in years:
        total = sum(monthly[y * 12 + k] for k in range(12))
        for k in range(12):
            shares[k] += monthly[y * 12 + k] / total / len(years)
    return shares, years


def latest_estimate(estimates: Table, year: int, day: dt.date) -> tuple[float | None, int | None]:
    e = estimates.filter(
        (estimates.year == year)
        & estimates.facility_code.isnull()
        & (estimates.decided_date <= day)
    )
    rows = e.order_by(ibis.desc(e.revision)).limit(1).to_pyarrow().to_pylist()
    if not rows:
        return None, None
    return float(rows[0]["amount"]), int(rows[0]["revision"])


def estimate_curve(
    spend: Table, estimates: Table, day: dt.date, p: ClaimParams
) -> tuple[pa.Table, dict[str, Any]]:
    """The reference year's months and the summary (small: computed on ≤ 36 numbers)."""
    rows = (
        spend.group_by("month_index").aggregate(net=spend.net_paid.sum()).to_pyarrow().to_pylist()
    )
    monthly = {int(r["month_index"]): float(r["net"] or 0.0) for r in rows}
    ref = month_index(day)
    year = day.year
    shares, profile_years = _profile(monthly, year)
    known = [m for m in range(year * 12, ref + 1) if m in monthly]
    last = max(known) if known else year * 12 - 1
    estimate, revision = latest_estimate(estimates, year, day)
    spent_ytd = sum(monthly[m] for m in known)
    done_share = sum(shares[: last - year * 12 + 1])
    recent = [m for m in known if m > last - p.recent_months]
    recent_share = sum(shares[m - year * 12] for m in recent)
    pace = sum(monthly[m] for m in recent) / recent_share if recent_share > 0 else None
    implied = [monthly[m] / shares[m - year * 12] for m in known if shares[m - year * 12] > 0]
    sd = _sd(implied)
    out: list[dict[str, Any]] = []
    cum = 0.0
    profile_cum = 0.0
    runs_out: int | None = None
    runs_out_low: int | None = None
    for k in range(12):
        m = year * 12 + k
        profile_cum += shares[k]
        actual = m <= last
        spent = monthly.get(m) if actual else None
        if actual:
            cum += spent or 0.0
        ahead = max(profile_cum - done_share, 0.0)
        projected = spent_ytd + pace * ahead if pace is not None else None
        half = Z90 * sd * ahead if sd is not None else None
        value = cum if actual else projected
        high = (
            value
            if actual
            else (projected + half if projected is not None and half is not None else None)
        )
        if estimate and value is not None and value >= estimate and runs_out is None:
            runs_out = k + 1
        if estimate and high is not None and high >= estimate and runs_out_low is None:
            runs_out_low = k + 1
        prorated = estimate * profile_cum if estimate else None
        out.append(
            {
                "year": year,
                "month": k + 1,
                "month_index": m,
                "actual": actual,
                "spent": spent,
                "spent_cum": cum if actual else None,
                "profile_share": shares[k],
                "profile_cum": profile_cum,
                "estimate": estimate,
                "prorated_estimate": prorated,
                "use_annual": cum / estimate if actual and estimate else None,
                "use_prorated": cum / prorated if actual and prorated else None,
                "projected_cum": projected if not actual else cum,
                "projected_low": (projected - half)
                if not actual and projected is not None and half is not None
                else (cum if actual else None),
                "projected_high": high,
            }
        )
    projected_total = spent_ytd + pace * (1 - done_share) if pace is not None else None
    half_total = Z90 * sd * (1 - done_share) if sd is not None else None
    prorated_now = estimate * done_share if estimate else None
    summary = {
        "year": year,
        "reference_month": last - year * 12 + 1 if known else None,
        "estimate": estimate,
        "revision": revision,
        "spent_ytd": spent_ytd,
        "use_annual": spent_ytd / estimate if estimate else None,
        "prorated_estimate": prorated_now,
        "use_prorated": spent_ytd / prorated_now if prorated_now else None,
        "projected_year_end": projected_total,
        "projected_low": projected_total - half_total
        if projected_total is not None and half_total is not None
        else None,
        "projected_high": projected_total + half_total
        if projected_total is not None and half_total is not None
        else None,
        "projected_use": projected_total / estimate
        if estimate and projected_total is not None
        else None,
        "runs_out_month": runs_out,
        "runs_out_month_earliest": runs_out_low,
        "profile_years": ",".join(str(y) for y in profile_years),
    }
    return pa.Table.from_pylist(out, schema=_CURVE_SCHEMA), summary


def _sd(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    return math.sqrt(sum((x - mean) ** 2 for x in values) / (len(values) - 1))


_CURVE_SCHEMA = pa.schema(
    [
        ("year", pa.int64()),
        ("month", pa.int64()),
        ("month_index", pa.int64()),
        ("actual", pa.bool_()),
        ("spent", pa.float64()),
        ("spent_cum", pa.float64()),
        ("profile_share", pa.float64()),
        ("profile_cum", pa.float64()),
        ("estimate", pa.float64()),
        ("prorated_estimate", pa.float64()),
        ("use_annual", pa.float64()),
        ("use_prorated", pa.float64()),
        ("projected_cum", pa.float64()),
        ("projected_low", pa.float64()),
        ("projected_high", pa.float64()),
    ]
)
SUMMARY_SCHEMA = pa.schema(
    [
        ("year", pa.int64()),
        ("reference_month", pa.int64()),
        ("estimate", pa.float64()),
        ("revision", pa.int64()),
        ("spent_ytd", pa.float64()),
        ("use_annual", pa.float64()),
        ("prorated_estimate", pa.float64()),
        ("use_prorated", pa.float64()),
        ("projected_year_end", pa.float64()),
        ("projected_low", pa.float64()),
        ("projected_high", pa.float64()),
        ("projected_use", pa.float64()),
        ("runs_out_month", pa.int64()),
        ("runs_out_month_earliest", pa.int64()),
        ("profile_years", pa.string()),
    ]
)


def facility_estimate(spend: Table, estimates: Table, day: dt.date, done_share: float) -> Table:
    year = day.year
    ref = month_index(day)
    s = spend.filter((spend.year == year) & (spend.month_index <= ref))
    s = s.group_by(["facility_code", "level"]).aggregate(spent_ytd=s.net_paid.sum())
    e = estimates.filter(
        (estimates.year == year)
        & estimates.facility_code.notnull()
        & (estimates.decided_date <= day)
    )
    w = ibis.window(group_by=e.facility_code, order_by=ibis.desc(e.revision))
    e = e.mutate(_n=ibis.row_number().over(w))
    e = e.filter(e._n == 0).select(e_code=e.facility_code, expected=e.amount.cast("float64"))
    j = s.inner_join(e, s.facility_code == e.e_code)
    prorated = j.expected * done_share
    j = j.select(
        "facility_code",
        "level",
        "spent_ytd",
        "expected",
        use=j.spent_ytd / j.expected,
        prorated_expected=prorated,
        use_prorated=ibis.ifelse(prorated > 0, j.spent_ytd / prorated, ibis.null("float64")),
    )
    order = [ibis.desc(j.use_prorated), j.facility_code]
    return j.mutate(rank=(ibis.row_number().over(ibis.window(order_by=order)) + 1).cast("int64"))
