"""Allocation: largest-remainder rounding, the floor at what is already achieved, the
methods, and whole hierarchies that add up exactly — hand-computed cases first."""

from __future__ import annotations

import random
from typing import Any

import ibis
import pyarrow as pa
import pytest

# make the session-wide synthetic province available here
from test_coverage_truth import province  # noqa: F401

from baophu.engine.targets.allocate import allocate


def run(
    weights: list[float],
    target: int,
    floors: list[int] | None = None,
    bases: list[int] | None = None,
    con: Any = None,
) -> list[dict[str, Any]]:
    n = len(weights)
    children = pa.table(
        {
            "parent_code": ["P"] * n,
            "unit_code": [f"U{i:02d}" for i in range(n)],
            "weight": pa.array(weights, pa.float64()),
            "base": pa.array(bases or [0] * n, pa.int64()),
            "floor": pa.array(floors or [0] * n, pa.int64()),
        }
    )
    parents = pa.table({"parent_code": ["P"], "target": pa.array([target], pa.int64())})
    expr = allocate(ibis.memtable(children), ibis.memtable(parents)).order_by("unit_code")
    con = con or ibis.duckdb.connect()
    return con.to_pyarrow(expr).to_pylist()


def allocated(rows: list[dict[str, Any]]) -> list[int]:
    return [r["allocated"] for r in rows]


@pytest.mark.parametrize(
    ("weights", "target", "floors", "bases", "expected"),
    [
        # 10 over 1:1:1: quotas 3⅓ each, one person left; equal fractions and quotas, so
        # the smallest unit code gets it
        ([1, 1, 1], 10, None, None, [4, 3, 3]),
        ([1, 1, 1], 11, None, None, [4, 4, 3]),
        # exact shares need no rounding
        ([1, 2, 4], 7, None, None, [1, 2, 4]),
        # 5 over 1:3 → 1.25 and 3.75: the larger fraction gets the remainder
        ([1, 3], 5, None, None, [1, 4]),
        # U0 has already achieved 6: it keeps 6, the others share the remaining 4
        ([1, 1, 1], 10, [6, 0, 0], None, [6, 2, 2]),
        # the increase of 4 over 5:3:2 on top of 2 each → 4, 3.2, 2.8 → 4, 3, 3
        ([5, 3, 2], 10, [2, 2, 2], [2, 2, 2], [4, 3, 3]),
        # equal fractions (.5), larger quota first: 2.5 vs 1.5 → 3, 1
        ([1, 1], 4, None, [1, 0], [3, 1]),
        # all weights zero: equal shares
        ([0, 0, 0], 10, None, None, [4, 3, 3]),
        # a child with no weight keeps its floor; the others share the rest
        ([1, 0, 1], 10, [0, 3, 0], None, [4, 3, 3]),
    ],
)
def test_hand_computed_allocations(
    weights: list[float],
    target: int,
    floors: list[int] | None,
    bases: list[int] | None,
    expected: list[int],
) -> None:
    rows = run(weights, target, floors, bases)
    assert allocated(rows) == expected
    assert sum(allocated(rows)) == target
    assert not any(r["parent_short"] for r in rows)


def test_floor_marks_the_children_it_binds() -> None:
    rows = run([1, 1, 1], 10, [6, 0, 0])
    assert [r["at_floor"] for r in rows] == [True, False, False]


def test_children_above_the_parent_keep_what_they_achieved() -> None:
    """Floors 5 + 5 + 5 exceed a target of 10: nobody is cut below what they achieved and the
    parent is flagged (the sum then exceeds the parent)."""
    rows = run([1, 1, 1], 10, [5, 5, 5])
    assert allocated(rows) == [5, 5, 5]
    assert all(r["parent_short"] for r in rows)
    # … unless asked: allowing targets below achievement, the target is shared as usual
    assert allocated(run([1, 1, 1], 10, None)) == [4, 3, 3]


def _largest_remainder(weights: list[float], target: int) -> list[int]:
    """Reference implementation (no floors): Hamilton's method with the same tie-break."""
    total = sum(weights)
    quotas = [target * w / total for w in weights]
    base = [int(q) for q in quotas]
    rest = target - sum(base)
    order = sorted(
        range(len(weights)),
        key=lambda i: (-round(quotas[i] - base[i], 9), -quotas[i], f"U{i:02d}"),
    )
    for i in order[:rest]:
        base[i] += 1
    return base


def test_matches_a_reference_largest_remainder() -> None:
    rng = random.Random(7)
    con = ibis.duckdb.connect()
    for _ in range(5):
        n = rng.randint(2, 12)
        weights = [float(rng.randint(0, 50)) for _ in range(n)]
        weights[0] += 1
        target = rng.randint(0, 500)
        rows = run(weights, target, con=con)
        assert allocated(rows) == _largest_remainder(weights, target)


