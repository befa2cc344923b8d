"""``baophu reports``: the documents officials sign, as Word and PDF files.

``baophu reports monthly|year-end|finance|health|inspection|all -w WS [--date D] [--unit U]
--out DIR [--no-pdf] [--json]`` reads the marts of one computation (``baophu run`` first)
and writes each report stamped with its imported state, reference date and rule version.
Offices edit the templates: copies in ``<workspace>/templates/documents/<kind>.docx``
replace the shipped ones.  Every file written is logged in the audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from baophu.commands.common import console, failing_on, open_workspace, parse_date, print_json
from baophu.commands.options import JsonOpt, OutOpt, WorkspaceOpt

reports_app = typer.Typer(
    no_args_is_help=True,
    help="Báo cáo gửi Ban Chỉ đạo, UBND, các sở (Word, PDF) / reports officials sign",
)

DateOpt = Annotated[  # the default is the date of the marts, not that of the ledger
    str | None, typer.Option("--date", help="Ngày số liệu YYYY-MM-DD / reference date")
]
UnitOpt = Annotated[
    str | None,
    typer.Option("--unit", help="Mã đơn vị (tỉnh, BHXH cơ sở, xã) / unit code (default: province)"),
]
NoPdfOpt = Annotated[bool, typer.Option("--no-pdf", help="Chỉ ghi tệp Word / Word only")]
TEMPLATE_FOLDER = Path("templates") / "documents"


def write_reports(
    workspace: Path,
    kinds: list[str],
    out: Path,
    date: str | None,
    unit: str | None,
    with_pdf: bool,
) -> list[dict[str, Any]]:
    """Make the reports and log each file in the audit log; errors end the command."""
    from baophu.fieldwork import audit_export, operational
    from baophu.reports.documents import DocumentError, make_reports

    ws = open_workspace(workspace)
    day = parse_date(date)
    with failing_on((DocumentError,)), ws.store(read_only=True) as store:
        files = make_reports(
            store,
            kinds,
            out,
            unit_code=unit,
            reference_date=day,
            with_pdf=with_pdf,
            template_dir=ws.root / TEMPLATE_FOLDER,
        )
    db = operational(ws)
    try:
        for f in files:
            rows = sum(len(t.rows) for t in f.document.tables.values())
            audit_export(
                db,
                f"report_{f.kind}",
                unit_code=f.unit_code,
                rows=rows,
                detail=f"{f.docx.name}; reference_date={f.stamp['reference_date']}; "
                f"state={f.stamp['state_id']}",
            )
    finally:
        db.dispose()
    return [f.as_dict() for f in files]


def _print(files: list[dict[str, Any]], json_out: bool) -> None:
    if json_out:
        print_json({"files": files})
        return
    for f in files:
        console.print(f"[bold]{f['kind']}[/] {f['docx']}" + (f"  {f['pdf']}" if f["pdf"] else ""))
    if files:
        f = files[0]
        console.print(
            f"Số liệu ngày {f['reference_date']}, trạng thái {f['state_id']}, quy định "
            f"{f['rule_version']} / data of {f['reference_date']}"
        )


def _command(kind: str, doc: str) -> None:
    def command(
        workspace: WorkspaceOpt = Path("."),
        out: OutOpt = Path("reports"),
        date: DateOpt = None,
        unit: UnitOpt = None,
        no_pdf: NoPdfOpt = False,
        json_out: JsonOpt = False,
    ) -> None:
        kinds = (
            ["monthly", "year_end", "finance", "health", "inspection"] if kind == "all" else [kind]
        )
        _print(write_reports(workspace, kinds, out, date, unit, not no_pdf), json_out)

    command.__doc__ = doc
    reports_app.command(kind.replace("_", "-"))(command)


_command("monthly", "Báo cáo tháng gửi Ban Chỉ đạo / the monthly steering-committee report.")
_command("year_end", "Báo cáo năm gửi UBND tỉnh / the year-end report to the People's Committee.")
_command("finance", "Báo cáo quý gửi Sở Tài chính / quarterly report to Finance.")
_command("health", "Báo cáo quý gửi Sở Y tế / quarterly report to Health.")
_command("inspection", "Danh sách đề nghị thanh tra / employers for the labour inspectorate.")
_command("all", "Tất cả báo cáo / every report (province).")
