"""The engine tests run under the pinned parameter and policy files, and what the engine
writes says so (issue 12, item 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis

from pinned_rules import PARAMETERS, POLICY, POLICY_VERSION, RULE_VERSION


def test_the_pinned_files_are_in_force() -> None:
    from baophu.rules import get_policy, get_rules

    assert (get_rules().version, get_rules().path) == (RULE_VERSION, str(PARAMETERS))
    assert (get_policy().version, get_policy().path) == (POLICY_VERSION, str(POLICY))


def test_marts_are_stamped_with_the_pinned_rule_version(duckdb_workspace: Any) -> None:
    with duckdb_workspace.store() as store:
        store.write_mart("probe", ibis.memtable([{"x": 1}]), store.stamp(dt.date(2026, 1, 31)))
        assert store.mart_entry("probe").rule_version == RULE_VERSION
        assert store.mart_is_current("probe")
        rows = store.mart("probe").to_pyarrow().to_pylist()
    assert rows == [
        {
            "x": 1,
            "_state_id": rows[0]["_state_id"],
            "_reference_date": "2026-01-31",
            "_rule_version": RULE_VERSION,
        }
    ]


def test_lists_report_the_pinned_policy() -> None:
    from baophu.engine.potential import ListParams

    p = ListParams.on(dt.date(2026, 10, 31))
    assert (p.rule_version, p.policy_version) == (RULE_VERSION, POLICY_VERSION)
    assert (p.due_days, p.subsidy_days, p.child_state_paid_age) == (30, 60, 6)
    assert (p.survivor_min_age, p.survivor_near_poor_min_age) == (75, 70)
