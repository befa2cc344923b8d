"""Golden outputs: prove that a change to the engine leaves every figure as it was.

Two sub-commands, both outside git (the outputs are generated data):

``build OUT --province P --scale S --seed N``
    runs ``baophu demo`` (synthetic province → import → every step the demo runs: coverage,
    compliance, targets allocate/progress/campaign, linkage, potential lists and the work
    sheets of one commune) into ``OUT/run`` and dumps what it produced into ``OUT/dump``:
    every mart as Parquet (``marts/<name>.parquet``), the mart registry without its times
    and state ids (``registry.json``), the demo's JSON report without timings and paths
    (``report.json``) and the cell values of every work sheet written (``workbooks.json``).

``compare A B``
    compares two dumps: every mart exactly (same columns, same types, the same multiset of
    rows; the stamp column ``_state_id`` is left out because snapshot ids are new on every
    import), the registry, the report and the work sheets (where the import's state id is
    replaced by a placeholder, and timings are left out).  Where a mart differs only in
    floating-point noise the tolerance check says so, but the exit code counts it as a
    difference.  Exit 0 only when everything is identical.

Run it with the code before a change (``build /work/golden/before-…``) and after
(``build /work/golden/after-…``), then ``compare``.  It uses only the ``baophu`` command and
DuckDB, so it works across refactors of the Python API.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb

IGNORED_COLUMNS = {"_state_id"}
VOLATILE_KEYS = {"computed_at", "state_id", "at"}


def _normalise_report(value: Any, run_dir: str) -> Any:
    """The demo's report without timings and with paths relative to the run folder."""
    if isinstance(value, dict):
        return {
            k: _normalise_report(v, run_dir)
            for k, v in sorted(value.items())
            if not (k.endswith("_seconds") or k in ("timings_s", "seconds"))
        }
    if isinstance(value, list):
        return [_normalise_report(v, run_dir) for v in value]
    if isinstance(value, str):
        return value.replace(run_dir, "<run>")
    return value


