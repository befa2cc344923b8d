"""``baophu compliance …``: employer arrears, interest, notices, evasion scores and lists.

Owns the command-line face of ``baophu.engine.compliance.run`` and of the notice and list
exports; it parses options, calls the library and prints Rich tables with Vietnamese headers
(or JSON with ``--json``).  It computes nothing itself.  Errors print one line in Vietnamese
and English and exit with a non-zero code, never a traceback.

The main application mounts it with ``app.add_typer(compliance_app, name="compliance")``;
``print_summary`` is reused by ``make demo``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from baophu.commands.common import (
    console,
    fail,
    fmt,
    fmt_pct,
    parse_date,
    parse_month,
    print_json,
    table_of,
    workspace_store,
)
from baophu.commands.options import DateOpt, JsonOpt, OutOpt, WorkspaceOpt
from baophu.rules import wording
from baophu.vn import formats

if TYPE_CHECKING:
    from baophu.backends import Store

compliance_app = typer.Typer(
    help=(
        "Nghĩa vụ đóng của đơn vị: chậm đóng, lãi, thông báo hằng tháng, dấu hiệu trốn đóng, "
        "các danh sách. / Employer compliance: arrears, interest, monthly notices, evasion "
        "scores, lists."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MonthOpt = Annotated[str, typer.Option("--month", help="Tháng thông báo / month (YYYY-MM)")]


@contextmanager
def open_store(workspace: Path) -> Iterator[Any]:
    """The workspace's store; a bad workspace or any library error ends the command cleanly."""
    from baophu.engine.compliance import ComplianceError
    from baophu.reports.notice import NoticeError
    from baophu.rules.errors import RulesError

    with workspace_store(workspace, (ComplianceError, NoticeError, RulesError)) as store:
        yield store


def require_marts(store: Store) -> None:
    from baophu.engine.compliance import MARTS

    present = {m["mart"] for m in store.marts()}
    missing = [m for m in MARTS if m not in present]
    if missing:
        fail(
            "Chưa tính số liệu nghĩa vụ đóng; chạy 'baophu compliance run -w …' trước / "
            f"compliance has not been computed (missing {', '.join(missing)}); run "
            "'baophu compliance run -w …' first"
        )


# --------------------------------------------------------------------------------------- run


def print_summary(summary: dict[str, Any], out: Console | None = None) -> None:
    """The arrears ratio against the ceiling, employers late 3+ months and the top of the
    inspection list, as Rich tables (used by ``compliance run`` and ``make demo``)."""
    c = out or console
    figures = Table(title=f"Nghĩa vụ đóng của đơn vị đến ngày {fmt(_day(summary))}")
    figures.add_column("Chỉ tiêu")
    figures.add_column("Giá trị", justify="right")
    ratio = summary.get("arrears_ratio")
    ceiling = summary.get("arrears_ratio_ceiling")
    if ceiling is None:
        verdict = "chưa có mức trần cho năm này"
    elif summary.get("above_ceiling"):
        verdict = f"[red]vượt mức trần[/] {formats.rate(ceiling)}"
    else:
        verdict = f"[green]dưới mức trần[/] {formats.rate(ceiling)}"
    figures.add_row(
        "Tỷ lệ số tiền chậm đóng / số phải thu (từ đầu năm)", f"{fmt_pct(ratio, 2)} ({verdict})"
    )
    figures.add_row("Số tiền chậm đóng (đồng)", fmt(summary.get("late_amount")))
    figures.add_row("Số phải thu từ đầu năm (đồng)", fmt(summary.get("due_ytd")))
    figures.add_row("Số đơn vị", fmt(summary.get("employers")))
    figures.add_row("Đơn vị chậm đóng", fmt(summary.get("employers_late")))
    figures.add_row("Đơn vị chậm đóng từ 3 tháng trở lên", fmt(summary.get("employers_late_3plus")))
    figures.add_row("Số tiền chậm đóng từ 3 tháng trở lên", fmt(summary.get("late_3plus_amount")))
    figures.add_row(
        f"Đơn vị {_evasion_label(_day(summary))}",
        fmt(summary.get("employers_evasion")),
    )
    figures.add_row("Lãi chậm đóng chưa nộp (đồng)", fmt(summary.get("interest_outstanding")))
    figures.add_row("Đơn vị có dấu hiệu trốn đóng", fmt(summary.get("employers_flagged")))
    c.print(figures)
    top = Table(title="Danh sách đề nghị thanh tra, kiểm tra — 10 đơn vị đầu")
    for col, justify in (
        ("Hạng", "right"),
        ("Mã đơn vị / MST", "left"),
        ("Tên đơn vị", "left"),
        ("BHXH cơ sở", "left"),
        ("Điểm", "right"),
        ("Dấu hiệu", "left"),
    ):
        top.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in summary.get("inspection_top", []):
        top.add_row(
            str(row["rank"]),
            row["employer_code"] or f"MST {row['tax_code']}",
            row["name"] or "",
            row["office_name"] or "",
            str(row["total_score"]),
            row["explanation"] or "",
        )
    c.print(top)


