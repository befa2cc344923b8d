"""``baophu cluster start|stop|status``: a Spark standalone master and N workers on this
machine (``baophu.cluster``), for a workspace whose ``spark_master`` is ``spark://…``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from baophu.cluster import ClusterError, ClusterStatus, default_state_dir
from baophu.cluster import start as start_cluster
from baophu.cluster import status as cluster_status
from baophu.cluster import stop as stop_cluster
from baophu.commands.common import console, failing_on, fmt_int, print_json
from baophu.commands.options import JsonOpt

cluster_app = typer.Typer(no_args_is_help=True)

StateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        help="Thư mục trạng thái (pid, nhật ký) / state folder (pids, logs); "
        "mặc định BAOPHU_CLUSTER_DIR hoặc ~/.baophu/cluster",
    ),
]


@cluster_app.command("start")
def start(
    workers: Annotated[int, typer.Option("--workers", help="Số worker / workers")] = 2,
    cores: Annotated[int, typer.Option("--cores", help="Lõi mỗi worker / cores each")] = 1,
    memory: Annotated[
        str, typer.Option("--memory", help="Bộ nhớ mỗi worker / memory each (1g, 512m)")
    ] = "1g",
    host: Annotated[str, typer.Option("--host", help="Địa chỉ / address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng master, 0 = tự chọn")] = 7077,
    webui_port: Annotated[
        int, typer.Option("--webui-port", help="Cổng giao diện master / master web UI port")
    ] = 8080,
    state_dir: StateOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Khởi động master và các worker Spark / start a Spark master and workers."""
    with failing_on((ClusterError,)):
        result = start_cluster(
            state_dir,
            workers=workers,
            worker_cores=cores,
            worker_memory=memory,
            host=host,
            port=port,
            webui_port=webui_port,
        )
    if json_out:
        print_json(result.as_dict())
        return
    _print(result)
    console.print(
        "Dùng cụm cho một không gian làm việc / point a workspace at it: "
        f"[bold]baophu init DIR --backend pyspark --master {result.master_url}[/]",
        highlight=False,
    )


@cluster_app.command("stop")
def stop(state_dir: StateOpt = None, json_out: JsonOpt = False) -> None:
    """Dừng cụm Spark / stop the cluster (workers, then master)."""
    result = stop_cluster(state_dir)
    if json_out:
        print_json(result.as_dict())
        return
    if not result.master_url:
        console.print(f"Không có cụm nào / no cluster in {result.state_dir}")
        return
    console.print(f"Đã dừng cụm / cluster stopped: {result.master_url}", highlight=False)


@cluster_app.command("status")
def status(state_dir: StateOpt = None, json_out: JsonOpt = False) -> None:
    """Tình trạng cụm Spark / cluster status: workers, cores, memory."""
    result = cluster_status(state_dir)
    if json_out:
        print_json(result.as_dict())
        return
    _print(result)
    if not result.running:
        raise typer.Exit(1)


def _print(result: ClusterStatus) -> None:
    if not result.running:
        where = result.state_dir or str(default_state_dir())
        console.print(f"Cụm không chạy / cluster not running ({where})", highlight=False)
        return
    table = Table(title=f"Cụm Spark / Spark cluster {result.master_url}")
    table.add_column("Mục / item")
    table.add_column("Giá trị / value", justify="right")
    rows: list[tuple[str, Any]] = [
        ("worker đang sống / alive workers", fmt_int(result.alive_workers)),
        ("lõi / cores", fmt_int(result.cores)),
        ("bộ nhớ (MB) / memory (MB)", fmt_int(result.memory_mb)),
        ("ứng dụng đang chạy / running applications", fmt_int(result.running_applications)),
        ("giao diện / web UI", result.webui_url),
        ("thư mục trạng thái / state folder", result.state_dir),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    for proc in result.processes:
        alive = "sống / alive" if proc["alive"] else "đã dừng / stopped"
        table.add_row(f"{proc['role']} (pid {proc['pid']})", alive)
    console.print(table)
