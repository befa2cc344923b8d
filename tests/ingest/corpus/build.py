"""The bad-input corpus: a small synthetic province imported once, and what the tests need to
break it one way at a time — files written from a table's rows in any format, the workspace's
fingerprint (to prove a refused import lost nothing), the rejects of a result.

Expected outcomes are never computed by the importer: they come from the file a case writes
(which row it broke, which column it removed) and from the province's own rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from baophu.contracts import CONTRACTS, Contract
from baophu.ingest.importer import ImportOptions, ImportResult, import_paths
from baophu.workspace import Workspace, init_workspace

FILES = Path(__file__).parent / "files"

# The tables the synthetic province (plus the labour-force file below) fills: the per-table
# cases that need real rows run over these; the header cases run over every contract.
SAMPLE_TABLES = (
    "units",
    "officers",
    "agents",
    "collectors",
    "households",
    "residents",
    "household_classifications",
    "employers",
    "contribution_ledger",
    "payments",
    "tax_returns",
    "business_registry",
    "enrolments",
    "school_rosters",
    "targets",
    "budget_obligations",
    "benefit_lists",
    "disadvantaged_communes",
    "labour_force",
)
LINEAGE = ("_source", "_snapshot_id")


@dataclass
class Province:
    """The generated inputs and the workspace they were imported into (never modified: each
    case works on a copy)."""

    inputs: Path
    workspace: Path

    def copy(self, to: Path) -> Workspace:
        target = to / "ws"
        shutil.copytree(self.workspace, target)
        return Workspace.open(target)


def build_province(root: Path) -> Province:
    """Gia Lai at 1/2000 scale with a labour-force file, imported into a DuckDB workspace."""
    from baophu.synth.generator import generate

    generate("Gia Lai", 0.0005, 11, root / "province")
    inputs = root / "province" / "inputs"
    # The generator writes no labour-force statistics: twelve communes by hand.
    units = list(csv.DictReader((inputs / "units.csv").open(encoding="utf-8-sig")))
    communes = [u["Mã đơn vị"] for u in units if u["Cấp"] == "commune"][:12]
    lines = ["Năm,Mã đơn vị,Lực lượng lao động,Nguồn số liệu"]
    lines += [f"2025,{code},{1200 + i * 17},Cục Thống kê" for i, code in enumerate(communes)]
    (inputs / "labour_force.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    init_workspace(root / "ws")
    ws = Workspace.open(root / "ws")
    with ws.store() as store:
        result = import_paths(store, [inputs], ws.rejects_dir)
    assert result.committed, result.error
    return Province(inputs, root / "ws")


def run(ws: Workspace, paths: list[Path], **options: Any) -> ImportResult:
    with ws.store() as store:
        return import_paths(store, paths, ws.rejects_dir, ImportOptions(**options))


def _connect(ws: Workspace) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(ws.root / ws.config.duckdb_file), read_only=True)


def fingerprint(ws: Workspace) -> dict[str, tuple[int, int]]:
    """Row count and a hash of every row (lineage included) of every table and of the
    snapshot history: equal fingerprints mean nothing changed."""
    con = _connect(ws)
    try:
        tables = [*CONTRACTS, "_snapshots"]
        # One statement for every table (a query each cost most of a case's time).
        sql = " UNION ALL ".join(
            f'SELECT {i} AS i, count(*) AS n, sum(hash(t)::HUGEINT) AS h FROM "{table}" t'
            for i, table in enumerate(tables)
        )
        found = {int(i): (int(n), int(h or 0)) for i, n, h in con.execute(sql).fetchall()}
        assert len(found) == len(tables)
        return {table: found[i] for i, table in enumerate(tables)}
    finally:
        con.close()


def rows_of(ws: Workspace, table: str, source: str | None = None) -> pa.Table:
    """A table's rows in canonical columns (of one source file), in key order."""
    contract = CONTRACTS[table]
    cols = ", ".join(f'"{c}"' for c in contract.names)
    order = ", ".join(f'"{k}"' for k in contract.key)
    where = "WHERE _source = $src" if source is not None else ""
    con = _connect(ws)
    try:
        params = {"src": source} if source is not None else {}
        sql = f'SELECT {cols} FROM "{table}" {where} ORDER BY {order}'
        return con.sql(sql, params=params).to_arrow_table()
    finally:
        con.close()