def _day(summary: dict[str, Any]) -> Any:
    text = summary.get("reference_date")
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return text


def _evasion_label(day: Any) -> str:
    """ "trốn đóng (quá 60 ngày)", the delay of the law in force on ``day``."""
    if not isinstance(day, dt.date):
        return "trốn đóng"
    return wording.evasion_label(day).lower()


@compliance_app.command("run")
def run_cmd(
    workspace: WorkspaceOpt = Path("."),
    date: DateOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Tính chậm đóng, lãi, điểm trốn đóng và các danh sách / compute every compliance mart."""
    from baophu.engine.compliance import run_compliance

    reference = parse_date(date)
    with open_store(workspace) as store:
        summary = run_compliance(store, reference)
    if json_out:
        print_json(summary)
        return
    print_summary(summary)
    console.print(f"({summary['seconds']} s; {len(summary['marts'])} bảng kết quả / marts)")


# ---------------------------------------------------------------------------------- employer

_HISTORY = (
    ("month", "Tháng"),
    ("due_total", "Phải đóng"),
    ("paid_allocated", "Đã đóng (FIFO)"),
    ("arrears", "Còn nợ"),
    ("deadline", "Hạn đóng"),
    ("days_late", "Số ngày chậm"),
    ("paid_in_month", "Nộp trong tháng"),
    ("interest_in_month", "Lãi trong tháng"),
    ("closing_balance", "Số dư cuối tháng"),
)
_BALANCE = (
    ("employer_name", "Tên đơn vị"),
    ("tax_code", "Mã số thuế"),
    ("office_name", "BHXH cơ sở"),
    ("officer_name", "Cán bộ chuyên quản"),
    ("reference_date", "Ngày đối chiếu"),
    ("due_total", "Tổng phải đóng"),
    ("paid_total", "Tổng đã nộp"),
    ("interest_total", "Tổng lãi chậm đóng"),
    ("balance", "Số dư (nợ +, thừa −)"),
    ("late_amount", "Số tiền chậm đóng"),
    ("months_late", "Số tháng chậm đóng"),
    ("late_since", "Chậm đóng từ ngày"),
    ("late_3plus", "Chậm đóng từ 3 tháng"),
    ("evasion_amount", "Số tiền {evasion_label}"),
    ("interest_outstanding", "Lãi chưa nộp"),
    ("credit", "Số tiền nộp thừa"),
)


@compliance_app.command("employer")
def employer_cmd(
    code: Annotated[str, typer.Argument(help="Mã đơn vị / employer code")],
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Lịch sử từng tháng và số dư của một đơn vị / one employer's months and balance."""

    with open_store(workspace) as store:
        require_marts(store)
        balance = store.read_mart("employer_balance")
        rows = balance.filter(balance.employer_code == code).to_pyarrow().to_pylist()
        if not rows:
            fail(f"Không có đơn vị {code} / no employer {code}")
        arrears = store.read_mart("employer_arrears")
        months = (
            arrears.filter(arrears.employer_code == code).order_by("month").to_pyarrow().to_pylist()
        )
        scores = store.read_mart("evasion_scores")
        score = scores.filter(scores.employer_code == code).to_pyarrow().to_pylist()
    if json_out:
        print_json({"balance": rows[0], "months": months, "evasion": score[0] if score else None})
        return
    head = Table(title=f"Đơn vị {code}", show_header=False)
    head.add_column("Chỉ tiêu")
    head.add_column("Giá trị", justify="right")
    evasion = _evasion_label(rows[0]["reference_date"])
    for key, label in _BALANCE:
        head.add_row(label.format(evasion_label=evasion), fmt(rows[0][key]))
    if score:
        head.add_row("Điểm rủi ro trốn đóng", fmt(score[0]["total_score"]))
        head.add_row("Dấu hiệu", score[0]["explanation"] or "")
    console.print(head)
    history = table_of(
        "Từng tháng / month by month",
        [label for _, label in _HISTORY],
        left=[label for key, label in _HISTORY if key in ("month", "deadline")],
    )
    for m in months:
        history.add_row(
            *[formats.month(m[key]) if key == "month" else fmt(m[key]) for key, _ in _HISTORY]
        )
    console.print(history)


# ------------------------------------------------------------------------------------ notices


@compliance_app.command("notice")
def notice_cmd(
    code: Annotated[str, typer.Argument(help="Mã đơn vị / employer code")],
    month: MonthOpt,
    out: OutOpt,
    workspace: WorkspaceOpt = Path("."),
    format_: Annotated[
        str, typer.Option("--format", help="pdf, xlsx hoặc both / pdf, xlsx or both")
    ] = "both",
    json_out: JsonOpt = False,
) -> None:
    """Thông báo kết quả đóng (C12-TS) cho một đơn vị / one employer's monthly notice."""
    from baophu.reports.notice import load_notices

    if format_ not in ("pdf", "xlsx", "both"):
        fail(f"--format phải là pdf, xlsx hoặc both / must be pdf, xlsx or both: {format_}", 2)
    first = parse_month(month)
    with open_store(workspace) as store:
        notice = load_notices(store, first, employer_code=code)[0]
    notice.check()
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    stem = out / f"{notice.employer_code}_{first:%Y-%m}"
    if format_ in ("pdf", "both"):
        from baophu.reports.notice_pdf import write_notice_pdf

        write_notice_pdf(notice, stem.with_suffix(".pdf"))
        files.append(str(stem.with_suffix(".pdf")))
    if format_ in ("xlsx", "both"):
        from baophu.reports.notice_xlsx import write_notice_xlsx

        write_notice_xlsx(notice, stem.with_suffix(".xlsx"))
        files.append(str(stem.with_suffix(".xlsx")))
    if json_out:
        print_json({"files": files, "notice": notice.as_dict()})
        return
    for path in files:
        console.print(f"Đã ghi / written: [bold]{escape(path)}[/]")
    console.print(
        f"Số dư cuối kỳ / closing balance: {fmt(notice.closing_balance)} đồng; "
        f"chậm đóng / late: {fmt(notice.late_amount)} đồng"
    )


@compliance_app.command("notices")
def notices_cmd(
    month: MonthOpt,
    out: OutOpt,
    workspace: WorkspaceOpt = Path("."),
    officer: Annotated[
        str | None, typer.Option("--officer", help="Mã cán bộ chuyên quản / officer code")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="pdf, xlsx hoặc both / pdf, xlsx or both")
    ] = "both",
    workers: Annotated[int, typer.Option(help="Số tiến trình / processes")] = 2,
    json_out: JsonOpt = False,
) -> None:
    """Thông báo cho mọi đơn vị của một cán bộ hoặc cả tỉnh / notices in batch."""
    from baophu.reports.notice_batch import write_notice_batch

    if format_ not in ("pdf", "xlsx", "both"):
        fail(f"--format phải là pdf, xlsx hoặc both / must be pdf, xlsx or both: {format_}", 2)
    first = parse_month(month)
    with open_store(workspace) as store:
        result = write_notice_batch(
            store,
            first,
            out,
            officer_code=officer,
            pdf=format_ in ("pdf", "both"),
            xlsx=format_ in ("xlsx", "both"),
            workers=max(1, workers),
        )
    if json_out:
        print_json(result)
        return
    console.print(
        f"Đã ghi {fmt(result['notices'])} thông báo ({fmt(result['pdf'])} PDF, "
        f"{fmt(result['workbooks'])} tệp Excel) vào [bold]{escape(result['out'])}[/] "
        f"trong {result['seconds']} s / notices written"
    )


