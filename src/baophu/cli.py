"""The ``baophu`` command: Typer commands with Rich progress bars and tables, ``--json`` on every
command that reports something.  Commands only parse arguments, call the library and print;
they compute nothing themselves."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.markup import escape
from rich.table import Table

from baophu.commands.common import (
    activity_of,
    console,
    err_console,
    fail,
    fmt_int,
    fmt_pct,
    parse_date,
    print_json,
    progress_bar,
    table_of,
)
from baophu.commands.options import JsonOpt, OutOpt, WorkspaceOpt

app = typer.Typer(
    help="baophu — bao phủ BHXH, BHYT, BHTN cho một tỉnh / insurance coverage for a province",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _mount_subapps() -> None:
    from baophu.commands.calc import calc_app
    from baophu.commands.claims import claims_app
    from baophu.commands.cluster import cluster_app
    from baophu.commands.compliance import compliance_app
    from baophu.commands.coverage import coverage_app
    from baophu.commands.linkage import link_app
    from baophu.commands.lists import lists_app
    from baophu.commands.nation import nation_app
    from baophu.commands.reports import reports_app
    from baophu.commands.risk import risk_app
    from baophu.commands.run import run
    from baophu.commands.serve import serve
    from baophu.commands.targets import targets_app
    from baophu.commands.users import users_app

    app.add_typer(calc_app, name="calc", help="Tính theo quy định pháp luật / legal calculators")
    app.add_typer(cluster_app, name="cluster", help="Cụm Spark trên máy này / Spark cluster")
    app.add_typer(coverage_app, name="coverage", help="Tỷ lệ bao phủ theo đơn vị / coverage")
    app.add_typer(targets_app, name="targets", help="Chỉ tiêu: giao, theo dõi / targets")
    app.add_typer(
        compliance_app, name="compliance", help="Nghĩa vụ đóng của đơn vị / employer compliance"
    )
    app.add_typer(lists_app, name="lists", help="Danh sách tiềm năng / potential lists")
    app.add_typer(claims_app, name="claims", help="Chi khám chữa bệnh BHYT / BHYT spending")
    app.add_typer(users_app, name="users", help="Người dùng ứng dụng web / web users")
    app.command("serve")(serve)
    app.command("run")(run)
    app.add_typer(nation_app, name="nation", help="Toàn quốc: 34 tỉnh / the nation")
    app.add_typer(link_app, name="link", help="Liên kết với dữ liệu dân cư / record linkage")
    app.add_typer(risk_app, name="risk", help="Kiểm soát rủi ro / risk checks")
    app.add_typer(
        reports_app, name="reports", help="Báo cáo Word, PDF gửi các cấp / reports (Word, PDF)"
    )


_mount_subapps()


# ------------------------------------------------------------------------------------ init


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Thư mục cần tạo / folder to create")],
    backend: Annotated[str, typer.Option(help="duckdb (mặc định) hoặc pyspark")] = "duckdb",
    master: Annotated[
        str, typer.Option(help="Spark master URL; 'cluster' = baophu cluster start's")
    ] = "local[2]",
    province: Annotated[str, typer.Option(help="Tên tỉnh / province")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Tạo không gian làm việc / create a workspace (baophu.toml)."""
    from baophu.workspace import Backend, WorkspaceError, init_workspace

    if backend not in ("duckdb", "pyspark"):
        fail(
            f"backend phải là duckdb hoặc pyspark: {backend}",
            f"backend must be duckdb or pyspark: {backend}",
            2,
        )
    if master == "cluster":  # the cluster `baophu cluster start` runs on this machine
        from baophu.cluster import status

        running = status()
        if not running.running:
            fail(
                f"Không có cụm Spark đang chạy ({running.state_dir}); chạy 'baophu cluster start'",
                "no Spark cluster running; run 'baophu cluster start'",
                2,
            )
        master = running.master_url
    try:
        path = init_workspace(
            directory, backend=cast(Backend, backend), spark_master=master, province=province
        )
    except WorkspaceError as exc:
        fail(str(exc))
    if json_out:
        print_json({"workspace": str(directory.resolve()), "config": str(path), "backend": backend})
    else:
        console.print(f"Đã tạo không gian làm việc / workspace created: [bold]{path}[/]")


# ----------------------------------------------------------------------------------- synth


def _print_nation(out: Path, nation: dict[str, Any], json_out: bool) -> None:
    if json_out:
        print_json({"out": str(out), **nation})
        return
    totals = nation["totals"]
    table = Table(title=f"Toàn quốc giả lập / synthetic nation (scale {nation['scale']})")
    table.add_column("Chỉ số / item")
    table.add_column("Số lượng / value", justify="right")
    table.add_row("tỉnh / provinces", fmt_int(nation["provinces"]))
    for key in ("population", "communes", "hamlets", "households", "employers"):
        table.add_row(key, fmt_int(totals[key]))
    year_end = nation["rates"]["2025-12-31"]
    for key, target in nation["national_2025"].items():
        got = year_end[key]["rate"]
        table.add_row(
            f"{key} 31/12/2025 (quốc gia / national {fmt_pct(target, 2)})", fmt_pct(got, 2)
        )
    table.add_row("giây / seconds", f"{nation['seconds']:.1f}")
    console.print(table)
    console.print(f"{out / 'nation.json'}", highlight=False)


