"""The store's typed mart API (``backends.Store``): read without stamps, exists, is current
(state, rule version, reference date), write with a stamp, temporary tables — the same on
DuckDB and Spark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pytest

from baophu.backends import STAMP_COLUMNS, Stamp, StoreConfig, open_store
from baophu.ingest.importer import import_paths
from baophu.rules import get_rules


def test_write_read_and_registry(workspace, tiny_inputs: Path) -> None:
    with workspace.store() as store:
        assert import_paths(store, [tiny_inputs], workspace.rejects_dir).committed
        assert not store.has_mart("by_hamlet")
        assert store.mart_entry("by_hamlet") is None
        assert not store.mart_is_current("by_hamlet")
        residents = store.table("residents")
        expr = residents.group_by("hamlet_code").aggregate(population=residents.count())
        stamp = store.stamp(dt.date(2026, 10, 31))
        assert stamp == Stamp(store.state_id(), "2026-10-31", get_rules().version)
        assert store.write_mart("by_hamlet", expr, stamp) == 2
        read = store.read_mart("by_hamlet")
        raw = store.mart("by_hamlet")
        entry = store.mart_entry("by_hamlet")
        current = store.mart_is_current("by_hamlet")
        on_date = store.mart_is_current("by_hamlet", reference_date=dt.date(2026, 10, 31))
        other_date = store.mart_is_current("by_hamlet", reference_date="2026-09-30")
        other_rules = store.mart_is_current("by_hamlet", rule_version="another")
        rows = read.to_pyarrow().to_pylist()
        raw_columns = list(raw.columns)
    # conftest: 3 residents in hamlet 26734001, 2 in 26735001.
    assert sorted((r["hamlet_code"], r["population"]) for r in rows) == [
        ("26734001", 3),
        ("26735001", 2),
    ]
    assert set(read.columns) == {"hamlet_code", "population"}
    assert set(STAMP_COLUMNS) <= set(raw_columns)
    assert entry is not None
    assert (entry.mart, entry.rows, entry.reference_day) == ("by_hamlet", 2, dt.date(2026, 10, 31))
    assert entry.rule_version == get_rules().version
    assert entry.computed_at
    assert current and on_date
    assert not other_date and not other_rules


def test_a_new_import_makes_a_mart_stale(duckdb_workspace, tiny_inputs: Path) -> None:
    ws = duckdb_workspace
    with ws.store() as store:
        import_paths(store, [tiny_inputs / "units.csv"], ws.rejects_dir)
        store.write_mart("one", ibis.memtable({"x": [1]}), store.stamp("2026-10-31"))
        before = store.mart_is_current("one")
        import_paths(store, [tiny_inputs / "households.csv"], ws.rejects_dir)
        after = store.mart_is_current("one")
        still_there = store.has_mart("one")
    assert before and not after and still_there


def test_stamp_only_in_the_registry(duckdb_workspace) -> None:
    with duckdb_workspace.store() as store:
        rows = store.write_mart(
            "codes",
            ibis.memtable({"k": [1, 2]}),
            {"state_id": "s", "reference_date": "2026-01-31", "rule_version": "r"},
            stamp_rows=False,
        )
        columns = list(store.mart("codes").columns)
        entry = store.mart_entry("codes")
    assert rows == 2
    assert columns == ["k"]
    assert entry is not None and (entry.state_id, entry.rule_version) == ("s", "r")


def test_temporary_tables_materialise_and_release(duckdb_workspace) -> None:
    with duckdb_workspace.store() as store, store.temporary_tables() as temp:
        t = temp(ibis.memtable({"a": [1, 2, 3]}).mutate(b=ibis._.a * 2))
        total = int(t.b.sum().to_pyarrow().as_py())
        held = list(temp.tables)
    assert total == 12
    assert held == [t]
    assert temp.tables == []  # released at the end of the block


def test_duckdb_temporary_tables_are_dropped_when_released(duckdb_workspace) -> None:
    """Not left until the connection ends (Ibis' own DROP is rejected by DuckDB 2): the
    memory a step's temporary tables hold is free for the next step."""

    def temporary(store) -> set[str]:  # type: ignore[no-untyped-def]
        rows = store.raw.execute("SELECT table_name FROM duckdb_tables() WHERE temporary")
        return {r[0] for r in rows.fetchall()}

    with duckdb_workspace.store() as store:
        before = temporary(store)
        units = store.table("units")  # a table of the store's own connection (empty here)
        with store.temporary_tables() as temp:
            t = temp(units.select(code=units.unit_code))
            assert int(t.count().to_pyarrow().as_py()) == 0
            during = temporary(store) - before
        after = temporary(store) - before
    assert len(during) == 1
    assert after == set()


def test_temporary_tables_release_each_in_reverse_order() -> None:
    from baophu.backends import TemporaryTables

    released: list[str] = []

    class Cached:
        def __init__(self, name: str) -> None:
            self.name = name

        def release(self) -> None:
            released.append(self.name)
            if self.name == "b":
                raise RuntimeError("a DROP the backend rejects is ignored")

    class Expr:
        def __init__(self, name: str) -> None:
            self.name = name

        def cache(self) -> Cached:
            return Cached(self.name)

    class Backend:
        def __init__(self) -> None:
            self.registered: list[str] = []

        def _run_pre_execute_hooks(self, expr: Expr) -> None:
            self.registered.append(expr.name)

    backend = Backend()
    temp = TemporaryTables(backend)
    for name in ("a", "b", "c"):
        temp(Expr(name))  # type: ignore[arg-type]
    temp.release()
    assert backend.registered == ["a", "b", "c"]
    assert released == ["c", "b", "a"]


def test_an_open_makes_missing_tables_once_per_layout(duckdb_workspace) -> None:
    # a file that has the current layout key is trusted (no listing of its tables, no DDL);
    # a file without it, or with another key (an older workspace, a changed contract), gets
    # every missing table and the key
    import duckdb

    from baophu.contracts import CONTRACTS

    path = duckdb_workspace.root / duckdb_workspace.config.duckdb_file
    with duckdb_workspace.store():
        pass
    con = duckdb.connect(str(path))
    ((key,),) = con.execute("SELECT key FROM _layout").fetchall()
    assert len(key) == 16
    con.execute("DROP TABLE collectors")
    con.close()
    with duckdb_workspace.store() as store:  # the key is current: nothing is made
        tables = {r[0] for r in store.raw.execute("SHOW TABLES").fetchall()}
    assert "collectors" not in tables
    for old_key in (None, "an older layout"):
        con = duckdb.connect(str(path))
        con.execute("DROP TABLE IF EXISTS collectors")
        if old_key is None:
            con.execute("DROP TABLE _layout")
        else:
            con.execute("UPDATE _layout SET key = ?", [old_key])
        con.close()
        with duckdb_workspace.store() as store:
            tables = {r[0] for r in store.raw.execute("SHOW TABLES").fetchall()}
            again = store.raw.execute("SELECT key FROM _layout").fetchall()
        assert {c.table for c in CONTRACTS.values()} <= tables
        assert {"_marts", "_snapshots"} <= tables and again == [(key,)]
    with duckdb_workspace.store(read_only=True) as store:  # read-only: never written
        assert store.raw.execute("SELECT key FROM _layout").fetchall() == [(key,)]


def test_store_config_opens_without_a_workspace(tmp_path: Path) -> None:
    config = StoreConfig(root=tmp_path)
    with open_store(config) as store:
        store.write_mart("m", ibis.memtable({"v": [7]}), store.stamp("2026-10-31"))
    with open_store(config, read_only=True) as store:
        values = store.read_mart("m").to_pyarrow().column("v").to_pylist()
        with pytest.raises(Exception, match="read-only"):
            store.write_mart("m2", ibis.memtable({"v": [1]}), store.stamp("2026-10-31"))
    assert values == [7]


@pytest.mark.spark
def test_spark_temporary_tables_are_parquet_files_gone_when_released(
    tmp_path: Path, tiny_inputs: Path
) -> None:
    """On Spark a temporary table is a Parquet folder read back as a view: later queries
    plan against the file scan, not the lineage that made it (a cached DataFrame's), and
    the folder and the view are gone when the block ends."""
    from baophu.backends import spark_session
    from baophu.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws", backend="pyspark")
    ws = Workspace.open(tmp_path / "ws")
    with ws.store() as store:
        assert import_paths(store, [tiny_inputs], ws.rejects_dir).committed
        residents = store.table("residents")
        session = spark_session(store.master, log_dir=store.log_dir)
        with store.temporary_tables() as temp:
            t = temp(residents.group_by("hamlet_code").aggregate(n=residents.count()))
            (view,) = temp.views
            folder = temp.folder
            written = list((folder / view).glob("*.parquet"))
            plan = session.table(view)._jdf.queryExecution().analyzed().toString()
            rows = sorted((r["hamlet_code"], r["n"]) for r in t.to_pyarrow().to_pylist())
        view_left = session.catalog.tableExists(view)
    assert rows == [("26734001", 3), ("26735001", 2)]  # conftest: 3 + 2 residents
    assert written
    assert "parquet" in plan.lower() and "Aggregate" not in plan
    assert not folder.exists()
    assert not view_left


@pytest.mark.spark
def test_spark_mart_folder_holds_only_its_parquet_files_and_counts_its_rows(
    tmp_path: Path, tiny_inputs: Path
) -> None:
    """A Spark mart is written once into its own folder: Parquet files only (no ``_SUCCESS``
    marker, no ``.crc`` checksums), and its registered rows are the rows written, an empty
    mart's too (read from the files' footers)."""
    from baophu.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws", backend="pyspark")
    ws = Workspace.open(tmp_path / "ws")
    with ws.store() as store:
        assert import_paths(store, [tiny_inputs], ws.rejects_dir).committed
        residents = store.table("residents")
        stamp = store.stamp(dt.date(2026, 10, 31))
        women = residents.filter(residents.sex == "female").select("person_id")
        nobody = residents.filter(residents.hamlet_code == "99999999").select("person_id")
        written = (
            store.write_mart("women", women, stamp),
            store.write_mart("nobody", nobody, stamp),
        )
        entries = (store.mart_entry("women"), store.mart_entry("nobody"))
        folder = store.root / store.manifest()["marts"]["women"]["dir"]
        names = sorted(p.name for p in folder.iterdir())
    assert written == (2, 0)  # conftest: Trần Thị Bình and Phạm Thị Hoa
    assert [e.rows for e in entries if e is not None] == [2, 0]
    assert names and all(n.endswith(".parquet") for n in names), names


@pytest.mark.spark
def test_spark_schema_given_is_the_schema_spark_infers(tmp_path: Path) -> None:
    """Spark reads a canonical table's files with the schema ``spark_table_schema`` gives
    instead of inferring one (a job per read): for every contract it is the schema Spark
    infers from a file written as an import writes it (Arrow, ``table_schema``)."""
    import pyarrow.parquet as pq

    from baophu.backends import spark_session, spark_table_schema, table_schema
    from baophu.contracts import CONTRACTS

    session = spark_session("local[2]")
    for name, contract in CONTRACTS.items():
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table_schema(contract).empty_table(), path)
        assert session.read.parquet(str(path)).schema == spark_table_schema(name), name