# -------------------------------------------------------------------------------------- lists


@compliance_app.command("lists")
def lists_cmd(
    out: OutOpt,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Xuất danh sách thanh tra, công khai, không được dự thầu, không khen thưởng / lists."""
    from baophu.reports.notice_lists import LISTS, export_lists

    with open_store(workspace) as store:
        require_marts(store)
        result = export_lists(store, out)
    if json_out:
        print_json(result)
        return
    table = Table(title="Các danh sách / lists")
    table.add_column("Danh sách")
    table.add_column("Số đơn vị", justify="right")
    table.add_column("Tệp")
    titles = {mart: title for mart, _, title, _ in LISTS}
    for mart, entry in result.items():
        table.add_row(titles[mart], fmt(entry["rows"]), entry["file"])
    console.print(table)


# ------------------------------------------------------------------------------------- budget


@compliance_app.command("budget")
def budget_cmd(
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Ngân sách nhà nước còn phải chuyển theo cơ quan và quý / state-budget arrears."""

    with open_store(workspace) as store:
        require_marts(store)
        b = store.read_mart("budget_arrears")
        q = b.filter(b.level == "quarter")
        rows = (
            q.group_by("department", "department_name", "quarter")
            .aggregate(
                amount_due=q.amount_due.sum(),
                amount_paid=q.amount_paid.sum(),
                outstanding=q.outstanding.sum(),
                overdue_amount=q.overdue_amount.sum(),
            )
            .order_by(["department", "quarter"])
            .to_pyarrow()
            .to_pylist()
        )
    if json_out:
        print_json(rows)
        return
    table = table_of(
        "Ngân sách nhà nước chậm đóng BHYT theo quý",
        ("Cơ quan", "Quý", "Phải chuyển", "Đã chuyển", "Còn phải chuyển", "Quá hạn"),
        left=("Cơ quan", "Quý"),
    )
    for r in rows:
        table.add_row(
            r["department_name"],
            r["quarter"],
            fmt(r["amount_due"]),
            fmt(r["amount_paid"]),
            fmt(r["outstanding"]),
            fmt(r["overdue_amount"]),
        )
    console.print(table)
