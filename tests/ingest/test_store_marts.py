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


def test_an_in_memory_table_keeps_its_nulls(workspace) -> None:  # type: ignore[no-untyped-def]
    """Nulls of a whole number or text column of an in-memory table (the national view's
    units and people, gathered from every province) stay nulls on both backends, and the
    numbers beside them stay numbers.  Through pandas, Spark made every number of a column
    with a null into a null, and a missing text into the text "NaN"."""
    import ibis
    import pyarrow as pa

    data = pa.table(
        {
            "unit_code": ["A", "B", "C"],
            "employers": pa.array([3, None, 0], pa.int64()),
            "si_code": pa.array(["7512345678", None, "7500000001"], pa.string()),
            "ratio": pa.array([0.5, None, 0.0], pa.float64()),
        }
    )
    stamp = {"state_id": "s", "reference_date": "2026-10-31", "rule_version": "test.1"}
    with workspace.store() as store:
        assert store.write_mart("with_nulls", ibis.memtable(data), stamp) == 3
        rows = store.mart("with_nulls").select(*data.column_names).to_pyarrow().to_pylist()
    assert sorted(rows, key=lambda r: r["unit_code"]) == [
        {"unit_code": "A", "employers": 3, "si_code": "7512345678", "ratio": 0.5},
        {"unit_code": "B", "employers": None, "si_code": None, "ratio": None},
        {"unit_code": "C", "employers": 0, "si_code": "7500000001", "ratio": 0.0},
    ]
