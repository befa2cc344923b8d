"""Spending against the estimate, the projection and the indicators on hand-made tables,
every expected figure worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pyarrow as pa
import pytest

from baophu.engine.claims.indicators import facility_periods, indicators
from baophu.engine.claims.params import ClaimParams
from baophu.engine.claims.spending import estimate_curve, spending

DAY = dt.date(2025, 3, 31)
PAST = [100, 50, 100, 100, 100, 100, 150, 100, 100, 100, 100, 100]  # 2024, 1,200 in all
NOW = [200, 100, 260]  # January–March 2025


def spend_table() -> ibis.Table:
    months = [2024 * 12 + k for k in range(12)] + [2025 * 12 + k for k in range(3)]
    return ibis.memtable(
        pa.table({"month_index": pa.array(months, pa.int64()),
                  "net_paid": pa.array([float(x) for x in PAST + NOW])})
    )  # fmt: skip


def estimates() -> ibis.Table:
    # 1,900 assigned on 10/01/2025; the July revision (2,400) is after the reference date.
    return ibis.memtable(
        pa.table(
            {
                "year": [2025, 2025],
                "revision": [0, 1],
                "decided_date": [dt.date(2025, 1, 10), dt.date(2025, 7, 1)],
                "facility_code": pa.array([None, None], pa.string()),
                "amount": [1900, 2400],
            }
        )
    )


@pytest.fixture
def curve() -> tuple[list[dict], dict]:
    ibis.set_backend(ibis.duckdb.connect())
    table, summary = estimate_curve(spend_table(), estimates(), DAY, ClaimParams.on(DAY))
    return table.to_pylist(), summary


def test_estimate_use_against_a_seasonal_profile(curve: tuple[list[dict], dict]) -> None:
    rows, s = curve
    # profile: each 2024 month over 1,200; to the end of March: 250 / 1,200
    assert rows[1]["profile_share"] == pytest.approx(50 / 1200)
    assert rows[2]["profile_cum"] == pytest.approx(250 / 1200)
    assert s["estimate"] == 1900 and s["revision"] == 0
    assert s["spent_ytd"] == 560
    assert s["use_annual"] == pytest.approx(560 / 1900)
    assert s["prorated_estimate"] == pytest.approx(1900 * 250 / 1200)
    assert s["use_prorated"] == pytest.approx(560 / (1900 * 250 / 1200))
    assert s["profile_years"] == "2024"


def test_projection_interval_and_the_month_it_runs_out(curve: tuple[list[dict], dict]) -> None:
    rows, s = curve
    # pace of the last 3 months: 560 / (250/1200) = 2,688 a year; 950/1200 of it still ahead
    assert s["projected_year_end"] == pytest.approx(560 + 2688 * 950 / 1200)
    # implied annual totals 2,400, 2,400, 3,120: mean 2,640, sd √(345,600 / 2) = 415.69…
    sd = math.sqrt(345600 / 2)
    assert s["projected_high"] - s["projected_year_end"] == pytest.approx(1.645 * sd * 950 / 1200)
    # projected to date: August 560 + 2,688 × 550/1200 = 1,792 < 1,900;
    # September 560 + 2,688 × 650/1200 = 2,016 ≥ 1,900
    assert rows[7]["projected_cum"] == pytest.approx(1792)
    assert rows[8]["projected_cum"] == pytest.approx(2016)
    assert s["runs_out_month"] == 9
    # the interval's top: July 1,568 + 1.645 × sd × 450/1200 = 1,824.4 < 1,900; August ≥
    assert s["runs_out_month_earliest"] == 8
    assert rows[2]["actual"] and not rows[3]["actual"]


def test_refused_and_recovered_amounts_reduce_spending() -> None:
    v = ibis.memtable(
        pa.table(
            {
                "month_index": [24300, 24300, 24300],
                "facility_code": ["75001", "75001", "75001"],
                "claim_code": ["A", "B", "C"],
                "level": ["provincial"] * 3,
                "care_type": ["01"] * 3,
                "fund_paid": [100.0, 200.0, 300.0],
            }
        )
    )
    outcomes = ibis.memtable(
        pa.table(
            {
                "facility_code": ["75001", "75001", "75001"],
                "claim_code": ["A", "B", "C"],
                "outcome": ["refused", "recovered", "accepted"],
                "amount": [100.0, 50.0, 300.0],
            }
        )
    )
    con = ibis.duckdb.connect()
    row = con.to_pyarrow(spending(v, outcomes)).to_pylist()[0]
    # refused 100 and recovered 50; an accepted claim deducts nothing
    assert (row["fund_paid"], row["deducted"], row["net_paid"]) == (600, 150, 450)


def visits() -> ibis.Table:
    # facility A, March 2025: outpatient 100, 200, 300 and one 5-day stay (03) at 1,000;
    # B: two outpatient visits at 200; C: one at 300 (all three provincial).
    rows = [
        ("A", "01", False, 0, 100.0),
        ("A", "01", False, 0, 200.0),
        ("A", "01", False, 0, 300.0),
        ("A", "03", True, 5, 1000.0),
        ("B", "01", False, 0, 200.0),
        ("B", "01", False, 0, 200.0),
        ("C", "01", False, 0, 300.0),
    ]
    cols = list(zip(*rows, strict=True))
    zero = [0.0] * len(rows)
    return ibis.memtable(
        pa.table(
            {
                "facility_code": list(cols[0]),
                "level": ["provincial"] * len(rows),
                "month_index": [2025 * 12 + 2] * len(rows),
                "care_type": list(cols[1]),
                "inpatient": list(cols[2]),
                "treatment_days": pa.array(cols[3], pa.int64()),
                "total_insured": list(cols[4]),
                **{f"cost_{g}": zero for g in ("lab", "imaging", "drugs", "surgery", "supplies")},
                "cost_bed": [0.0, 0.0, 0.0, 250.0, 0.0, 0.0, 0.0],
            }
        )
    )


def test_b02_and_b04_indicators_of_a_facility() -> None:
    con = ibis.duckdb.connect()
    rows = con.to_pyarrow(facility_periods(visits(), 2025 * 12 + 2, 3)).to_pylist()
    a = next(r for r in rows if r["facility_code"] == "A")
    assert a["period"] == "current" and a["visits"] == 4
    assert a["inpatient_rate"] == 0.25
    assert a["alos"] == 5
    assert a["avg_cost"] == 400  # 1,600 / 4
    assert a["avg_cost_outpatient"] == 200
    assert a["avg_cost_inpatient"] == 1000
    assert a["cost_bed"] == 62.5  # 250 / 4 visits


def test_peer_percentile_and_robust_z() -> None:
    con = ibis.duckdb.connect()
    ind = indicators(visits(), 2025 * 12 + 2, ClaimParams.on(DAY), min_visits=1)
    rows = con.to_pyarrow(ind.filter(ind.indicator == "avg_cost")).to_pylist()
    by = {r["facility_code"]: r for r in rows}
    # average costs 400 (A), 200 (B), 300 (C): percent ranks 1, 0, 0.5
    assert [by[f]["peer_percentile"] for f in "ABC"] == [1.0, 0.0, 0.5]
    assert by["A"]["review"] == "high" and by["B"]["review"] == "low" and by["C"]["review"] is None
    # median 300, deviations 100, 100, 0: MAD 100; z(A) = 100 / (1.4826 × 100)
    assert by["A"]["peer_median"] == 300
    assert by["A"]["peer_z"] == pytest.approx(100 / 148.26)
