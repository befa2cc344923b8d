"""The one adapter that knows about DuckDB and Spark.

Everything backend-specific lives here: how canonical tables are stored, how an import batch is
made atomic, and how an Ibis connection is opened.  Ingest and the engine talk to a ``Store``
and receive Ibis tables; they never see SQL dialects or file layouts.

* DuckDB (default): one file, ``baophu.duckdb``; an import batch is one transaction, so a crash
  or kill before COMMIT leaves the previous state exactly as it was.
* PySpark (scale-out): Parquet files under ``warehouse/`` and a manifest ``_manifest.json`` that
  lists the files making up each table; a batch writes new files first and replaces the
  manifest atomically (``os.replace``) at commit, so readers see the old or the new state,
  never half of one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import sys
import time
import types
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import sqlglot.expressions as sge
from ibis.expr.types import Table as IbisTable

from baophu.contracts import CONTRACTS
from baophu.contracts.model import ARROW_TYPES, Contract
from baophu.rules import get_rules

T = TypeVar("T")

# Ibis merges each Select into the Select below it when it compiles (``fuse_selects``): the
# rewrite measures the "complexity" of both sides for every candidate pair, which cost about
# a tenth of the engine tests' time (25 s of 226 s under the profiler) for SQL that DuckDB's
# and Spark's optimisers flatten on their own.  Off: the same results, nested SELECTs.
ibis.options.sql.fuse_selects = False


def _teach_pyspark_bit_or() -> None:
    """Ibis 12 compiles the bitwise-OR aggregate (``IntegerColumn.bit_or``) for DuckDB but not
    for PySpark, although Spark SQL has ``bit_or``; the engine's date masks need it on both.
    The compile rule is added here, in the one module that knows the backends."""
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    def visit_bit_or(self: Any, op: Any, *, arg: Any, where: Any) -> Any:
        return self.agg.bit_or(arg, where=where)

    PySparkCompiler.visit_BitOr = visit_bit_or  # type: ignore[attr-defined]


_teach_pyspark_bit_or()


def _teach_pyspark_int64_literals() -> None:
    """Ibis 12 writes an int64 literal for PySpark as a bare number, which Spark types INT:
    ``SHIFTLEFT(1, k)`` is then a 32-bit shift, and a date mask shifted into the upper half of
    a 64-bit word (coverage packs two classes of spells in one) silently loses its bits.
    An int64 literal is written ``CAST(v AS BIGINT)``, as DuckDB reads it."""
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    plain = PySparkCompiler.visit_NonNullLiteral

    def visit_non_null_literal(self: Any, op: Any, *, value: Any, dtype: Any) -> Any:
        if dtype.is_int64():
            return self.cast(sge.convert(int(value)), dtype)
        return plain(self, op, value=value, dtype=dtype)

    PySparkCompiler.visit_NonNullLiteral = visit_non_null_literal  # type: ignore[method-assign]


_teach_pyspark_int64_literals()


def _join_references_without_copies() -> None:
    """Ibis 12 compiles a join's reference to a relation as that relation's aliased subquery,
    which its compiler then aliases again with ``Subquery.as_``: a deep copy of the whole
    subquery, every time a join refers to it (a tenth of a small province's pipeline time,
    profiled).  Handing back the subquery's query instead lets the compiler wrap it in a new
    aliased subquery without copying; the SQL text is the same (sqlglot copies the whole
    tree before it writes SQL, so a query shared by two subqueries is written out twice, as
    before).  Only a plain ``(query) AS alias`` is unwrapped."""
    from ibis.backends.sql.compilers.base import SQLGlotCompiler

    def visit_join_reference(self: Any, op: Any, *, parent: Any, identifier: Any) -> Any:
        if (
            isinstance(parent, sge.Subquery)
            and isinstance(parent.this, sge.Query)
            and {k for k, v in parent.args.items() if v is not None} == {"this", "alias"}
        ):
            return parent.this
        return parent

    SQLGlotCompiler.visit_JoinReference = visit_join_reference  # type: ignore[method-assign]


_join_references_without_copies()


SOURCE_COL = "_source"
SNAPSHOT_COL = "_snapshot_id"
# The columns ``write_mart`` adds to every row of a mart; ``read_mart`` leaves them out.
STAMP_COLUMNS = ("_state_id", "_reference_date", "_rule_version")


@dataclass(frozen=True)
class StoreConfig:
    """Where a store keeps its tables: the part of a workspace's configuration the backends
    read (the workspace builds it, so the backends never import the workspace)."""

    root: Path
    backend: str = "duckdb"
    duckdb_file: str = "baophu.duckdb"
    spark_master: str = "local[2]"
    spark_warehouse: str = "warehouse"


@dataclass(frozen=True)
class Stamp:
    """What a mart was computed from: the imported state, the reference date, the rules."""

    state_id: str
    reference_date: str
    rule_version: str

    @classmethod
    def of(cls, value: Stamp | Mapping[str, Any]) -> Stamp:
        if isinstance(value, Stamp):
            return value
        return cls(
            state_id=str(value["state_id"]),
            reference_date=str(value["reference_date"]),
            rule_version=str(value["rule_version"]),
        )


@dataclass(frozen=True)
class MartEntry:
    """A mart's row in the registry: its stamp, row count and when it was computed."""

    mart: str
    rows: int
    state_id: str
    reference_date: str
    rule_version: str
    computed_at: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> MartEntry:
        """The entry of a registry row (``Store.marts``)."""
        return cls(
            mart=str(row["mart"]),
            rows=int(row["rows"]),
            state_id=str(row["state_id"]),
            reference_date=str(row["reference_date"]),
            rule_version=str(row["rule_version"]),
            computed_at=str(row.get("computed_at") or ""),
        )

    @property
    def reference_day(self) -> dt.date:
        return dt.date.fromisoformat(self.reference_date)


class TemporaryTables:
    """Temporary tables of the backend (``Table.cache``) for one computation, released when
    the ``with`` block ends (``Store.temporary_tables``).

    The expression's in-memory tables are registered first (PySpark's cache path does not);
    releasing drops the table.  The DROP that Ibis 12 generates for DuckDB 2 is rejected (it
    leaves the name out), so on DuckDB the table is dropped here by its name: a temporary
    table of millions of rows left until the connection ends holds memory the next step
    needs (DuckDB spilled the claims step's 16.7 M visits to disk when its memory limit came
    back down, 4 s).
    """

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.tables: list[IbisTable] = []

    def __call__(self, expr: IbisTable) -> IbisTable:
        self.backend._run_pre_execute_hooks(expr)
        cached = expr.cache()
        self.tables.append(cached)
        return cached

    def release(self) -> None:
        raw = getattr(self.backend, "con", None)
        for table in reversed(self.tables):
            try:
                table.release()  # type: ignore[attr-defined]
            except Exception:
                op = getattr(table, "op", None)
                name = getattr(op(), "name", None) if callable(op) else None
                if name and isinstance(raw, duckdb.DuckDBPyConnection):
                    with contextlib.suppress(duckdb.Error):
                        raw.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.tables.clear()


