"""Counts per mask turned into counts per date (``engine.coverage.masks``): ``mask_events``
and ``cumulate`` on hand-made counts, the expected series written out by hand, on both
backends."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa

from baophu.engine.coverage.masks import cumulate, mask_events
from baophu.workspace import Workspace

D = dt.date(2026, 10, 31)
N = 6  # six dates: bit k is date k


def _rows(workspace: Workspace, expr: ibis.Table, order: list[str]) -> list[dict]:  # type: ignore[type-arg]
    with workspace.store() as store:
        store.write_mart("probe", expr, store.stamp(D))
        return store.read_mart("probe").order_by(order).to_pyarrow().to_pylist()


def test_cumulate_carries_each_total_to_every_later_date(workspace: Workspace) -> None:
    """Unit A: +3 on date 1, +2 on date 3, -4 on date 4; unit B: +1 on date 0 only, and a
    second measure; unit C never changes (it has no delta, so no row)."""
    deltas = ibis.memtable(
        pa.table(
            {
                "unit_code": ["A", "A", "A", "B"],
                "date_index": pa.array([1, 3, 4, 0], pa.int64()),
                "people": pa.array([3, 2, -4, 1], pa.int64()),
                "pupils": pa.array([0, 1, None, 5], pa.int64()),
            }
        )
    )
    got = _rows(
        workspace,
        cumulate(deltas, ["unit_code"], N, ["people", "pupils"]),
        ["unit_code", "date_index"],
    )
    expected = [
        ("A", 0, 0, 0),
        ("A", 1, 3, 0),
        ("A", 2, 3, 0),
        ("A", 3, 5, 1),
        ("A", 4, 1, 1),  # a missing change counts as none
        ("A", 5, 1, 1),
        *[("B", k, 1, 5) for k in range(N)],
    ]
    assert [(r["unit_code"], r["date_index"], r["people"], r["pupils"]) for r in got] == expected


def test_mask_events_then_cumulate_give_the_count_on_each_date(workspace: Workspace) -> None:
    """Four people of one unit by the mask of dates they count on: 0b000110 (dates 1-2),
    0b110110 twice (dates 1-2 and 4-5) and 0b111111 (every date); by hand the unit counts
    1, 4, 4, 1, 3, 3 on the six dates."""
    counts = ibis.memtable(
        pa.table(
            {
                "unit_code": ["U", "U", "U"],
                "mask": pa.array([0b000110, 0b110110, 0b111111], pa.int64()),
                "value": pa.array([1, 2, 1], pa.int64()),
            }
        )
    )
    events = mask_events(counts, N)
    deltas = events.group_by("unit_code", "date_index").aggregate(people=events.delta.sum())
    got = _rows(workspace, cumulate(deltas, ["unit_code"], N, ["people"]), ["date_index"])
    assert [r["people"] for r in got] == [1, 4, 4, 1, 3, 3]
    assert [r["date_index"] for r in got] == list(range(N))
