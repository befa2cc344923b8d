"""``baophu nation build|view``: a national workspace over the 34 provinces.

``build`` takes a synthetic nation (``baophu synth --province all``) or any folder with
``provinces/<code>/inputs``, creates one workspace per province under
``WS/provinces/<code>/`` (DuckDB, or Spark with ``--backend pyspark --master spark://…``),
imports each province's files and runs the declared pipeline on it (``--ranking-only``: the
steps that write the marts the ranking reads, and those they rest on), then puts the
provinces side by side (``engine.nation.run_nation``) in the national workspace.  ``view``
prints the ranking of the provinces on every indicator and on the arrears ratio, and the
provinces behind their targets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from baophu.commands import common
from baophu.commands.common import (
    console,
    fail,
    fmt_int,
    fmt_pct,
    open_workspace,
    print_json,
    progress_bar,
    table_of,
)
from baophu.commands.options import JsonOpt, WorkspaceOpt

nation_app = typer.Typer(no_args_is_help=True)

PROVINCES_DIR = "provinces"
TIMINGS_FILE = "nation_timings.json"
NATION_NAME = "Toàn quốc"


def province_inputs(source: Path) -> dict[str, Path]:
    """code → inputs folder of every province under ``source/provinces/``."""
    found = {
        p.name: p / "inputs"
        for p in sorted((source / PROVINCES_DIR).glob("*"))
        if (p / "inputs").is_dir()
    }
    if not found:
        fail(
            f"{source}: không có thư mục provinces/<mã>/inputs",
            f"{source}: no provinces/<code>/inputs folder (baophu synth --province all)",
            2,
        )
    return found


def build_province(
    root: Path,
    inputs: Path,
    backend: str,
    master: str,
    on_step: Callable[[str, float], None] | None = None,
    ranking_only: bool = False,
) -> dict[str, Any]:
    """One province: its workspace created, its files imported, every step of the pipeline
    run (``ranking_only``: the steps the national ranking needs, ``ranking_steps``); returns
    the seconds of the import and of each step."""
    from baophu.engine.pipeline import Inputs, run_pipeline, step_names
    from baophu.ingest.importer import import_paths
    from baophu.workspace import Backend, Workspace, init_workspace

    init_workspace(root, backend=cast(Backend, backend), spark_master=master)
    ws = Workspace.open(root)
    seconds: dict[str, float] = {}
    with ws.store() as store:
        started = time.perf_counter()
        result = import_paths(store, [inputs], ws.rejects_dir)
        if not result.committed:
            fail(f"Nhập {inputs} thất bại / import of {inputs} failed: {result.error}")
        seconds["import"] = time.perf_counter() - started
        if on_step:
            on_step("import", seconds["import"])
        only = ranking_steps() if ranking_only else None
        for step in only or step_names():
            started = time.perf_counter()
            run_pipeline(store, Inputs(), until=step, only=only)
            seconds[step] = time.perf_counter() - started
            if on_step:
                on_step(step, seconds[step])
    return {"seconds": {k: round(v, 3) for k, v in seconds.items()}}


def ranking_steps() -> list[str]:
    """The steps that write the marts the national ranking reads of each province, and the
    steps those rest on (``engine.pipeline.steps_for``)."""
    from baophu.engine.nation import PROVINCE_MARTS
    from baophu.engine.pipeline import steps_for

    return steps_for(PROVINCE_MARTS)


def rank_nation(ws_root: Path) -> dict[str, Any]:
    """``run_nation`` over every province workspace of the national workspace."""
    from baophu.engine.nation import NationError, run_nation
    from baophu.workspace import Workspace

    ws = Workspace.open(ws_root)
    roots = sorted(p for p in (ws.root / PROVINCES_DIR).glob("*") if (p / "baophu.toml").exists())
    with ExitStack() as stack:
        stores = {p.name: stack.enter_context(Workspace.open(p).store()) for p in roots}
        store = stack.enter_context(ws.store())
        with common.failing_on((NationError,)):
            return run_nation(store, stores)


@nation_app.command("build")
def build(
    source: Annotated[Path, typer.Argument(help="Thư mục toàn quốc giả lập / synthetic nation")],
    out: Annotated[Path, typer.Option("--out", help="Không gian làm việc quốc gia / workspace")],
    backend: Annotated[str, typer.Option(help="duckdb (mặc định) hoặc pyspark")] = "duckdb",
    master: Annotated[str, typer.Option(help="Spark master URL")] = "local[2]",
    ranking_only: Annotated[
        bool,
        typer.Option(
            "--ranking-only",
            help="Chỉ tính các bước mà xếp hạng cần (định danh, bao phủ, chỉ tiêu, nghĩa vụ "
            "đóng) / only the steps the ranking needs",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Nhập và tính từng tỉnh, rồi xếp hạng toàn quốc / import and compute every province,
    then rank them."""
    from baophu.workspace import Backend, init_workspace

    if backend not in ("duckdb", "pyspark"):
        fail(f"backend phải là duckdb hoặc pyspark: {backend}", f"bad backend {backend}", 2)
    provinces = province_inputs(source)
    init_workspace(out, backend=cast(Backend, backend), spark_master=master, province=NATION_NAME)
    timings: dict[str, Any] = {}
    with progress_bar(not json_out) as update:
        for i, (code, inputs) in enumerate(provinces.items()):
            update(f"{code}: nhập / import", i, len(provinces))

            def on_step(step: str, seconds: float, code: str = code, done: int = i) -> None:
                update(f"{code}: {step}", done, len(provinces))

            timings[code] = build_province(
                out / PROVINCES_DIR / code,
                inputs,
                backend,
                master,
                on_step=on_step,
                ranking_only=ranking_only,
            )
        update("toàn quốc / nation", len(provinces), len(provinces))
        started = time.perf_counter()
        result = rank_nation(out)
        result["seconds"] = round(time.perf_counter() - started, 3)
    (out / TIMINGS_FILE).write_text(
        json.dumps({"provinces": timings, "nation": result}, indent=1), encoding="utf-8"
    )
    if json_out:
        print_json({"workspace": str(out), "provinces": timings, "nation": result})
        return
    console.print(
        f"Đã tính {fmt_int(len(provinces))} tỉnh / provinces computed; "
        f"[bold]baophu nation view -w {out}[/]",
        highlight=False,
    )