@app.command()
def synth(
    out: OutOpt,
    province: Annotated[str, typer.Option(help="Tỉnh / province")] = "Đồng Nai",
    scale: Annotated[
        float, typer.Option(help="Tỷ lệ so với dân số thật / share of real size")
    ] = 0.1,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên / random seed")] = 1,
    as_of: Annotated[
        str, typer.Option("--as-of", help="Ngày dữ liệu / data as of (YYYY-MM-DD)")
    ] = "2026-10-31",
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Số tiến trình (--province all) / processes (all)"),
    ] = None,
    claims: Annotated[
        bool,
        typer.Option(
            "--claims/--no-claims",
            help="Sinh cả hồ sơ đề nghị thanh toán BHYT / generate BHYT claims too",
        ),
    ] = True,
    forms: Annotated[
        bool,
        typer.Option(
            "--forms/--no-forms",
            help="Sinh cả mẫu biểu (D02-LT, hồ sơ điện tử) và thu nộp của đại lý / "
            "sample forms and the agents' money too",
        ),
    ] = True,
    json_out: JsonOpt = False,
) -> None:
    """Sinh dữ liệu tỉnh giả lập / generate a synthetic province (inputs/ and truth/);
    --province all: cả 34 tỉnh / the whole nation, in OUT/provinces/<code>/."""
    from baophu.synth.generator import generate
    from baophu.synth.nation import generate_nation

    as_of_date = parse_date(as_of)
    if not 0 < scale <= 2:
        fail("Tỷ lệ phải trong (0, 2]", "Scale must be in (0, 2]", 2)
    started = time.perf_counter()
    if province.strip().casefold() in ("all", "tất cả", "toàn quốc"):
        with progress_bar(not json_out) as update:
            nation = generate_nation(
                scale, seed, out, as_of_date, workers, progress=update, claims=claims, forms=forms
            )
        _print_nation(out, nation, json_out)
        return
    try:
        with progress_bar(not json_out) as update:
            summary = generate(
                province,
                scale,
                seed,
                out,
                as_of=as_of_date,
                progress=update,
                claims=claims,
                forms=forms,
            )
    except ValueError as exc:
        fail(str(exc), code=2)
    elapsed = time.perf_counter() - started
    if json_out:
        print_json({"out": str(out), "seconds": round(elapsed, 2), "summary": summary})
        return
    table = Table(title=f"Tỉnh giả lập / synthetic province: {province} (scale {scale})")
    table.add_column("Chỉ số / item")
    table.add_column("Số lượng / count", justify="right")
    for key, value in summary.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            table.add_row(str(key), fmt_int(value) if float(value).is_integer() else f"{value:.4f}")
    console.print(table)
    console.print(f"Dữ liệu nguồn / inputs: [bold]{out / 'inputs'}[/]  ({elapsed:.1f} s)")


# ---------------------------------------------------------------------------------- import


@app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Tệp hoặc thư mục / files or folders")],
    workspace: WorkspaceOpt = Path("."),
    table: Annotated[str | None, typer.Option(help="Ép tên bảng / force the table")] = None,
    allow_shrink: Annotated[bool, typer.Option(help="Cho phép tệp mới ít dòng hơn nhiều")] = False,
    allow_orphans: Annotated[
        bool,
        typer.Option(help="Cho phép bỏ mã đơn vị còn được dữ liệu khác dùng / allow orphans"),
    ] = False,
    max_reject_share: Annotated[float, typer.Option(help="Tỷ lệ dòng lỗi tối đa")] = 0.5,
    json_out: JsonOpt = False,
) -> None:
    """Nhập dữ liệu / import files (all or nothing; rejects written with reasons)."""
    from baophu.ingest.importer import ImportOptions, import_paths
    from baophu.workspace import Workspace, WorkspaceError

    try:
        ws = Workspace.open(workspace)
    except WorkspaceError as exc:
        fail(str(exc), code=2)
    options = ImportOptions(
        table=table,
        allow_shrink=allow_shrink,
        allow_orphans=allow_orphans,
        max_reject_share=max_reject_share,
    )
    with ws.store() as store, progress_bar(not json_out, activity_of(store)) as update:
        result = import_paths(store, paths, ws.rejects_dir, options, progress=update)
    if json_out:
        print_json(result.as_dict())
    else:
        _print_import(result)
    if not result.committed:
        if not json_out:
            err_console.print(
                f"[bold red]Không nhập gì / nothing imported:[/] {escape(result.error or '')}"
            )
        raise typer.Exit(1)


