"""The demo pipeline behind ``make demo``: synthetic province → workspace → import → every engine
step that exists → a summary of where to look."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import ibis
from rich.console import Console
from rich.table import Table

from baophu.backends import Store
from baophu.commands.claims import print_estimate, print_review, review_rows
from baophu.commands.common import activity_of, fmt_int, progress_bar
from baophu.commands.compliance import print_summary
from baophu.commands.coverage import print_demo_summary
from baophu.commands.risk import print_by_kind
from baophu.engine.pipeline import Inputs, StepResult, run_pipeline
from baophu.engine.potential import MART_LIST, MART_SUMMARY, ListsError, list_reference_date
from baophu.engine.targets import province_targets_summary, run_allocation, run_campaign
from baophu.fieldwork import audit_export, operational
from baophu.ingest.importer import import_paths
from baophu.operational.users import seed_demo_users
from baophu.reports.collector_workbook import write_commune_workbooks
from baophu.reports.documents import make_reports
from baophu.synth.generator import generate
from baophu.workspace import Workspace, init_workspace

console = Console(stderr=True)


def run_demo(
    out: Path, province: str, scale: float, seed: int, quiet: bool = False
) -> dict[str, Any]:

    report: dict[str, Any] = {"ok": False, "out": str(out.resolve())}
    started = time.perf_counter()
    source = out / "province"
    with progress_bar(not quiet) as update:
        summary = generate(province, scale, seed, source, progress=update)
    report["synth_seconds"] = round(time.perf_counter() - started, 2)
    report["synth_summary"] = summary
    workspace_dir = out / "workspace"
    init_workspace(workspace_dir, province=province)
    ws = Workspace.open(workspace_dir)
    t0 = time.perf_counter()
    with ws.store() as store, progress_bar(not quiet, activity_of(store)) as update:
        result = import_paths(store, [source / "inputs"], ws.rejects_dir, progress=update)
        report["import_seconds"] = round(time.perf_counter() - t0, 2)
        report["import"] = {
            "committed": result.committed,
            "error": result.error,
            "files": len(result.files),
            "rows_imported": sum(f.rows_imported for f in result.files),
            "rows_rejected": sum(f.rows_rejected for f in result.files),
            "rows_warned": sum(f.rows_warned for f in result.files),
        }
        counts = {
            name: store.row_count(name)
            for name in (
                "units",
                "residents",
                "enrolments",
                "employers",
                "contribution_ledger",
                "school_rosters",
            )
        }
    report["tables"] = counts
    report["ok"] = bool(result.committed)
    if result.committed:
        report.update(_run_engine(ws, quiet))
    report["workspace"] = str(workspace_dir.resolve())
    report["rejects"] = str(ws.rejects_dir)
    if not quiet:
        table = Table(title=f"baophu demo — {province} (scale {scale})")
        table.add_column("Mục / item")
        table.add_column("Giá trị / value", justify="right")
        table.add_row("Sinh dữ liệu / synth (s)", f"{report['synth_seconds']:.1f}")
        table.add_row("Nhập / import (s)", f"{report['import_seconds']:.1f}")
        for key, value in report["import"].items():
            if isinstance(value, int) and not isinstance(value, bool):
                table.add_row(f"import.{key}", fmt_int(value))
        for key, value in counts.items():
            table.add_row(f"bảng / table {key}", fmt_int(value))
        console.print(table)
        if not result.committed:
            console.print(f"[bold red]Nhập thất bại / import failed:[/] {result.error}")
        console.print(f"Dữ liệu nguồn / source files: [bold]{source / 'inputs'}[/]")
        console.print(f"Không gian làm việc / workspace: [bold]{workspace_dir}[/]")
        console.print(f"Tệp lỗi nhập / rejects: [bold]{ws.rejects_dir}[/]")
        if "compliance" in report:
            print_summary(report["compliance"], console)
        if "coverage" in report:
            print_demo_summary(report["coverage"], console)
        if "linkage" in report:
            _print_linkage(report["linkage"])
        if "claims" in report:
            print_estimate(report["claims"]["estimate"])
            print_review(report["claims"]["review_top"])
        if report.get("risk", {}).get("by_kind"):
            print_by_kind(report["risk"]["by_kind"], console)
        if "lists" in report:
            lists = report["lists"]
            console.print(
                f"Danh sách cần vận động / potential lists: "
                f"[bold]{fmt_int(sum(lists.get('by_reason', {}).values()))}[/] dòng / rows; "
                f"sổ tay của xã / work sheets of commune [bold]{lists.get('commune_name')}[/] "
                f"({len(lists.get('files', []))} tệp / files): [bold]{lists.get('folder')}[/]"
            )
        if "report" in report:
            made = report["report"]
            console.print(
                f"Báo cáo tháng gửi Ban Chỉ đạo / the month's committee report: "
                f"[bold]{made['docx']}[/]"
                + (f" và / and [bold]{made['pdf']}[/]" if made["pdf"] else "")
            )
        if report.get("users"):
            _print_users(report["users"], workspace_dir)
        console.print(
            f"Tiếp theo / next: [bold]baophu coverage -w {workspace_dir} --level commune[/], "
            f"[bold]baophu targets progress -w {workspace_dir}[/], "
            f"[bold]baophu compliance run -w {workspace_dir}[/], "
            f"[bold]baophu claims review -w {workspace_dir}[/]"
        )
    return report


def _run_engine(ws: Workspace, quiet: bool) -> dict[str, Any]:
    """The declared pipeline on the demo workspace (``engine.pipeline``), with what a person
    would choose in between: the province's BHYT target allocated down to every hamlet once
    coverage is known, and afterwards a 20-day campaign view ending on the reference date
    and the work sheets of one commune.  Each part adds its summary."""
    out: dict[str, Any] = {}
    with ws.store() as store, progress_bar(not quiet, activity_of(store)) as update:
        inputs = Inputs(progress=update)
        started = time.perf_counter()
        first = _results(run_pipeline(store, inputs, until="coverage"))
        coverage = first["coverage"].result
        day = dt.date.fromisoformat(coverage["reference_date"])
        run_allocation(store, None, "bhyt_rate", "uncovered")
        rest = _results(run_pipeline(store, inputs))
        targets = province_targets_summary(store, day.year, day)
        out["coverage"] = {
            **coverage,
            "targets_year": targets["year"],
            "targets": targets["indicators"],
            "lowest_communes": targets["lowest_communes"],
        }
        out["compliance"] = rest["compliance"].result
        out["linkage"] = rest["linkage"].result
        if "claims" in rest and rest["claims"].status == "computed":
            out["claims"] = {
                "estimate": rest["claims"].result["estimate"],
                "review_top": review_rows(store, 10),
            }
        out["risk"] = rest["risk"].result if "risk" in rest else {}
        run_campaign(
            store, day - dt.timedelta(days=19), 20, ["bhyt_rate", "compulsory_participants"]
        )
        potential = rest["potential"].result
        out["lists"] = _demo_lists(
            store,
            ws.root / "exports" / "lists",
            ws,
            potential.get("by_reason", {}),
            potential.get("rows", {}),
        )
        out["report"] = _demo_report(store, ws)
        for r in (*first.values(), *rest.values()):
            if r.status == "computed":
                out[f"{r.step}_seconds"] = r.seconds
        out["engine_seconds"] = round(time.perf_counter() - started, 2)
    out["users"] = seed_demo_users(ws)
    return out


def _demo_report(store: Store, ws: Workspace) -> dict[str, Any]:
    """The month's steering-committee report (Word and PDF) in ``exports/reports``, logged in
    the audit log like every export."""
    (made,) = make_reports(store, ["monthly"], ws.root / "exports" / "reports")
    db = operational(ws)
    try:
        audit_export(
            db,
            "report_monthly",
            unit_code=made.unit_code,
            rows=sum(len(t.rows) for t in made.document.tables.values()),
            detail=f"{made.docx.name} (demo)",
            username="demo",
        )
    finally:
        db.dispose()
    return made.as_dict()


def _results(results: list[StepResult]) -> dict[str, StepResult]:
    return {r.step: r for r in results}


def _demo_lists(
    store: Store,
    out_dir: Path,
    ws: Workspace,
    by_reason: dict[str, int],
    rows: dict[str, int],
) -> dict[str, Any]:
    """The work sheets of the commune with the most people to approach (each file written is
    logged in the operational database's audit log), and where they are.

    Returns ``reference_date``, ``commune_code``, ``commune_name``, ``folder``, ``files``
    (paths), ``persons`` (of the commune), ``by_reason`` (province), ``rows``.
    """
    s = store.read_mart(MART_SUMMARY)
    s = s.filter((s.reason == "*") & (s.owner_type == "collector"))
    best = (
        s.group_by(["commune_code"])
        .aggregate(persons=s.persons.sum())
        .order_by([ibis.desc("persons"), "commune_code"])
        .limit(1)
        .to_pyarrow()
        .to_pylist()
    )
    if not best:
        raise ListsError("Danh sách tiềm năng rỗng / the potential lists are empty")
    commune = str(best[0]["commune_code"])
    written = write_commune_workbooks(store, commune, Path(out_dir))
    db = operational(ws)
    try:
        for f in written["files"]:
            audit_export(
                db,
                MART_LIST,
                unit_code=commune,
                rows=int(written["rows"][str(f)]),
                detail=f"workbook {f} (demo)",
                username="demo",
            )
    finally:
        db.dispose()
    return {
        "reference_date": str(list_reference_date(store)),
        "commune_code": commune,
        "commune_name": written["commune_name"],
        "folder": str(written["folder"]),
        "files": [str(f) for f in written["files"]],
        "persons": int(best[0]["persons"]),
        "by_reason": by_reason,
        "rows": rows,
    }


def _print_linkage(linkage: dict[str, Any]) -> None:
    table = Table(title="Liên kết danh sách với dữ liệu dân cư / list linkage")
    table.add_column("Danh sách / list")
    table.add_column("Quyết định / decision")
    table.add_column("Số dòng / rows", justify="right")
    for source, counts in linkage.get("counts", {}).items():
        if isinstance(counts, dict):
            for decision, n in counts.items():
                if isinstance(n, int) and decision != "rows":
                    table.add_row(source, str(decision), fmt_int(n))
    console.print(table)


def _print_users(users: list[dict[str, Any]], workspace_dir: Path) -> None:
    table = Table(title="Tài khoản thử / demo logins (chỉ để thử / demo only)")
    table.add_column("Vai trò / role")
    table.add_column("Phạm vi / scope")
    table.add_column("Tên đăng nhập / username")
    table.add_column("Mật khẩu / password")
    for user in users:
        table.add_row(
            str(user.get("role_vi") or user.get("role")),
            str(user.get("scope_name") or ""),
            str(user.get("username")),
            str(user.get("password")),
        )
    console.print(table)
    console.print(
        f"Ứng dụng web / web application: [bold]baophu serve -w {workspace_dir}[/] rồi mở / "
        "then open [bold]http://127.0.0.1:8000/[/]"
    )