def as_set(table: pa.Table) -> list[tuple[Any, ...]]:
    """The rows of a table as a sorted list of tuples (a multiset, order ignored)."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return sorted(zip(*columns, strict=True), key=repr)


def sources(ws: Workspace, table: str) -> list[tuple[str, int]]:
    """(source file name, rows) of a table, most rows first."""
    con = _connect(ws)
    try:
        return [
            (str(s), int(n))
            for s, n in con.execute(
                f'SELECT _source, count(*) AS n FROM "{table}" GROUP BY 1 ORDER BY n DESC, 1'
            ).fetchall()
        ]
    finally:
        con.close()


# ------------------------------------------------------------------------------ writing files


def cell_text(value: Any, dtype: str) -> str:
    """A canonical value as a person would type it in a file."""
    if value is None:
        return ""
    if dtype == "date":
        return value.strftime("%d/%m/%Y")
    if dtype == "month":
        return value.strftime("%m/%Y")
    return str(value)


def headers_of(contract: Contract, columns: list[str], canonical: bool = False) -> list[str]:
    return [c if canonical else contract.column(c).vi for c in columns]


def write_csv(path: Path, header: list[str], rows: list[list[str]], **fmt: Any) -> Path:
    with path.open("w", encoding=fmt.pop("encoding", "utf-8"), newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", **fmt)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("DS")
    for c, h in enumerate(header):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return path


def table_rows(contract: Contract, table: pa.Table, typed: bool) -> list[list[Any]]:
    """Rows of a canonical table for writing: text everywhere, or numbers kept as numbers."""
    out = []
    dtypes = [contract.column(n).dtype for n in table.column_names]
    for row in table.to_pylist():
        values = []
        for name, dtype in zip(table.column_names, dtypes, strict=True):
            value = row[name]
            if typed and dtype in ("int", "float") and value is not None:
                values.append(value)
            else:
                values.append(cell_text(value, dtype))
        out.append(values)
    return out


def write_table(path: Path, contract: Contract, table: pa.Table, fmt: str) -> Path:
    """``table`` (canonical columns) as a csv or xlsx file with Vietnamese headers, or as a
    parquet file with canonical names and types."""
    if fmt == "parquet":
        pq.write_table(table, path)
        return path
    header = headers_of(contract, table.column_names)
    if fmt == "xlsx":
        return write_xlsx(path, header, table_rows(contract, table, typed=True))
    return write_csv(path, header, table_rows(contract, table, typed=False))


def dummy_table(contract: Contract, columns: list[str]) -> pa.Table:
    """One row of values of the right types (for header cases: such files are refused before
    any value is read)."""
    samples = {
        "string": pa.array(["x"]),
        "int": pa.array([1], pa.int64()),
        "float": pa.array([1.0]),
        "date": pa.array([dt.date(2020, 1, 1)], pa.date32()),
        "month": pa.array([dt.date(2020, 1, 1)], pa.date32()),
        "bool": pa.array([True]),
        "datetime": pa.array([dt.datetime(2020, 1, 1, 8, 30)], pa.timestamp("s")),
    }
    return pa.table({c: samples[contract.column(c).dtype] for c in columns})


def file_stem(contract: Contract) -> str:
    """The file name a table's file carries (its first recognised stem)."""
    return contract.file_stems[0].replace(" ", "_")


def read_rejects(path: str | None) -> list[dict[str, str]]:
    from baophu.ingest.rejects import read_rejects as read

    return list(read(Path(path))) if path else []


def rejects_of(result: ImportResult) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for f in result.files:
        out += read_rejects(f.rejects_path)
    return out


def refused_rows(result: ImportResult) -> set[tuple[int, str]]:
    """(row, code) of the rejected (not merely warned) rows of a result."""
    return {
        (int(r["row"]), r["code"]) for r in rejects_of(result) if r["severity"].startswith("loại")
    }