def _register_arrow_table(con: Any, op: Any) -> None:
    """An in-memory table (``ibis.memtable``) given to Spark as Arrow, its nulls kept.

    Ibis's PySpark backend passes it through pandas, where a whole-number column with a
    null becomes floats with NaN and a missing text NaN: Spark then read every number of
    such a column as null and the missing text as the text "NaN" (the national view's
    units lost their arrears, its people got an SI code "NaN").  PySpark 4 takes an Arrow
    table as it is."""
    from ibis.backends.pyspark.datatypes import PySparkSchema

    table = op.data.to_pyarrow(op.schema)
    frame = con._session.createDataFrame(table, schema=PySparkSchema.from_ibis(op.schema))
    frame.createOrReplaceTempView(op.name)


class SparkTemporaryTables(TemporaryTables):
    """Spark's temporary tables: each is written as Parquet under ``warehouse/_temporary/<run>``
    and read back as a view, so the queries that use it plan against a file scan.

    A cached DataFrame (``Table.cache``, Ibis's way) keeps its whole lineage: every query that
    reads it carries the plan of everything before it, which Spark's analyser resolves again
    and its cache manager compares, subtree by subtree, with every cached plan.  On the lists
    of a hand-made province that analysis took most of a minute for a few hundred rows; from
    Parquet, seconds.  The folder is deleted when the block ends."""

    def __init__(self, backend: Any, session: Any, folder: Path) -> None:
        super().__init__(backend)
        self.session = session
        self.folder = folder
        self.views: list[str] = []

    def __call__(self, expr: IbisTable) -> IbisTable:
        name = f"baophu_temp_{uuid.uuid4().hex[:12]}"
        path = self.folder / name
        schema = _write_parquet(self.backend, expr, path)
        self.session.read.schema(schema).parquet(str(path)).createOrReplaceTempView(name)
        self.views.append(name)
        return self.backend.table(name)

    def release(self) -> None:
        for name in reversed(self.views):
            self.session.catalog.dropTempView(name)
        self.views.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "date": "DATE",
    "month": "DATE",
    "bool": "BOOLEAN",
    "datetime": "TIMESTAMP",
}

SNAPSHOT_FIELDS: list[tuple[str, pa.DataType]] = [
    ("snapshot_id", pa.string()),
    ("batch_id", pa.string()),
    ("table_name", pa.string()),
    ("source", pa.string()),
    ("file_path", pa.string()),
    ("file_hash", pa.string()),
    ("file_format", pa.string()),
    ("rows_read", pa.int64()),
    ("rows_imported", pa.int64()),
    ("rows_rejected", pa.int64()),
    ("rows_warned", pa.int64()),
    ("rejects_path", pa.string()),
    ("started_at", pa.string()),
    ("finished_at", pa.string()),
    ("status", pa.string()),  # current | superseded
]
SNAPSHOT_SCHEMA = pa.schema(SNAPSHOT_FIELDS)


def table_schema(contract: Contract) -> pa.Schema:
    """The Arrow schema of a canonical table as stored (contract columns + lineage columns)."""
    fields = [pa.field(c.name, ARROW_TYPES[c.dtype]) for c in contract.columns]
    fields += [pa.field(SOURCE_COL, pa.string()), pa.field(SNAPSHOT_COL, pa.string())]
    return pa.schema(fields)


def open_store(config: StoreConfig, read_only: bool = False) -> Store:
    """The store of ``config``'s backend; ``read_only`` opens a DuckDB file without taking
    the write lock (the Spark warehouse is always opened the same way)."""
    if config.backend == "pyspark":
        return SparkStore(config)
    return DuckDBStore(config, read_only=read_only)