@nation_app.command("rank")
def rank(workspace: WorkspaceOpt = Path("."), json_out: JsonOpt = False) -> None:
    """Xếp hạng lại các tỉnh từ số liệu đã tính / rank the provinces again."""
    result = rank_nation(workspace)
    if json_out:
        print_json(result)
        return
    console.print(f"Đã xếp hạng / ranked: {fmt_int(result['provinces'])} tỉnh / provinces")


UnitOpt = Annotated[
    str | None,
    typer.Option(
        "--unit",
        help="Xem một đơn vị và các đơn vị trực thuộc (VN: toàn quốc) / one unit and the "
        "units under it (VN: the nation)",
    ),
]


@nation_app.command("view")
def view(
    workspace: WorkspaceOpt = Path("."), unit: UnitOpt = None, json_out: JsonOpt = False
) -> None:
    """Xếp hạng các tỉnh và các tỉnh chậm tiến độ / provinces ranked, those behind; với
    --unit: một đơn vị và các đơn vị trực thuộc / with --unit: a unit and those under it."""
    from baophu.engine.nation import (
        MART_PROVINCES,
        read_behind,
        read_cross_by_province,
        read_cross_pairs,
        read_ranking,
    )

    ws = open_workspace(workspace)
    with ws.store(read_only=True) as store:
        if not store.has_mart(MART_PROVINCES):
            fail("Chưa xếp hạng; chạy 'baophu nation build'", "not ranked yet", 1)
        if unit is not None:
            _view_unit(store, unit, json_out)
            return
        ranked = read_ranking(store).to_pyarrow().to_pylist()
        behind = read_behind(store).to_pyarrow().to_pylist()
        pairs_t, per_t = read_cross_pairs(store), read_cross_by_province(store)
        pairs = pairs_t.to_pyarrow().to_pylist() if pairs_t is not None else []
        per_province = per_t.to_pyarrow().to_pylist() if per_t is not None else []
    if json_out:
        print_json(
            {
                "provinces": ranked,
                "behind_targets": behind,
                "cross_province": {"pairs": pairs, "by_province": per_province},
            }
        )
        return
    table = table_of(
        "Xếp hạng các tỉnh / provinces ranked",
        ("Tỉnh / province", "Dân số", "BHYT", "#", "BHXH", "#", "BHTN", "#", "Nợ", "#"),
        left=("Tỉnh / province",),
    )
    for r in ranked:
        table.add_row(
            str(r["unit_name"]),
            fmt_int(r["population"]),
            fmt_pct(r["bhyt_rate"], 2),
            _rank(r["bhyt_rate_rank"]),
            fmt_pct(r["bhxh_rate"], 2),
            _rank(r["bhxh_rate_rank"]),
            fmt_pct(r["bhtn_rate"], 2),
            _rank(r["bhtn_rate_rank"]),
            fmt_pct(r["arrears_ratio"], 2),
            _rank(r["arrears_ratio_rank"]),
        )
    console.print(table)
    late = table_of(
        "Các tỉnh chậm tiến độ chỉ tiêu / provinces behind their targets",
        ("Tỉnh / province", "Chỉ tiêu / indicator", "Đạt", "Cần đến nay", "Thiếu"),
    )
    for r in behind:
        late.add_row(
            str(r["unit_name"]),
            str(r["indicator"]),
            fmt_int(r["achieved"]),
            fmt_int(r["expected_by_now"]),
            fmt_int(r["behind_plan"]),
        )
    console.print(late)
    if pairs:
        cross = table_of(
            "Người tham gia ở tỉnh khác / people across provinces",
            ("Tỉnh cư trú", "Tỉnh tham gia", "Tìm thấy", "Không thấy", "Không rõ"),
        )
        for r in pairs:
            cross.add_row(
                str(r["home_province_code"] or "?"),
                str(r["work_province_code"]),
                fmt_int(r["found"] + r["registered_in_home"]),
                fmt_int(r["not_found"]),
                fmt_int(r["residence_unknown"]),
            )
        console.print(cross)


