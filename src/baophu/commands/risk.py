"""``baophu risk``: the risk checks (docs/risk.md).

``baophu risk run`` computes the ``risk_cases`` mart (the pipeline's ``risk`` step) and
prints the cases and amounts at stake by kind; ``baophu risk cases`` lists the cases, one
line each, filtered by kind and office.  Personal IDs are masked to their last four digits
in everything this command prints; ``--json`` on both.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from baophu.commands.common import (
    console,
    fail,
    operational_db,
    parse_date,
    parse_month,
    print_json,
    workspace_store,
)
from baophu.commands.options import DateOpt, JsonOpt, OutOpt, WorkspaceOpt
from baophu.vn import formats
from baophu.vn.masking import mask_text, mask_value

risk_app = typer.Typer(
    help="Kiểm soát rủi ro: trùng hồ sơ, trùng thẻ, người đã chết, tiền thu của đại lý / "
    "risk checks",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def print_by_kind(by_kind: dict[str, dict[str, int]], out: Any = None) -> None:
    """Cases and amounts by kind, with the total (``out``: a Rich console, default stdout)."""
    from baophu.engine.risk import KIND_TITLE_VI

    table = Table(title="Vụ việc rủi ro theo loại / risk cases by kind")
    table.add_column("Loại")
    table.add_column("Số vụ việc", justify="right")
    table.add_column("Số tiền (đồng)", justify="right")
    for kind, row in by_kind.items():
        table.add_row(
            KIND_TITLE_VI[kind], formats.number(row["cases"]), formats.money(row["amount"])
        )
    total_cases = sum(r["cases"] for r in by_kind.values())
    total = sum(r["amount"] for r in by_kind.values())
    table.add_row("Tổng cộng", formats.number(total_cases), formats.money(total))
    (out or console).print(table)


@risk_app.command("run")
def run_cmd(
    workspace: WorkspaceOpt = Path("."),
    date: DateOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Chạy các kiểm tra rủi ro / compute the risk_cases mart."""
    from baophu.engine.pipeline import pipeline_reference_date
    from baophu.engine.risk import run_risk

    with workspace_store(workspace) as store:
        day = pipeline_reference_date(store, parse_date(date))
        summary = run_risk(store, day)
    summary["reference_date"] = day.isoformat()
    if json_out:
        print_json(summary)
        return
    print_by_kind(summary["by_kind"])
    console.print(f"Ngày đối chiếu / reference date: {formats.date(day)}")


def _masked(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["person_id"] = mask_value(row.get("person_id"))
    out["persons"] = ",".join(mask_value(p) for p in (row.get("persons") or "").split(",") if p)
    out["evidence_vi"] = mask_text(row.get("evidence_vi"))
    for key, value in out.items():
        if isinstance(value, dt.date):
            out[key] = value.isoformat()
    return out


@risk_app.command("cases")
def cases_cmd(
    workspace: WorkspaceOpt = Path("."),
    kind: Annotated[str | None, typer.Option("--kind", help="Loại vụ việc / kind")] = None,
    office: Annotated[
        str | None, typer.Option("--office", help="Mã BHXH cơ sở / office code")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Số dòng tối đa / at most")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Danh sách vụ việc rủi ro / list the risk cases (IDs masked)."""
    from baophu.engine.risk import KIND_TITLE_VI, KINDS, MART_CASES

    if kind is not None and kind not in KINDS:
        fail(f"Không có loại {kind!r}; các loại: {', '.join(KINDS)} / unknown kind {kind!r}", 2)
    with workspace_store(workspace) as store:
        if not store.has_mart(MART_CASES):
            fail(
                "Chưa tính rủi ro: chạy baophu risk run / no risk cases yet: run baophu risk run",
                2,
            )
        t = store.read_mart(MART_CASES)
        if kind is not None:
            t = t.filter(t.kind == kind)
        if office is not None:
            t = t.filter(t.office_code == office)
        total = int(t.count().to_pyarrow().as_py())
        amount = int(t.amount.sum().fill_null(0).to_pyarrow().as_py())
        rows = t.order_by([t.amount.desc(), t.case_id]).limit(limit).to_pyarrow().to_pylist()
    rows = [_masked(r) for r in rows]
    if json_out:
        print_json({"total": total, "amount": amount, "shown": len(rows), "cases": rows})
        return
    table = Table(title=f"Vụ việc rủi ro / risk cases: {formats.number(total)}")
    for name in ("Loại", "Người / đại lý", "Bằng chứng", "Số tiền", "BHXH cơ sở"):
        table.add_column(name)
    for r in rows:
        who = r["person_id"] or r["agent_code"] or ""
        table.add_row(
            KIND_TITLE_VI[r["kind"]],
            escape(f"{r['full_name'] or ''} {who}".strip()),
            escape(r["evidence_vi"] or ""),
            formats.money(r["amount"]),
            r["office_code"] or "",
        )
    console.print(table)
    console.print(f"Tổng số tiền / total amount: {formats.money(amount)}")


@risk_app.command("report")
def report_cmd(
    office: Annotated[str, typer.Option("--office", help="Mã BHXH cơ sở / office code")],
    out: OutOpt,
    workspace: WorkspaceOpt = Path("."),
    month: Annotated[
        str | None, typer.Option("--month", help="Tháng báo cáo YYYY-MM (mặc định: tháng dữ liệu)")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Báo cáo rủi ro tháng của BHXH cơ sở (xlsx) / monthly risk report of an office."""
    from baophu.engine.pipeline import pipeline_reference_date
    from baophu.engine.risk import MART_CASES
    from baophu.operational.risk_cases import office_states
    from baophu.reports.risk_workbook import risk_report_rows, write_risk_workbook

    if month is not None:
        day = parse_month(month)
    with workspace_store(workspace) as store:
        if not store.has_mart(MART_CASES):
            fail(
                "Chưa tính rủi ro: chạy baophu risk run / no risk cases yet: run baophu risk run",
                2,
            )
        units = store.table("units")
        found = units.filter((units.unit_code == office) & (units.level == "office"))
        info = found.select("unit_code", "unit_name").to_pyarrow().to_pylist()
        if not info:
            fail(f"Không có BHXH cơ sở {office!r} / no office {office!r}", 2)
        if month is None:  # the month the cases were computed for
            entry = store.mart_entry(MART_CASES)
            computed = entry.reference_date if entry is not None else None
            day = (
                dt.date.fromisoformat(str(computed)[:10])
                if computed
                else pipeline_reference_date(store)
            ).replace(day=1)
        rows = risk_report_rows(store, office)
    with operational_db(workspace) as db:
        states = office_states(db, office)
        path = write_risk_workbook(
            out / f"bao_cao_rui_ro_{office}_{day:%Y-%m}.xlsx", info[0], day, rows, states
        )
        db.audit("command_line", "export", "risk_report", unit_code=office, rows=len(rows))
    if json_out:
        print_json(
            {"path": str(path), "office": office, "month": f"{day:%Y-%m}", "cases": len(rows)}
        )
        return
    console.print(f"Báo cáo / report: {escape(str(path))} ({formats.number(len(rows))} vụ việc)")
