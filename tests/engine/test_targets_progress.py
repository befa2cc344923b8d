"""Progress against targets: gap, straight-path plan, pace, ranks, phasing, campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pyarrow as pa
import pytest
from test_coverage_truth import province  # noqa: F401

from baophu.engine.targets.model import campaign_path, period_ends, phase, progress

D = dt.date(2026, 10, 31)


def _progress_rows() -> list[dict[str, Any]]:
    targets = pa.table(
        {
            "year": [2026] * 3,
            "unit_code": ["X1", "X2", "X3"],
            "indicator": ["bhyt_insured"] * 3,
            "hierarchy": ["units"] * 3,
            "target_people": pa.array([100, 100, 50], pa.int64()),
            "target_rate": pa.array([None, None, None], pa.float64()),
        }
    )
    achieved = pa.table(
        {
            "hierarchy": ["units"] * 3,
            "unit_code": ["X1", "X2", "X3"],
            "indicator": ["bhyt_insured"] * 3,
            "unit_name": ["Một", "Hai", "Ba"],
            "level": ["commune"] * 3,
            "achieved": pa.array([70, 95, 50], pa.int64()),
            "denominator": pa.array([120, 110, 60], pa.int64()),
        }
    )
    start = pa.table(
        {
            "hierarchy": ["units"] * 3,
            "unit_code": ["X1", "X2", "X3"],
            "indicator": ["bhyt_insured"] * 3,
            "start_value": pa.array([40, 90, 45], pa.int64()),
        }
    )
    expr = progress(
        ibis.memtable(targets), ibis.memtable(achieved), ibis.memtable(start), D, lowest=1
    )
    return ibis.duckdb.connect().to_pyarrow(expr.order_by("unit_code")).to_pylist()


def test_gap_plan_and_pace_by_hand() -> None:
    x1, x2, x3 = _progress_rows()
    # 31/12/2025 → 31/10/2026: 304 of 365 days elapsed, 61 days left
    assert x1["gap"] == 30
    assert x1["expected_by_now"] == 40 + (60 * 304) // 365 == 89
    assert x1["behind_plan"] == 19
    assert x1["days_left"] == 61
    assert x1["needed_per_day"] == 1  # ceil(30 / 61)
    assert x1["needed_per_week"] == 4  # ceil(210 / 61)
    assert x1["achievement_ratio"] == pytest.approx(0.7)
    assert x1["achieved_rate"] == pytest.approx(70 / 120)
    assert (x3["gap"], x3["needed_per_day"]) == (0, 0)
    # ranks by achievement ratio: X3 (100 %), X2 (95 %), X1 (70 %); the lowest is flagged
    assert [x1["rank"], x2["rank"], x3["rank"]] == [3, 2, 1]
    assert [x1["is_lowest"], x2["is_lowest"], x3["is_lowest"]] == [True, False, False]


@pytest.mark.parametrize("period", ["month", "week"])
def test_phased_targets_add_up_to_the_year(period: str) -> None:
    rows = pa.table(
        {
            "hierarchy": ["units"],
            "level": ["commune"],
            "unit_code": ["X1"],
            "unit_name": ["Một"],
            "indicator": ["bhyt_insured"],
            "target_people": pa.array([1_000], pa.int64()),
            "start_value": pa.array([877], pa.int64()),
        }
    )
    out = ibis.duckdb.connect().to_pyarrow(
        phase(ibis.memtable(rows), 2026, period).order_by("period_index")
    )
    got = out.to_pylist()
    assert len(got) == (12 if period == "month" else 53)
    assert sum(r["increment"] for r in got) == 123
    assert got[-1]["cumulative_target"] == 1_000
    full = got if period == "month" else got[:-1]  # the last week is 1 day long
    assert max(r["increment"] for r in full) - min(r["increment"] for r in full) <= 1
    assert got[-1]["period_end"] == dt.date(2026, 12, 31)


def test_period_ends() -> None:
    months = period_ends(2024, "month")
    assert months[1] == dt.date(2024, 2, 29) and months[-1] == dt.date(2024, 12, 31)
    weeks = period_ends(2026, "week")
    assert weeks[0] == dt.date(2026, 1, 7) and weeks[-1] == dt.date(2026, 12, 31)


def test_campaign_path_by_hand() -> None:
    daily = pa.table(
        {
            "day": pa.array([dt.date(2025, 12, 4), dt.date(2025, 12, 5)], pa.date32()),
            "achieved": pa.array([105, 108], pa.int64()),
        }
    )
    expr = campaign_path(ibis.memtable(daily), 100, 120, dt.date(2025, 12, 4), 20)
    d1, d2 = ibis.duckdb.connect().to_pyarrow(expr.order_by("day")).to_pylist()
    assert (d1["needed_by_day"], d2["needed_by_day"]) == (101, 102)  # 100 + 20 × k / 20
    assert (d1["ahead"], d2["still_needed"]) == (4, 12)
    assert d2["needed_per_day"] == 1  # 12 people over the 18 days left → ceil(12 / 18)


def test_progress_and_summary_on_the_synthetic_province(province: dict[str, Any]) -> None:  # noqa: F811
    from baophu.engine.targets.run import (
        progress_rows,
        province_targets_summary,
        run_allocation,
        run_campaign,
        run_progress,
    )

    with province["workspace"].store() as store:
        run_allocation(store, 2026, "bhyt_rate", "uncovered", to_level="commune")
        summary = run_progress(store, 2026)
        communes = progress_rows(store, "bhyt_rate", "commune")
        demo = province_targets_summary(store)
        campaign = run_campaign(store, days=5, target_values={"bhyt_rate": 0.95})
    assert summary["year"] == 2026 and "bhyt_rate" in summary["indicators"]
    assert len(communes) == 95 and sorted(r["rank"] for r in communes) == list(range(1, 96))
    assert sum(r["is_lowest"] for r in communes) == 5
    population = province["summary"]["province"]["population"]
    bhyt = next(i for i in demo["indicators"] if i["indicator"] == "bhyt_rate")
    assert bhyt["target_people"] == -(-96 * population // 100)
    assert bhyt["gap"] == max(bhyt["target_people"] - bhyt["achieved"], 0)
    assert bhyt["needed_per_day"] == -(-bhyt["gap"] // bhyt["days_left"])
    compulsory = next(i for i in demo["indicators"] if i["indicator"] == "compulsory_participants")
    assert compulsory["target_rate"] == pytest.approx(0.95, abs=0.001)  # 1,115,590 / 1,174,298
    rates = [c["bhyt_rate"] for c in demo["lowest_communes"]]
    assert len(rates) == 5 and rates == sorted(rates)
    assert campaign["rows"] == 5 and campaign["year"] == 2025