def _workbook_cells(path: Path) -> dict[str, list[list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    sheets: dict[str, list[list[str]]] = {}
    for ws in book.worksheets:
        sheets[ws.title] = [
            ["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)
        ]
    book.close()
    return sheets


def build(out: Path, province: str, scale: float, seed: int, baophu: str) -> None:
    run = out / "run"
    dump = out / "dump"
    for path in (run, dump):
        if path.exists():
            shutil.rmtree(path)
    (dump / "marts").mkdir(parents=True)
    cmd = [
        baophu,
        "demo",
        "--out",
        str(run),
        "--province",
        province,
        "--scale",
        str(scale),
        "--seed",
        str(seed),
        "--json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    (out / "demo.stderr").write_text(done.stderr, encoding="utf-8")
    if done.returncode != 0:
        sys.exit(f"baophu demo failed ({done.returncode}); see {out / 'demo.stderr'}")
    report = json.loads(done.stdout)
    run_dir = str(run.resolve())
    (dump / "report.json").write_text(
        json.dumps(_normalise_report(report, run_dir), ensure_ascii=False, indent=1, default=str),
        encoding="utf-8",
    )
    con = duckdb.connect(str(run / "workspace" / "baophu.duckdb"), read_only=True)
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name LIKE 'mart\\_%' ESCAPE '\\' ORDER BY 1"
        ).fetchall()
    ]
    for name in names:
        target = dump / "marts" / f"{name.removeprefix('mart_')}.parquet"
        con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{target.as_posix()}' (FORMAT parquet)")
    registry = con.sql("SELECT * FROM _marts ORDER BY mart").to_arrow_table().to_pylist()
    con.close()
    registry = [{k: v for k, v in r.items() if k not in VOLATILE_KEYS} for r in registry]
    (dump / "registry.json").write_text(
        json.dumps(registry, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    books = {
        str(p.relative_to(run)): _workbook_cells(p) for p in sorted(run.rglob("exports/**/*.xlsx"))
    }
    (dump / "workbooks.json").write_text(
        json.dumps(books, ensure_ascii=False, indent=0), encoding="utf-8"
    )
    print(f"{len(names)} marts, {len(books)} workbooks dumped to {dump}")


def _compare_mart(con: Any, a: Path, b: Path) -> tuple[bool, str]:
    sa = con.execute(f"DESCRIBE SELECT * FROM '{a.as_posix()}'").fetchall()
    sb = con.execute(f"DESCRIBE SELECT * FROM '{b.as_posix()}'").fetchall()
    cols_a = {r[0]: r[1] for r in sa if r[0] not in IGNORED_COLUMNS}
    cols_b = {r[0]: r[1] for r in sb if r[0] not in IGNORED_COLUMNS}
    if cols_a != cols_b:
        only_a = sorted(set(cols_a) - set(cols_b))
        only_b = sorted(set(cols_b) - set(cols_a))
        typed = sorted(c for c in set(cols_a) & set(cols_b) if cols_a[c] != cols_b[c])
        return False, f"columns differ: only A {only_a}, only B {only_b}, types {typed}"
    cols = ", ".join(f'"{c}"' for c in sorted(cols_a))
    n_a = con.execute(f"SELECT count(*) FROM '{a.as_posix()}'").fetchone()[0]
    n_b = con.execute(f"SELECT count(*) FROM '{b.as_posix()}'").fetchone()[0]
    diff = (
        f"SELECT count(*) FROM (SELECT {cols} FROM '{{x}}' EXCEPT ALL SELECT {cols} FROM '{{y}}')"
    )
    d_ab = con.execute(diff.format(x=a.as_posix(), y=b.as_posix())).fetchone()[0]
    d_ba = con.execute(diff.format(x=b.as_posix(), y=a.as_posix())).fetchone()[0]
    if n_a == n_b and d_ab == 0 and d_ba == 0:
        return True, f"{n_a} rows identical"
    floats = [c for c, t in cols_a.items() if t in ("DOUBLE", "FLOAT")]
    note = ""
    if floats:
        rounded = ", ".join(
            f'round("{c}", 6) AS "{c}"' if c in floats else f'"{c}"' for c in sorted(cols_a)
        )
        tol = (
            f"SELECT count(*) FROM (SELECT {rounded} FROM '{{x}}' "
            f"EXCEPT ALL SELECT {rounded} FROM '{{y}}')"
        )
        t_ab = con.execute(tol.format(x=a.as_posix(), y=b.as_posix())).fetchone()[0]
        t_ba = con.execute(tol.format(x=b.as_posix(), y=a.as_posix())).fetchone()[0]
        note = f"; rounded to 6 decimals: {t_ab} / {t_ba} rows differ"
    return False, f"rows A {n_a}, B {n_b}; only in A {d_ab}, only in B {d_ba}{note}"


def _state_ids(value: Any) -> set[str]:
    """Every ``state_id`` the report names (a hash of the snapshot ids, new on each import)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "state_id" and isinstance(v, str):
                found.add(v)
            found |= _state_ids(v)
    elif isinstance(value, list):
        for v in value:
            found |= _state_ids(v)
    return found


def _without_state(value: Any, ids: set[str]) -> Any:
    """``value`` with the import's state ids replaced by a placeholder, timings dropped."""
    if isinstance(value, dict):
        return {
            k: _without_state(v, ids)
            for k, v in value.items()
            if not (k.endswith("_seconds") or k in ("timings_s", "seconds"))
        }
    if isinstance(value, list):
        return [_without_state(v, ids) for v in value]
    if isinstance(value, str) and value in ids:
        return "<state_id>"
    return value


def _load(dump: Path, part: str) -> Any:
    data = json.loads((dump / "dump" / part).read_text(encoding="utf-8"))
    report = json.loads((dump / "dump" / "report.json").read_text(encoding="utf-8"))
    return _without_state(data, _state_ids(report))


def compare(a: Path, b: Path) -> int:
    con = duckdb.connect()
    failures = 0
    marts_a = {p.stem: p for p in (a / "dump" / "marts").glob("*.parquet")}
    marts_b = {p.stem: p for p in (b / "dump" / "marts").glob("*.parquet")}
    for name in sorted(set(marts_a) | set(marts_b)):
        if name not in marts_a or name not in marts_b:
            failures += 1
            print(f"DIFF  {name}: only in {'A' if name in marts_a else 'B'}")
            continue
        same, text = _compare_mart(con, marts_a[name], marts_b[name])
        failures += 0 if same else 1
        print(f"{'same' if same else 'DIFF'}  {name}: {text}")
    for part in ("registry.json", "report.json", "workbooks.json"):
        ja, jb = _load(a, part), _load(b, part)
        same = ja == jb
        failures += 0 if same else 1
        print(f"{'same' if same else 'DIFF'}  {part}")
        if not same and isinstance(ja, dict) and isinstance(jb, dict):
            for key in sorted(set(ja) | set(jb)):
                if ja.get(key) != jb.get(key):
                    print(f"        key {key!r} differs")
    print(f"{failures} difference(s)")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("out", type=Path)
    b.add_argument("--province", default="Đồng Nai")
    b.add_argument("--scale", type=float, default=0.02)
    b.add_argument("--seed", type=int, default=7)
    b.add_argument("--baophu", default=str(Path(sys.executable).parent / "baophu"))
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.cmd == "build":
        build(args.out, args.province, args.scale, args.seed, args.baophu)
    else:
        sys.exit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