def _print_import(result: Any) -> None:
    table = table_of(
        f"Lần nhập / import batch {result.batch_id}",
        (
            "Tệp / file",
            "Bảng / table",
            "Trạng thái / status",
            "Đọc / read",
            "Nhập / imported",
            "Loại / rejected",
            "Cảnh báo / warned",
        ),
        left=("Tệp / file", "Bảng / table", "Trạng thái / status"),
    )
    for f in result.files:
        table.add_row(
            escape(Path(f.path).name),
            f.table,
            f.status,
            fmt_int(f.rows_read),
            fmt_int(f.rows_imported),
            fmt_int(f.rows_rejected),
            fmt_int(f.rows_warned),
        )
    console.print(table)
    for f in result.files:
        for notice in f.notices:
            # (a notice quotes the file's own headers: never read them as markup)
            console.print(f"[yellow]{escape(Path(f.path).name)}:[/] {escape(notice)}")
        if f.rejects_path:
            console.print(f"Tệp lỗi / rejects: {escape(f.rejects_path)}")


# ------------------------------------------------------------------------------- snapshots


@app.command()
def snapshots(
    workspace: WorkspaceOpt = Path("."),
    all_: Annotated[
        bool, typer.Option("--all", help="Cả các lần đã thay thế / include superseded")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Lịch sử các lần nhập / import snapshot history."""
    from baophu.workspace import Workspace, WorkspaceError

    try:
        ws = Workspace.open(workspace)
    except WorkspaceError as exc:
        fail(str(exc), code=2)
    with ws.store() as store:
        rows = store.snapshots().to_pylist()
    if not all_:
        rows = [r for r in rows if r["status"] == "current"]
    if json_out:
        print_json(rows)
        return
    table = Table(title="Các lần nhập / snapshots")
    for col in (
        "snapshot",
        "bảng / table",
        "tệp / source",
        "dòng / rows",
        "loại / rejected",
        "lúc / at",
        "trạng thái",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["snapshot_id"],
            r["table_name"],
            r["source"],
            fmt_int(r["rows_imported"]),
            fmt_int(r["rows_rejected"]),
            r["finished_at"][:19],
            r["status"],
        )
    console.print(table)


@app.command()
def tables(workspace: WorkspaceOpt = Path("."), json_out: JsonOpt = False) -> None:
    """Số dòng của từng bảng / row count of every canonical table."""
    from baophu.contracts import CONTRACTS, IMPORT_ORDER
    from baophu.workspace import Workspace, WorkspaceError

    try:
        ws = Workspace.open(workspace)
    except WorkspaceError as exc:
        fail(str(exc), code=2)
    with ws.store() as store:
        counts = {name: store.row_count(name) for name in IMPORT_ORDER}
    if json_out:
        print_json(counts)
        return
    table = Table(title="Bảng dữ liệu / canonical tables")
    table.add_column("bảng / table")
    table.add_column("tên / title")
    table.add_column("dòng / rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, CONTRACTS[name].title_vi, fmt_int(n))
    console.print(table)


@app.command()
def contracts(
    markdown: Annotated[bool, typer.Option("--markdown", help="In dạng Markdown")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Các hợp đồng dữ liệu / the data contracts (tables, columns, Vietnamese headers)."""
    from baophu.contracts import CONTRACTS, IMPORT_ORDER
    from baophu.contracts.docs import render_markdown

    if markdown:
        sys.stdout.write(render_markdown())
        return
    if json_out:
        print_json(
            {
                name: {
                    "title_vi": CONTRACTS[name].title_vi,
                    "key": list(CONTRACTS[name].key),
                    "load_mode": CONTRACTS[name].load_mode,
                    "columns": [
                        {"name": c.name, "vi": c.vi, "type": c.dtype, "required": c.required}
                        for c in CONTRACTS[name].columns
                    ],
                }
                for name in IMPORT_ORDER
            }
        )
        return
    table = table_of(
        "Hợp đồng dữ liệu / data contracts",
        ("bảng / table", "tên / title", "khoá / key", "cột / columns"),
        right=("cột / columns",),
    )
    for name in IMPORT_ORDER:
        c = CONTRACTS[name]
        table.add_row(name, c.title_vi, ", ".join(c.key), str(len(c.columns)))
    console.print(table)


# ------------------------------------------------------------------------------------ demo


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Thư mục demo / demo folder")] = Path("demo"),
    province: Annotated[str, typer.Option(help="Tỉnh / province")] = "Đồng Nai",
    scale: Annotated[float, typer.Option(help="Tỷ lệ / scale")] = 0.02,
    seed: Annotated[int, typer.Option(help="Hạt giống / seed")] = 1,
    json_out: JsonOpt = False,
) -> None:
    """Dựng tỉnh giả lập, nhập và chạy toàn bộ / build, import and run everything."""
    from baophu.demo import run_demo

    report = run_demo(out, province, scale, seed, quiet=json_out)
    if json_out:
        print_json(report)
    if not report.get("ok"):
        raise typer.Exit(1)


def main() -> None:
    """Entry point: never show a traceback to a user unless BAOPHU_DEBUG is set."""
    import os

    try:
        app()
    except KeyboardInterrupt:
        err_console.print("Đã dừng / interrupted")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("BAOPHU_DEBUG"):
            raise
        err_console.print(
            f"[bold red]Lỗi không mong đợi / unexpected error:[/] {type(exc).__name__}: {exc}\n"
            "[dim]Đặt BAOPHU_DEBUG=1 để xem chi tiết / set BAOPHU_DEBUG=1 for details[/]"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