@pytest.mark.spark
def test_spark_reads_tables_and_marts_without_a_job(tmp_path: Path, tiny_inputs: Path) -> None:
    """A canonical table, a mart and a temporary table are read back with the schema they
    were written with: no Spark job starts for the read, and the schema is the one Spark
    infers from the files (every column nullable, a literal's and a timestamp's too).  A
    mart registered before its schema was kept is still read, by inference."""
    import json

    from baophu.backends import spark_session
    from baophu.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws", backend="pyspark")
    ws = Workspace.open(tmp_path / "ws")
    with ws.store() as store:
        assert import_paths(store, [tiny_inputs], ws.rejects_dir).committed
        session = spark_session(store.master, log_dir=store.log_dir)
        tracker = session.sparkContext.statusTracker()
        residents = store.table("residents")
        expr = residents.select(
            "person_id",
            "birth_date",
            one=ibis.literal(1),
            at=ibis.timestamp("2026-10-31 08:00:00"),
        )
        store.write_mart("probe", expr, store.stamp(dt.date(2026, 10, 31)))
        files = {
            "residents": [str(f) for f in store.files("residents")],
            "probe": [str(store.root / store.manifest()["marts"]["probe"]["dir"])],
        }
        with store.temporary_tables() as temp:
            t = temp(expr)
            files[temp.views[0]] = [str(temp.folder / temp.views[0])]
            session.sparkContext.setJobGroup("reads", "reads only")
            store.table("residents")
            store.mart("probe")
            jobs = tracker.getJobIdsForGroup("reads")
            session.sparkContext.setJobGroup("other", "after the reads")
            views = {"residents": "residents", "probe": "mart_probe", temp.views[0]: temp.views[0]}
            schemas = {k: session.table(v).schema for k, v in views.items()}
            inferred = {k: session.read.parquet(*paths).schema for k, paths in files.items()}
            rows = sorted(r["person_id"] for r in t.to_pyarrow().to_pylist())
        # an entry written before the schema was kept in the manifest
        manifest = store.manifest()
        del manifest["marts"]["probe"]["spark_schema"]
        (store.root / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        old = sorted(r["one"] for r in store.read_mart("probe").to_pyarrow().to_pylist())
        listed = store.marts()
    assert list(jobs) == []
    assert schemas == inferred
    assert all(f.nullable for f in schemas["probe"].fields)
    # conftest's five residents
    ids = ["075085000001", "075185000002", "075215000003", "075090000006", "075192000007"]
    assert rows == sorted(ids)
    assert old == [1] * 5
    assert all("spark_schema" not in m for m in listed)


def test_current_rows_of_a_table_and_of_one_source(workspace, tmp_path: Path) -> None:
    """What an import is about to replace: the rows of the current snapshots of a table (or
    of one source file), superseded snapshots left out — counted by hand from the files."""
    units = "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh\n"
    units += "75,Đồng Nai,province,,tỉnh,75\n75BH01,BHXH Biên Hòa,office,75,BHXH cơ sở,75\n"
    units += "26734,Phường Biên Hòa,commune,75BH01,phường,75\n"
    hamlets = [f"2673400{i},Khu phố {i},hamlet,26734,khu phố,75\n" for i in range(1, 6)]
    (tmp_path / "units.csv").write_text(units + "".join(hamlets), encoding="utf-8")
    with workspace.store() as store:
        assert store.current_rows("units") == 0
        assert import_paths(store, [tmp_path / "units.csv"], tmp_path / "rejects").committed
        assert store.current_rows("units") == 3 + 5
        assert store.current_rows("units", "units.csv") == 8
        assert store.current_rows("units", "another.csv") == 0
        assert store.current_rows("residents") == 0
        # the same file again with two hamlets fewer: the old snapshot is superseded
        (tmp_path / "units.csv").write_text(units + "".join(hamlets[:3]), encoding="utf-8")
        assert import_paths(store, [tmp_path / "units.csv"], tmp_path / "rejects").committed
        assert store.current_rows("units") == 6
        assert len(store.snapshots()) == 2