class Store:
    """What ingest and the engine may ask of a backend.

    The marts are reached through the typed mart API only: ``read_mart`` (without the stamp
    columns), ``has_mart``, ``mart_entry`` and ``mart_is_current`` (the registry),
    ``stamp`` and ``write_mart`` (materialise with a stamp), ``temporary_tables`` (for the
    intermediate tables of one computation).  A backend implements ``mart``, ``marts`` and
    ``_materialise``.
    """

    backend: str

    def ibis(self) -> Any:  # an ibis BaseBackend
        raise NotImplementedError

    def table(self, name: str) -> IbisTable:
        raise NotImplementedError

    def snapshots(self) -> pa.Table:
        raise NotImplementedError

    def current_rows(self, table: str, source: str | None = None) -> int:
        """The rows imported into ``table`` by its current snapshots (of ``source`` only,
        when given): what an import of the table or its source is about to replace."""
        return sum(
            int(s["rows_imported"] or 0)
            for s in self.snapshots().to_pylist()
            if s["status"] == "current"
            and s["table_name"] == table
            and (source is None or s["source"] == source)
        )

    def row_count(self, name: str) -> int:
        return int(self.table(name).count().to_pyarrow().as_py())

    def begin(self) -> Batch:
        raise NotImplementedError

    def activity(self) -> tuple[int, int] | None:
        """Tasks done and tasks in the backend's running work, for a progress bar (Spark's
        stages); None when the backend does not say."""
        return None

    # marts ---------------------------------------------------------------------------------
    def state_id(self) -> str:
        """Identity of the current imported state: a hash of every current snapshot id."""
        ids = sorted(
            s["snapshot_id"] for s in self.snapshots().to_pylist() if s["status"] == "current"
        )
        return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]

    def stamp(self, reference_date: dt.date | str, rule_version: str | None = None) -> Stamp:
        """The stamp of a mart computed now: the current imported state, ``reference_date``
        and ``rule_version`` (default: the version of the rules in force)."""
        return Stamp(
            state_id=self.state_id(),
            reference_date=str(reference_date),
            rule_version=rule_version or get_rules().version,
        )

    def write_mart(
        self,
        name: str,
        expr: IbisTable,
        stamp: Stamp | Mapping[str, Any],
        stamp_rows: bool = True,
    ) -> int:
        """Materialise an engine result as a mart, every row stamped with ``stamp``
        (state_id, reference_date, rule_version); returns the row count.  The stamp is also
        kept in the mart registry (``marts()``); ``stamp_rows=False`` keeps it there only, for
        an intermediate mart that the engine alone reads (adding three columns to millions
        of rows costs seconds and traces nothing a report shows).

        The expression's in-memory tables (``ibis.memtable``: dates, lookups) are registered
        first: a backend may compile the expression to SQL and bypass Ibis' own execution."""
        self.ibis()._run_pre_execute_hooks(expr)
        return int(self._materialise(name, expr, Stamp.of(stamp), stamp_rows))

    def _materialise(self, name: str, expr: IbisTable, stamp: Stamp, stamp_rows: bool) -> int:
        raise NotImplementedError

    def mart(self, name: str) -> IbisTable:
        """The mart as stored, stamp columns included (``read_mart`` leaves them out)."""
        raise NotImplementedError

    def marts(self) -> list[dict[str, Any]]:
        """The stamp of every mart: name, rows, state_id, reference_date, rule_version, at."""
        raise NotImplementedError

    def read_mart(self, name: str) -> IbisTable:
        """Mart ``name`` without its stamp columns (what the engine and the reports read)."""
        table = self.mart(name)
        stamps = [c for c in table.columns if c in STAMP_COLUMNS]
        return table.drop(*stamps) if stamps else table

    def mart_entry(self, name: str) -> MartEntry | None:
        """Mart ``name``'s row in the registry, None when it was never computed."""
        for m in self.marts():
            if m["mart"] == name:
                return MartEntry.of(m)
        return None

    def has_mart(self, name: str) -> bool:
        """Whether mart ``name`` was ever computed (current or not)."""
        return any(m["mart"] == name for m in self.marts())

    def mart_is_current(
        self,
        name: str,
        *,
        rule_version: str | None = None,
        reference_date: dt.date | str | None = None,
    ) -> bool:
        """Whether mart ``name`` was computed from the current imported state and
        ``rule_version`` (default: the rules in force) and, when given, for
        ``reference_date``."""
        entry = self.mart_entry(name)
        if entry is None:
            return False
        if entry.state_id != self.state_id():
            return False
        if entry.rule_version != (rule_version or get_rules().version):
            return False
        return reference_date is None or entry.reference_date == str(reference_date)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()``, kept under ``key`` by a store whose contents never change (the
        web's copy of the marts keeps it for the copy's life: one query per copy instead of
        one per page); a workspace's store, which an import or a step may change, computes
        it every time.  The caller must not change what it gets."""
        return compute()

    @contextmanager
    def engine_memory(self) -> Iterator[None]:
        """The memory an engine step may use, for the block: more than an import's bounded
        streaming needs (``DuckDBStore``: ``BAOPHU_DUCKDB_ENGINE_MEMORY``); nothing to change
        on a backend that manages its own."""
        yield

    @contextmanager
    def temporary_tables(self) -> Iterator[TemporaryTables]:
        """Temporary tables for one computation: ``temp(expr)`` materialises ``expr`` in the
        backend and returns it as a table; every one is released when the block ends."""
        temp = TemporaryTables(self.ibis())
        try:
            yield temp
        finally:
            temp.release()

    def splink_api(self) -> Any:
        """A context manager giving a Splink database API over this backend for one linkage
        run: Splink reads the backend's temporary tables (``Table.cache``) by name, and the
        working tables it creates are gone when the block ends."""
        raise NotImplementedError

    def splink_training_api(self, tables: list[IbisTable]) -> Any:
        """A context manager giving ``(api, names)``: a Splink database API on DuckDB that
        holds ``tables`` (temporary tables of this backend, each with a ``unique_id``) under
        ``names``, where a linkage model is trained.  Splink draws its u sample by hashing
        each record's id with the engine's own hash function, so a model trained on DuckDB
        whatever the backend is the same model on DuckDB and on Spark; the pairs are then
        scored on the backend (``splink_api``) with it."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Batch:
    """One all-or-nothing import: every ``replace`` becomes visible at ``commit`` or never."""

    def key_values(self, table: str, column: str) -> pa.Array:
        """Distinct values of a column as the batch sees it (committed + staged)."""
        raise NotImplementedError

    def conflicting_keys(
        self, table: str, key: tuple[str, ...], source: str, candidate: pa.Table
    ) -> pa.Table:
        """Rows of ``candidate`` (key columns + ``_row``) whose key exists under another source,
        with that source in ``_other_source``."""
        raise NotImplementedError

    def present_keys(self, table: str, key: tuple[str, ...], candidate: pa.Table) -> pa.Array:
        """``_row`` of the rows of ``candidate`` (key columns + ``_row``) whose key the table
        holds under any source (lines meeting their claims)."""
        return self.conflicting_keys(table, key, "", candidate).column("_row").combine_chunks()

    def clear(self, table: str, source: str, whole: bool) -> None:
        """Remove the rows of ``source`` (or every row of the table) and mark their snapshots
        superseded; the new rows follow with ``append``."""
        raise NotImplementedError

    def append(self, table: str, source: str, snapshot_id: str, data: pa.Table) -> None:
        """Add validated rows (canonical columns only); lineage columns are added here."""
        raise NotImplementedError

    def record(self, snapshot: dict[str, Any]) -> None:
        """Record the snapshot of a file once all its rows are appended."""
        raise NotImplementedError

    def replace(
        self, table: str, source: str, data: pa.Table, snapshot: dict[str, Any], whole: bool
    ) -> None:
        """Replace the rows of ``source`` (or the whole table) with ``data`` in one go."""
        self.clear(table, source, whole)
        self.append(table, source, snapshot["snapshot_id"], data)
        self.record(snapshot)

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError


# --------------------------------------------------------------------------------------- DuckDB