def test_random_floors_are_respected_and_sums_exact() -> None:
    rng = random.Random(11)
    con = ibis.duckdb.connect()
    for _ in range(5):
        n = rng.randint(2, 15)
        weights = [float(rng.randint(0, 30)) for _ in range(n)]
        floors = [rng.randint(0, 20) for _ in range(n)]
        target = sum(floors) + rng.randint(0, 200)
        got = allocated(run(weights, target, floors, con=con))
        assert sum(got) == target
        assert all(g >= f for g, f in zip(got, floors, strict=True))


# ------------------------------------------------------------------------ hierarchies


def _check_hierarchy(result: dict[str, Any]) -> None:
    rows = result["rows"]
    targets = {r["unit_code"]: r["target_people"] for r in rows}
    targets[result["root"]] = result["root_target"]
    sums: dict[str, int] = {}
    for r in rows:
        sums[r["parent_code"]] = sums.get(r["parent_code"], 0) + r["target_people"]
    short = set(result["short_parents"])
    for parent, total in sums.items():
        if parent not in short:
            assert total == targets[parent], parent
    assert all(r["target_people"] >= r["achieved"] for r in rows)


@pytest.mark.parametrize("method", ["uncovered", "uplift", "last_year"])
def test_province_to_every_hamlet(province: dict[str, Any], method: str) -> None:  # noqa: F811
    from baophu.engine.targets.run import run_allocation

    with province["workspace"].store() as store:
        result = run_allocation(store, 2026, "bhyt_rate", method)
    population = province["summary"]["province"]["population"]
    assert result["root_target"] == -(-96 * population // 100)  # ceil(0.96 × population)
    levels = {r["level"] for r in result["rows"]}
    assert levels == {"office", "commune", "hamlet"}
    assert sum(1 for r in result["rows"] if r["level"] == "commune") == 95
    _check_hierarchy(result)


def test_weights_and_a_hand_set_child(province: dict[str, Any]) -> None:  # noqa: F811
    """A commune with a target set by hand keeps it; its siblings share the rest."""
    from baophu.engine.targets.run import run_allocation

    with province["workspace"].store() as store:
        units = store.table("units")
        communes = (
            units.filter(units.level == "commune")
            .select("unit_code", "parent_code")
            .order_by("unit_code")
            .to_pyarrow()
            .to_pylist()
        )
        office = communes[0]["parent_code"]
        siblings = [c["unit_code"] for c in communes if c["parent_code"] == office]
        manual = pa.table(
            {
                "year": [2026],
                "unit_code": [siblings[0]],
                "indicator": ["compulsory_participants"],
                "target_value": [10.0],
                "denominator": pa.array([None], pa.int64()),
                "source": ["test"],
            }
        )
        weights = pa.table(
            {"unit_code": [c["unit_code"] for c in communes], "weight": [1.0] * len(communes)}
        )
        # the office's target comes from the province's allocated one
        run_allocation(store, 2026, "compulsory_participants", "uncovered", to_level="office")
        result = run_allocation(
            store,
            2026,
            "compulsory_participants",
            "weights",
            root=office,
            to_level="commune",
            weights=weights,
            manual=manual,
        )
    rows = {r["unit_code"]: r for r in result["rows"]}
    assert set(rows) == set(siblings)
    assert rows[siblings[0]]["target_people"] == 10 and rows[siblings[0]]["manual"]
    assert sum(r["target_people"] for r in rows.values()) == result["root_target"]


def test_agent_to_collectors(province: dict[str, Any]) -> None:  # noqa: F811
    from baophu.engine.targets.run import run_allocation

    with province["workspace"].store() as store:
        agent = store.table("agents").order_by("agent_code").limit(1).to_pyarrow()
        code = agent.column("agent_code")[0].as_py()
        manual = pa.table(
            {
                "year": [2026],
                "unit_code": [code],
                "indicator": ["voluntary_participants"],
                "target_value": [50.0],
                "denominator": pa.array([None], pa.int64()),
                "source": ["test"],
            }
        )
        result = run_allocation(
            store,
            2026,
            "voluntary_participants",
            "uncovered",
            hierarchy="agents",
            root=code,
            manual=manual,
            allow_below_achieved=True,
        )
    assert {r["level"] for r in result["rows"]} == {"collector"}
    assert sum(r["target_people"] for r in result["rows"]) == 50


@pytest.mark.spark
def test_allocation_on_spark_matches_duckdb(tmp_path: Any) -> None:
    from baophu.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws", backend="pyspark")
    ws = Workspace.open(tmp_path / "ws")
    with ws.store() as store:
        spark = store.ibis()
        for case in ([1, 1, 1], 10, [6, 0, 0]), ([1, 1, 1], 10, None):
            weights, target, floors = case
            assert allocated(run(weights, target, floors, con=spark)) == allocated(
                run(weights, target, floors)
            )