def _view_unit(store: Any, code: str, json_out: bool) -> None:
    """One unit of the national workspace and the units directly under it."""
    from baophu.engine.nation import MART_UNITS, read_unit

    if not store.has_mart(MART_UNITS):
        fail("Chưa có số liệu theo đơn vị; chạy lại 'baophu nation rank'", "no nation_units", 1)
    row, children = read_unit(store, code)
    if row is None:
        fail(f"Không có đơn vị {code} trong số liệu toàn quốc", f"no unit {code}", 1)
    if json_out:
        print_json({"unit": row, "children": children})
        return
    title = f"{row['unit_name']} ({row['unit_code']}): các đơn vị trực thuộc / units under it"
    headers = ("Đơn vị / unit", "Mã", "Cấp", "Dân số", "BHYT", "BHXH", "BHTN", "Nợ / phải thu")
    table = table_of(title, headers, left=("Đơn vị / unit", "Mã", "Cấp"))
    for r in [row, *children]:
        table.add_row(
            str(r["unit_name"]),
            str(r["unit_code"]),
            str(r["level"]),
            fmt_int(r["population"]),
            fmt_pct(r["bhyt_rate"], 2),
            fmt_pct(r["bhxh_rate"], 2),
            fmt_pct(r["bhtn_rate"], 2),
            fmt_pct(r["arrears_ratio"], 2),
        )
    console.print(table)


def _rank(value: Any) -> str:
    return "" if not value else str(value)