_UNITS = {"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}  # fmt: skip


def _bytes_of(size: str) -> float:
    """Bytes of a DuckDB memory size such as ``3GB``, ``11.7 GiB`` or ``512MB``."""
    text = size.strip().upper().replace(" ", "")
    number = text.rstrip("KMGTIB")
    return float(number) * _UNITS[text[len(number) :]]


ENGINE_MEMORY_SHARE = 0.6  # of the machine's memory, for an engine step (DuckDB's own: 0.8)


def _engine_memory() -> str:
    """``ENGINE_MEMORY_SHARE`` of this machine's physical memory, as a DuckDB size (MB)."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return f"{int(total * ENGINE_MEMORY_SHARE) // 10**6}MB"


def _duckdb_threads() -> int | None:
    """``BAOPHU_DUCKDB_THREADS``: how many threads DuckDB may use (unset or empty: one per
    core).  A machine that runs other work beside baophu, or several baophu processes at once
    (the test gate's workers), gives each fewer."""
    value = os.environ.get("BAOPHU_DUCKDB_THREADS", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(
            f"BAOPHU_DUCKDB_THREADS phải là số nguyên dương / must be a positive integer: {value!r}"
        )
    return int(value)


class DuckDBStore(Store):
    backend = "duckdb"

    def __init__(self, config: StoreConfig, read_only: bool = False) -> None:
        self.path = config.root / config.duckdb_file
        # The duckdb connection, used only in this module.  Ibis wraps it on first use only:
        # loading Ibis' DuckDB backend costs seconds an import does not need to spend.
        self.raw = duckdb.connect(str(self.path), read_only=read_only)
        self._ibis_backend: Any = None
        self.raw.execute("SET TimeZone = 'UTC'")  # as Ibis sets it
        self.raw.execute("SET python_enable_replacements = false")
        # Bounded memory with spilling to the workspace, no terminal progress bar of its own.
        spill = config.root / ".duckdb_tmp"
        self.raw.execute(f"SET temp_directory = '{spill.as_posix()}'")
        self.memory_limit = os.environ.get("BAOPHU_DUCKDB_MEMORY", "3GB")
        self._engine_blocks = 0
        self._has_registry: bool | None = None
        self.raw.execute(f"SET memory_limit = '{self.memory_limit}'")
        self.raw.execute("SET preserve_insertion_order = false")
        self.raw.execute("SET enable_progress_bar = false")
        threads = _duckdb_threads()
        if threads is not None:  # else DuckDB's own: one thread per core
            self.raw.execute(f"SET threads = {threads}")
        if not read_only:
            self._ensure_meta()

    @contextmanager
    def engine_memory(self) -> Iterator[None]:
        """DuckDB's memory limit raised for an engine step: ``BAOPHU_DUCKDB_ENGINE_MEMORY``,
        by default 60 % of the machine's memory (never less than the import's limit,
        ``BAOPHU_DUCKDB_MEMORY``, 3 GB).  The import keeps the small limit, which bounds its
        peak while it streams files; a step joins and groups tables of tens of millions of
        rows, which spill to disk under 3 GB (the claims step at scale 1.0 over 24 months on
        a 24 GiB machine: 88 s at 3 GB, 58–59 s at 12.6 GB, 52.5 s at 16 GB).  The import's
        limit comes back when the outermost block ends."""
        self._engine_blocks += 1
        try:
            if self._engine_blocks == 1:  # the outermost block sets it, and restores it
                wanted = os.environ.get("BAOPHU_DUCKDB_ENGINE_MEMORY") or _engine_memory()
                if _bytes_of(wanted) > _bytes_of(self.memory_limit):
                    self.raw.execute(f"SET memory_limit = '{wanted}'")
            yield
        finally:
            self._engine_blocks -= 1
            if self._engine_blocks == 0:
                self.raw.execute(f"SET memory_limit = '{self.memory_limit}'")

    def _ensure_meta(self) -> None:
        """The snapshot table and every contract's table, created where missing.  The file
        keeps the key of the tables it was last given (``_layout``): an open that finds the
        current key (every open but the first of a file, or the first after a contract
        changed) reads that one row and runs no DDL.  Listing the file's tables instead costs
        about 7 ms an open (DuckDB describes every table), and thirty ``CREATE TABLE IF NOT
        EXISTS`` about 10 ms, which the web, every command and an import with its checks pay
        many times."""
        key = _layout_key()
        with contextlib.suppress(duckdb.CatalogException):
            rows = self.raw.execute(f"SELECT key FROM {_LAYOUT_TABLE}").fetchall()
            if rows == [(key,)]:
                self._has_registry = True
                return
        present = {
            row[0]
            for row in self.raw.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE database_name = current_database() AND schema_name = 'main'"
            ).fetchall()
        }
        if "_marts" not in present:
            self.raw.execute(_MARTS_DDL)
        self._has_registry = True
        if "_snapshots" not in present:
            self.raw.execute(_snapshots_ddl())
        for contract in CONTRACTS.values():
            if contract.table not in present:
                self.raw.execute(_create_sql(contract))
        self.raw.execute(f"CREATE OR REPLACE TABLE {_LAYOUT_TABLE} AS SELECT ? AS key", [key])

    @property
    def _ibis(self) -> Any:
        if self._ibis_backend is None:
            self._ibis_backend = ibis.duckdb.from_connection(self.raw)
        return self._ibis_backend

    def ibis(self) -> Any:
        return self._ibis

    def table(self, name: str) -> IbisTable:
        return self._ibis.table(name)

    def snapshots(self) -> pa.Table:
        return self.raw.sql(
            "SELECT * FROM _snapshots ORDER BY started_at, snapshot_id"
        ).to_arrow_table()

    def current_rows(self, table: str, source: str | None = None) -> int:
        # One sum in the file: an import asks before each of its files (hundreds, one per
        # commune), where reading the whole history each time grew with every file.
        sql = (
            "SELECT coalesce(sum(rows_imported), 0) FROM _snapshots "
            "WHERE status = 'current' AND table_name = ?"
        )
        params: list[Any] = [table]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        return int(self.raw.execute(sql, params).fetchall()[0][0])

    def begin(self) -> Batch:
        return _DuckDBBatch(self)

    def _materialise(self, name: str, expr: IbisTable, stamp: Stamp, stamp_rows: bool) -> int:
        stamped = _stamped(expr, stamp) if stamp_rows else expr
        # ibis' own overwrite path emits SQL DuckDB 2 rejects; one statement is atomic anyway.
        # In-memory lookup tables (ibis.memtable) are registered first, as execute() would.
        self._ibis._run_pre_execute_hooks(stamped)
        sql = self._ibis.compile(stamped)
        self.raw.execute(f'CREATE OR REPLACE TABLE "mart_{name}" AS {sql}')
        rows = int(self.raw.execute(f'SELECT count(*) FROM "mart_{name}"').fetchall()[0][0])
        self.raw.execute(  # the registry: made when the workspace was opened (_ensure_meta)
            "INSERT OR REPLACE INTO _marts VALUES (?, ?, ?, ?, ?, ?)",
            [name, rows, stamp.state_id, stamp.reference_date, stamp.rule_version, _now_iso()],
        )
        return rows

    def mart(self, name: str) -> IbisTable:
        return self._ibis.table(f"mart_{name}")

    @contextmanager
    def splink_api(self) -> Iterator[Any]:
        """Splink on this connection (it sees the temporary tables), its working tables in an
        in-memory catalog made the default for the run, so nothing lands in the workspace
        file; the catalog is detached and the workspace made the default again at exit."""
        from splink import DuckDBAPI

        home = self.raw.execute("SELECT current_database()").fetchall()[0][0]
        self.raw.execute("ATTACH ':memory:' AS _splink_work")
        self.raw.execute("USE _splink_work")
        try:
            yield DuckDBAPI(connection=self.raw)
        finally:
            self.raw.execute(f'USE "{home}"')
            self.raw.execute("DETACH _splink_work")

    @contextmanager
    def splink_training_api(self, tables: list[IbisTable]) -> Iterator[Any]:
        """Splink on this very connection: the temporary tables by their own names."""
        with self.splink_api() as api:
            yield api, [t.op().name for t in tables]

    def _registry_exists(self) -> bool:
        """Whether the mart registry is in the file: always for a writable store (made at
        open), looked up once for a read-only one (an older workspace may lack it)."""
        if self._has_registry is None:
            self._has_registry = bool(
                self.raw.execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                    "current_database() AND schema_name = 'main' AND table_name = '_marts'"
                ).fetchall()[0][0]
            )
        return self._has_registry

    def marts(self) -> list[dict[str, Any]]:
        if not self._registry_exists():
            return []
        cursor = self.raw.execute(f"SELECT {_MARTS_COLUMNS} FROM _marts ORDER BY mart")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def mart_entry(self, name: str) -> MartEntry | None:
        # One row by its key: the pipeline asks for each mart of each step before and after
        # every step (about 0.3 ms, where reading the whole registry took 2 ms).
        if not self._registry_exists():
            return None
        found = self.raw.execute(
            f"SELECT {_MARTS_COLUMNS} FROM _marts WHERE mart = ?", [name]
        ).fetchall()
        if not found:
            return None
        return MartEntry.of(dict(zip(_MARTS_COLUMNS.split(", "), found[0], strict=True)))

    def has_mart(self, name: str) -> bool:
        return self.mart_entry(name) is not None

    def close(self) -> None:
        if self._ibis_backend is not None:
            self._ibis_backend.disconnect()
        else:
            self.raw.close()


# The mart registry of a DuckDB workspace: one row per mart, its stamp and row count.
_MARTS_DDL = (
    "CREATE TABLE IF NOT EXISTS _marts (mart VARCHAR PRIMARY KEY, rows BIGINT, "
    "state_id VARCHAR, reference_date VARCHAR, rule_version VARCHAR, computed_at VARCHAR)"
)
_MARTS_COLUMNS = "mart, rows, state_id, reference_date, rule_version, computed_at"


def _duck_type(t: pa.DataType) -> str:
    return "BIGINT" if pa.types.is_integer(t) else "VARCHAR"


def _snapshots_ddl() -> str:
    cols = ", ".join(f"{n} {_duck_type(t)}" for n, t in SNAPSHOT_FIELDS)
    return f"CREATE TABLE IF NOT EXISTS _snapshots ({cols})"


# One row: the key of the tables a DuckDB workspace file was given (``_layout_key``).
_LAYOUT_TABLE = "_layout"


@functools.cache
def _layout_key() -> str:
    """A hash of the statements that make the registry, the snapshot table and every
    contract's table: it changes when a contract (or either table) does."""
    ddl = [_MARTS_DDL, _snapshots_ddl(), *(_create_sql(c) for c in CONTRACTS.values())]
    return hashlib.sha256("\n".join(ddl).encode()).hexdigest()[:16]


def _create_sql(contract: Contract) -> str:
    cols = [f'"{c.name}" {_DUCKDB_TYPES[c.dtype]}' for c in contract.columns]
    cols += [f"{SOURCE_COL} VARCHAR", f"{SNAPSHOT_COL} VARCHAR"]
    return f'CREATE TABLE IF NOT EXISTS "{contract.table}" ({", ".join(cols)})'


class _DuckDBBatch(Batch):
    def __init__(self, store: DuckDBStore) -> None:
        self.store = store
        self.raw = store.raw
        self.raw.execute("BEGIN TRANSACTION")
        self._open = True

    def key_values(self, table: str, column: str) -> pa.Array:
        result = self.raw.sql(
            f'SELECT DISTINCT "{column}" AS v FROM "{table}" WHERE "{column}" IS NOT NULL'
        ).to_arrow_table()
        return result.column("v").combine_chunks()

    def conflicting_keys(
        self, table: str, key: tuple[str, ...], source: str, candidate: pa.Table
    ) -> pa.Table:
        name = f"_cand_{uuid.uuid4().hex[:8]}"
        self.raw.register(name, candidate)
        try:
            on = " AND ".join(f'c."{k}" = t."{k}"' for k in key)
            return self.raw.sql(
                f"SELECT c._row AS _row, min(t.{SOURCE_COL}) AS _other_source FROM {name} c "
                f'JOIN "{table}" t ON {on} WHERE t.{SOURCE_COL} <> $src GROUP BY c._row',
                params={"src": source},
            ).to_arrow_table()
        finally:
            self.raw.unregister(name)

    def present_keys(self, table: str, key: tuple[str, ...], candidate: pa.Table) -> pa.Array:
        # A semi join: no grouping of the matches by row (every line of a file meets its
        # claim, so the grouping was of every row, at every chunk).
        name = f"_cand_{uuid.uuid4().hex[:8]}"
        self.raw.register(name, candidate)
        try:
            on = " AND ".join(f'c."{k}" = t."{k}"' for k in key)
            found = self.raw.sql(
                f'SELECT c._row AS _row FROM {name} c SEMI JOIN "{table}" t ON {on}'
            ).to_arrow_table()
        finally:
            self.raw.unregister(name)
        return found.column("_row").combine_chunks()

    def clear(self, table: str, source: str, whole: bool) -> None:
        if whole:
            self.raw.execute(f'DELETE FROM "{table}"')
            self.raw.execute(
                "UPDATE _snapshots SET status = 'superseded' WHERE table_name = ? "
                "AND status = 'current'",
                [table],
            )
        else:
            self.raw.execute(f'DELETE FROM "{table}" WHERE {SOURCE_COL} = ?', [source])
            self.raw.execute(
                "UPDATE _snapshots SET status = 'superseded' WHERE table_name = ? "
                "AND source = ? AND status = 'current'",
                [table, source],
            )

    def append(self, table: str, source: str, snapshot_id: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        n = data.num_rows
        data = data.append_column(SOURCE_COL, _constant(source, n))
        data = data.append_column(SNAPSHOT_COL, _constant(snapshot_id, n))
        # Small record batches (zero-copy slices) let DuckDB scan the Arrow data in parallel.
        data = pa.Table.from_batches(data.to_batches(max_chunksize=1 << 17), schema=data.schema)
        # Through a relation, not a registered view: DuckDB keeps a registered Arrow table alive
        # until the transaction commits, so a batch of big files would hold every one of them.
        self.raw.from_arrow(data).insert_into(table)

    def record(self, snapshot: dict[str, Any]) -> None:
        # One row as parameters (an Arrow table registered for it cost a millisecond more,
        # once per imported file).
        values = [
            None if snapshot.get(n) is None else int(snapshot[n]) if pa.types.is_integer(t)
            else str(snapshot[n])
            for n, t in SNAPSHOT_FIELDS
        ]  # fmt: skip
        marks = ", ".join("?" * len(values))
        self.raw.execute(f"INSERT INTO _snapshots VALUES ({marks})", values)

    def commit(self) -> None:
        if self._open:
            _pause_for_tests()
            self.raw.execute("COMMIT")
            self._open = False
            self.raw.execute("CHECKPOINT")

    def rollback(self) -> None:
        if self._open:
            self.raw.execute("ROLLBACK")
            self._open = False


def _pause_for_tests() -> None:
    """Lets a test kill the process just before commit (BAOPHU_TEST_PAUSE_BEFORE_COMMIT=s)."""
    pause = os.environ.get("BAOPHU_TEST_PAUSE_BEFORE_COMMIT")
    if pause:
        print("BAOPHU_PAUSED_BEFORE_COMMIT", flush=True)
        time.sleep(float(pause))


# ---------------------------------------------------------------------------------------- Spark

_SPARK_SESSIONS: dict[str, Any] = {}
SPARK_LOG = "spark.log"

# Spark's own log (log4j 2) goes to a file, never to the console: baophu's progress bars and
# messages are what a user sees.  The driver JVM reads this file at start.
_LOG4J2 = """status = error
name = baophu
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yyyy-MM-dd HH:mm:ss}} %p %c{{1}}: %m%n%ex
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
logger.codegen.name = org.apache.spark.sql.catalyst.expressions.codegen
logger.codegen.level = error
"""


def spark_log_config(log_dir: Path) -> Path:
    """Write the log4j 2 configuration that sends Spark's log to ``log_dir/spark.log``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    config = log_dir / "log4j2.properties"
    config.write_text(_LOG4J2.format(log=(log_dir / SPARK_LOG).resolve()), encoding="utf-8")
    return config


def spark_overrides() -> dict[str, str]:
    """Spark settings from ``BAOPHU_SPARK_CONF`` (``key=value`` pairs separated by ``;``),
    applied over baophu's own: an operator's tuning for a larger machine or cluster, and the
    test suite's for its tiny provinces."""
    out: dict[str, str] = {}
    for pair in os.environ.get("BAOPHU_SPARK_CONF", "").split(";"):
        key, sep, value = pair.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def spark_session(master: str, app_name: str = "baophu", log_dir: Path | None = None) -> Any:
    """One local/cluster SparkSession per master URL, configured for small local machines.

    Spark's console progress is off and its log goes to ``log_dir/spark.log`` (the
    workspace's ``logs/``).  On a standalone cluster (``spark://…``) each executor gets
    ``BAOPHU_SPARK_EXECUTOR_MEMORY`` (default 1g) and one core, and runs Python with this
    interpreter."""
    if master in _SPARK_SESSIONS:
        return _SPARK_SESSIONS[master]
    # One SparkContext per process: a session on another master is stopped first (otherwise
    # ``getOrCreate`` would silently hand back the old one, and a workspace pointed at a
    # cluster would run in local mode).
    stop_spark_sessions()
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", os.environ.get("BAOPHU_SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.sql.ansi.enabled", "false")
        # Every write goes to a folder of its own that the manifest points at only once the
        # write is done (``_materialise``, ``SparkTemporaryTables``), so the file committer
        # need not make a job's output appear at once: the second algorithm moves each task's
        # files once instead of twice, and no ``_SUCCESS`` marker is written.  Local files get
        # no ``.crc`` checksum companions (Hadoop's raw local file system).  About 15 % of a
        # Spark test's time, where each step writes a few dozen small tables.
        .config("spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version", "2")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
    )
    overrides = spark_overrides()
    java_options = overrides.pop("spark.driver.extraJavaOptions", "")
    for key, value in overrides.items():
        builder = builder.config(key, value)
    if log_dir is not None:
        config = spark_log_config(log_dir)
        java_options = f"-Dlog4j2.configurationFile=file:{config} {java_options}".strip()
    if java_options:
        builder = builder.config("spark.driver.extraJavaOptions", java_options)
    if master.startswith("spark://"):
        builder = (
            builder.config(
                "spark.executor.memory", os.environ.get("BAOPHU_SPARK_EXECUTOR_MEMORY", "1g")
            )
            .config("spark.executor.cores", "1")
            .config("spark.pyspark.python", sys.executable)
            .config("spark.driver.host", os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
        )
    session = builder.getOrCreate()
    if log_dir is None:
        session.sparkContext.setLogLevel("ERROR")
    else:
        # The driver JVM may have started before, for another workspace (a process opens
        # several): the configuration is applied again so this workspace's file gets the log.
        with contextlib.suppress(Exception):
            jvm: Any = session.sparkContext._jvm
            uri = jvm.java.net.URI(config.resolve().as_uri())
            jvm.org.apache.logging.log4j.core.config.Configurator.reconfigure(uri)
    _SPARK_SESSIONS[master] = session
    return session


def stop_spark_sessions() -> None:
    """Stop this process's Spark session (and so its application on a cluster)."""
    for session in _SPARK_SESSIONS.values():
        with contextlib.suppress(Exception):
            session.stop()
    _SPARK_SESSIONS.clear()


def spark_activity(master: str) -> tuple[int, int] | None:
    """Tasks done and tasks in all of the running Spark stages of this process's session on
    ``master`` (for baophu's own progress bar), or None when no stage runs."""
    session = _SPARK_SESSIONS.get(master)
    if session is None:
        return None
    tracker = session.sparkContext.statusTracker()
    done = total = 0
    for stage_id in tracker.getActiveStageIds():
        info = tracker.getStageInfo(stage_id)
        if info is not None:
            done += int(info.numCompletedTasks)
            total += int(info.numTasks)
    return (done, total) if total else None


class SparkStore(Store):
    backend = "pyspark"
    MANIFEST = "_manifest.json"

    def __init__(self, config: StoreConfig) -> None:
        self.root = config.root / config.spark_warehouse
        self.root.mkdir(parents=True, exist_ok=True)
        self.master = config.spark_master
        self.log_dir = config.root / "logs"
        self._ibis: Any = None

    # manifest ------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        path = self.root / self.MANIFEST
        if not path.exists():
            return {"tables": {}, "snapshots": []}
        return json.loads(path.read_text(encoding="utf-8"))

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.root / f".{self.MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / self.MANIFEST)

    def files(self, table: str, manifest: dict[str, Any] | None = None) -> list[Path]:
        manifest = manifest or self.manifest()
        parts = manifest["tables"].get(table, {})
        return [self.root / f for p in parts.values() for f in p["files"]]

    # reading -------------------------------------------------------------------------------
    def ibis(self) -> Any:
        if self._ibis is None:
            con = ibis.pyspark.connect(spark_session(self.master, log_dir=self.log_dir))
            con._register_in_memory_table = types.MethodType(_register_arrow_table, con)
            self._ibis = con
        return self._ibis

    def arrow(self, name: str) -> pa.Table:
        """A canonical table read with pyarrow (ingest-side checks; small tables)."""
        schema = table_schema(CONTRACTS[name])
        files = self.files(name)
        if not files:
            return schema.empty_table()
        return pa.concat_tables([pq.read_table(f, schema=schema) for f in files])

    def table(self, name: str) -> IbisTable:
        con = self.ibis()
        session = spark_session(self.master, log_dir=self.log_dir)
        files = [str(f) for f in self.files(name)]
        view = f"{name}"
        if files and name in CONTRACTS:
            # the files were written with the contract's schema (``_SparkBatch.append``)
            frame = session.read.schema(spark_table_schema(name)).parquet(*files)
        elif files:
            frame = session.read.parquet(*files)
        else:
            from pyspark.sql.types import StructType

            frame = (
                session.createDataFrame([], spark_table_schema(name))
                if name in CONTRACTS
                else (session.createDataFrame([], StructType([])))
            )
        frame.createOrReplaceTempView(view)
        return con.table(view)

    def activity(self) -> tuple[int, int] | None:
        return spark_activity(self.master)

    def snapshots(self) -> pa.Table:
        rows = self.manifest()["snapshots"]
        return pa.Table.from_pylist(rows, schema=SNAPSHOT_SCHEMA)

    def begin(self) -> Batch:
        return _SparkBatch(self)

    def _materialise(self, name: str, expr: IbisTable, stamp: Stamp, stamp_rows: bool) -> int:
        run = uuid.uuid4().hex[:10]
        rel = Path("marts") / name / run
        target = self.root / rel
        con = self.ibis()
        schema = _write_parquet(con, _stamped(expr, stamp) if stamp_rows else expr, target)
        # The rows, from the Parquet footers the write left (no Spark job for a count).
        rows = int(pads.dataset(str(target), format="parquet").count_rows())
        manifest = self.manifest()
        old = manifest.setdefault("marts", {}).get(name)
        manifest["marts"][name] = {
            "dir": str(rel),
            "rows": rows,
            "state_id": stamp.state_id,
            "reference_date": stamp.reference_date,
            "rule_version": stamp.rule_version,
            "computed_at": _now_iso(),
            "spark_schema": schema.json(),
        }
        self._write_manifest(manifest)
        if old:
            shutil.rmtree(self.root / old["dir"], ignore_errors=True)
        return rows

    def mart(self, name: str) -> IbisTable:
        entry = self.manifest().get("marts", {}).get(name)
        if entry is None:
            raise KeyError(f"mart {name} has not been computed")
        session = spark_session(self.master, log_dir=self.log_dir)
        reader = session.read
        if "spark_schema" in entry:  # written since the schema is kept; else inferred
            from pyspark.sql.types import StructType

            reader = reader.schema(StructType.fromJson(json.loads(entry["spark_schema"])))
        reader.parquet(str(self.root / entry["dir"])).createOrReplaceTempView(f"mart_{name}")
        return self.ibis().table(f"mart_{name}")

    def marts(self) -> list[dict[str, Any]]:
        return [
            {"mart": k, **{f: v for f, v in e.items() if f not in ("dir", "spark_schema")}}
            for k, e in sorted(self.manifest().get("marts", {}).items())
        ]

    @contextmanager
    def temporary_tables(self) -> Iterator[TemporaryTables]:
        session = spark_session(self.master, log_dir=self.log_dir)
        temp = SparkTemporaryTables(
            self.ibis(), session, self.root / "_temporary" / uuid.uuid4().hex[:10]
        )
        try:
            yield temp
        finally:
            temp.release()

    @contextmanager
    def splink_api(self) -> Iterator[Any]:
        """Splink on this session.  Its intermediate tables are written as Parquet under
        ``warehouse/_splink/<run>`` and read back (Splink's "parquet" lineage break: every
        query then plans against a file scan, not the whole pipeline before it), and deleted
        at exit.  Only Spark's own SQL functions are used (``levenshtein``), so Splink's jar
        of similarity functions need not be on the class path."""
        from splink import SparkAPI

        session = spark_session(self.master, log_dir=self.log_dir)
        work = self.root / "_splink" / uuid.uuid4().hex[:10]
        work.mkdir(parents=True, exist_ok=True)
        session.sparkContext.setCheckpointDir(str(work))
        api = SparkAPI(
            spark_session=session,
            break_lineage_method="parquet",
            register_udfs_automatically=False,
        )
        try:
            yield api
        finally:
            api.delete_tables_created_by_splink_from_db()
            shutil.rmtree(work, ignore_errors=True)

    @contextmanager
    def splink_training_api(self, tables: list[IbisTable]) -> Iterator[Any]:
        """Splink on a private in-memory DuckDB holding the tables' rows in ``unique_id``
        order, collected to the driver (the rows a model is trained on: the list rows left
        and the prepared register, about 150 bytes a resident)."""
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        names = [f"training_{i}" for i in range(len(tables))]
        try:
            for name, t in zip(names, tables, strict=True):
                rows = t.order_by(t.unique_id).to_pyarrow()
                con.register("_arrow_input", rows)
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _arrow_input')
                con.unregister("_arrow_input")
                del rows
            yield DuckDBAPI(connection=con), names
        finally:
            con.close()


def _write_parquet(con: Any, expr: IbisTable, path: Path) -> Any:
    """Write ``expr``'s rows to the Parquet folder ``path`` (as Ibis' ``to_parquet_dir``
    does) and return the Spark schema they were written with.

    A folder read back with that schema (``read.schema(...)``, as Spark reads every file
    column: nullable) needs no schema inference, which is a Spark job of its own reading a
    footer: one per temporary table, mart and canonical table read, about a tenth of a Spark
    step's time on the tests' small provinces."""
    con._run_pre_execute_hooks(expr)  # registers the in-memory tables the query reads
    frame = con._session.sql(con.compile(expr))
    frame.write.parquet(str(path))
    return frame.schema


def spark_table_schema(name: str) -> Any:
    """The Spark schema of canonical table ``name`` as its files hold it (the contract's
    columns and the two lineage columns, every one nullable): what Spark would infer from
    them, given instead so that a read starts no job."""
    from pyspark.sql import types as T

    mapping = {
        "string": T.StringType(),
        "int": T.LongType(),
        "float": T.DoubleType(),
        "date": T.DateType(),
        "month": T.DateType(),
        "bool": T.BooleanType(),
        "datetime": T.TimestampNTZType(),
    }
    contract = CONTRACTS[name]
    fields = [T.StructField(c.name, mapping[c.dtype], True) for c in contract.columns]
    fields += [
        T.StructField(SOURCE_COL, T.StringType(), True),
        T.StructField(SNAPSHOT_COL, T.StringType(), True),
    ]
    return T.StructType(fields)


class _SparkBatch(Batch):
    def __init__(self, store: SparkStore) -> None:
        self.store = store
        self.manifest = store.manifest()
        self.staged: list[Path] = []
        self._open = True
        # Columns of a table as the batch has it, read from its files once and then kept in
        # step with what the batch appends and clears: an import checks each file's keys
        # against every earlier file of its table, and reading them all again for each of a
        # province's hundreds of rosters (one per commune) made the import quadratic.
        self._read: dict[tuple[str, tuple[str, ...]], pa.Table] = {}

    def _table_arrow(self, table: str, columns: Iterable[str]) -> pa.Table:
        cols = tuple(columns)
        if (table, cols) not in self._read:
            files = self.store.files(table, self.manifest)
            schema = table_schema(CONTRACTS[table])
            sub = pa.schema([schema.field(c) for c in cols])
            read = [pq.read_table(f, columns=list(cols), schema=schema) for f in files]
            self._read[(table, cols)] = pa.concat_tables(read) if read else sub.empty_table()
        return self._read[(table, cols)]

    def _keep_read(
        self, table: str, keep: Callable[[tuple[str, ...], pa.Table], pa.Table | None]
    ) -> None:
        """Each kept read of ``table`` replaced by ``keep(columns, read)`` (None: dropped)."""
        for key in [k for k in self._read if k[0] == table]:
            kept = keep(key[1], self._read[key])
            if kept is None:
                del self._read[key]
            else:
                self._read[key] = kept

    def key_values(self, table: str, column: str) -> pa.Array:
        values = self._table_arrow(table, [column]).column(column).combine_chunks()
        return pa.compute.unique(values.drop_null())

    def conflicting_keys(
        self, table: str, key: tuple[str, ...], source: str, candidate: pa.Table
    ) -> pa.Table:
        existing = self._table_arrow(table, [*key, SOURCE_COL])
        mask = pa.compute.not_equal(existing.column(SOURCE_COL), pa.scalar(source))
        existing = existing.filter(mask).rename_columns([*key, "_other_source"])
        if existing.num_rows == 0:
            return pa.table(
                {"_row": pa.array([], pa.int64()), "_other_source": pa.array([], pa.string())}
            )
        joined = candidate.join(existing, keys=list(key), join_type="inner")
        return (
            joined.group_by("_row")
            .aggregate([("_other_source", "min")])
            .rename_columns(["_row", "_other_source"])
        )

    def clear(self, table: str, source: str, whole: bool) -> None:
        def without(cols: tuple[str, ...], read: pa.Table) -> pa.Table | None:
            if whole:
                return read.schema.empty_table()
            if SOURCE_COL not in cols:
                return None  # which rows were the source's is not kept: read again
            return read.filter(pa.compute.not_equal(read.column(SOURCE_COL), source))

        self._keep_read(table, without)
        parts = self.manifest["tables"].setdefault(table, {})
        for src in list(parts) if whole else [source] if source in parts else []:
            parts.pop(src)
        for snap in self.manifest["snapshots"]:
            if (
                snap["table_name"] == table
                and snap["status"] == "current"
                and (whole or snap["source"] == source)
            ):
                snap["status"] = "superseded"

    def append(self, table: str, source: str, snapshot_id: str, data: pa.Table) -> None:
        parts = self.manifest["tables"].setdefault(table, {})
        entry = parts.setdefault(source, {"files": [], "snapshot_id": snapshot_id})
        rel = Path(table) / f"{snapshot_id}-{len(entry['files']):04d}.parquet"
        path = self.store.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        n = data.num_rows
        lineage = {
            SOURCE_COL: _constant(source, n),
            SNAPSHOT_COL: _constant(snapshot_id, n),
        }
        for name, column in lineage.items():
            data = data.append_column(name, column)
        pq.write_table(data, path)
        self.staged.append(path)
        entry["files"].append(str(rel))
        self._keep_read(
            table,
            lambda cols, read: pa.concat_tables([read, data.select(list(cols)).cast(read.schema)]),
        )

    def record(self, snapshot: dict[str, Any]) -> None:
        parts = self.manifest["tables"].setdefault(snapshot["table_name"], {})
        parts.setdefault(snapshot["source"], {"files": [], "snapshot_id": snapshot["snapshot_id"]})
        self.manifest["snapshots"].append(snapshot)

    def commit(self) -> None:
        if not self._open:
            return
        _pause_for_tests()
        self.store._write_manifest(self.manifest)
        self._open = False
        self._collect_garbage()

    def _collect_garbage(self) -> None:
        """Delete Parquet files no longer named by the manifest (superseded snapshots)."""
        live = {
            str(self.store.root / f)
            for t in self.manifest["tables"].values()
            for p in t.values()
            for f in p["files"]
        }
        for path in self.store.root.glob("*/*.parquet"):
            if str(path) not in live:
                path.unlink(missing_ok=True)

    def rollback(self) -> None:
        if self._open:
            for path in self.staged:
                path.unlink(missing_ok=True)
            self._open = False


def _constant(value: str, n: int) -> pa.Array:
    """A column holding one string n times, dictionary-encoded so it costs almost nothing."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value]))


def _stamped(expr: IbisTable, stamp: Stamp) -> IbisTable:
    """Every mart row says which import state, reference date and rule version it came from."""
    return expr.mutate(
        _state_id=ibis.literal(stamp.state_id),
        _reference_date=ibis.literal(stamp.reference_date),
        _rule_version=ibis.literal(stamp.rule_version),
    )


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
