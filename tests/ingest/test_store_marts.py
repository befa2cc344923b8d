"""Marts: engine results materialised in the store, stamped with state, date and rule version,
read back the same on DuckDB and Spark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from baophu.ingest.importer import import_paths


def test_mart_round_trip_with_stamp(workspace, tiny_inputs: Path) -> None:
    with workspace.store() as store:
        assert import_paths(store, [tiny_inputs], workspace.rejects_dir).committed
        state = store.state_id()
        residents = store.table("residents")
        by_hamlet = residents.group_by("hamlet_code").aggregate(population=residents.count())
        stamp = {
            "state_id": state,
            "reference_date": dt.date(2026, 10, 31),
            "rule_version": "test.1",
        }
        assert store.write_mart("population_by_hamlet", by_hamlet, stamp) == 2
        rows = store.mart("population_by_hamlet").to_pyarrow().to_pylist()
        marts = store.marts()
    # 3 residents in Khu phố 1 (household H1), 2 in Ấp 1 (household H2): see conftest.
    assert sorted((r["hamlet_code"], r["population"]) for r in rows) == [
        ("26734001", 3),
        ("26735001", 2),
    ]
    assert {r["_state_id"] for r in rows} == {state}
    assert {r["_reference_date"] for r in rows} == {"2026-10-31"}
    assert {r["_rule_version"] for r in rows} == {"test.1"}
    assert [(m["mart"], m["rows"], m["state_id"]) for m in marts] == [
        ("population_by_hamlet", 2, state)
    ]


def test_state_id_changes_with_each_import(duckdb_workspace, tiny_inputs: Path) -> None:
    ws = duckdb_workspace
    with ws.store() as store:
        empty = store.state_id()
        import_paths(store, [tiny_inputs / "units.csv"], ws.rejects_dir)
        one = store.state_id()
        import_paths(store, [tiny_inputs / "units.csv"], ws.rejects_dir)  # unchanged file
        same = store.state_id()
        import_paths(store, [tiny_inputs / "households.csv"], ws.rejects_dir)
        two = store.state_id()
    assert len({empty, one, two}) == 3
    assert same == one


def test_mart_may_join_an_in_memory_lookup(workspace, tiny_inputs: Path) -> None:
    import ibis

    with workspace.store() as store:
        assert import_paths(store, [tiny_inputs], workspace.rejects_dir).committed
        residents = store.table("residents")
        labels = ibis.memtable({"sex": ["male", "female"], "sex_vi": ["Nam", "Nữ"]})
        joined = residents.join(labels, "sex")
        expr = joined.group_by("sex_vi").aggregate(n=joined.count())
        stamp = {
            "state_id": store.state_id(),
            "reference_date": "2026-10-31",
            "rule_version": "test.1",
        }
        assert store.write_mart("by_sex", expr, stamp) == 2
        rows = store.mart("by_sex").to_pyarrow().to_pylist()
    # conftest: An, Cường, Đức are men; Bình, Hoa are women.
    assert sorted((r["sex_vi"], r["n"]) for r in rows) == [("Nam", 3), ("Nữ", 2)]
