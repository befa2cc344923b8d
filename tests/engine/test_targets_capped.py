"""Allocation with caps (issue 11, item 25): no child of a rate target is asked for more than
100 % of its denominator; the rest goes to the others, and what cannot be placed is said.
Expected shares computed by hand."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from baophu.engine.targets.allocate import allocate_capped


def _run(target: int, weights: list[float], caps: list[int | None], floors: Any = None) -> Any:
    n = len(weights)
    floors = floors or [0] * n
    children = pa.table(
        {
            "parent_code": ["P"] * n,
            "unit_code": [f"U{i}" for i in range(n)],
            "weight": pa.array(weights, pa.float64()),
            "base": pa.array(floors, pa.int64()),
            "floor": pa.array(floors, pa.int64()),
            "cap": pa.array(caps, pa.int64()),
        }
    )
    parents = pa.table({"parent_code": ["P"], "target": pa.array([target], pa.int64())})
    rows = allocate_capped(ibis.memtable(children), ibis.memtable(parents)).to_pyarrow()
    out = {r["unit_code"]: r for r in rows.to_pylist()}
    return [out[f"U{i}"]["allocated"] for i in range(n)], rows.to_pylist()


def test_a_capped_child_gives_its_excess_to_the_others() -> None:
    # 90 among three equal weights: 30 each; the first may take only 10, so the other two
    # share the remaining 80: 40 each
    got, rows = _run(90, [1, 1, 1], [10, 50, 50])
    assert got == [10, 40, 40]
    assert not any(r["parent_short"] for r in rows)


def test_no_caps_is_the_plain_allocation() -> None:
    got, _ = _run(90, [1, 1, 1], [None, None, None])
    assert got == [30, 30, 30]


def test_caps_in_cascade() -> None:
    # 100 among weights 1,1,2: 25, 25, 50; the third may take 40 → 60 left for the first two
    # (30 each), but the second may take 28 → the first takes 100 − 40 − 28 = 32
    got, _ = _run(100, [1, 1, 2], [None, 28, 40])
    assert got == [32, 28, 40]


def test_a_target_above_every_cap_is_short_and_says_so() -> None:
    got, rows = _run(200, [1, 1, 1], [10, 50, 50])
    assert got == [10, 50, 50]  # 110 placed, 90 cannot be
    assert all(r["parent_short"] for r in rows)


def test_floors_still_hold() -> None:
    # achieved 45 already in the third (its floor and cap): it keeps 45; 60 − 45 = 15 left,
    # 7.5 each; the tie goes to the smaller unit code (largest remainder)
    got, _ = _run(60, [1, 1, 0], [20, 20, 45], floors=[0, 0, 45])
    assert got == [8, 7, 45]
