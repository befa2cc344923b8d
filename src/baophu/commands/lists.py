"""``baophu lists``: the potential lists, the collectors' work sheets, field outcomes and
achievement.

* ``baophu lists [--date D] [--due-days N] [--commune C] [--hamlet H] [--collector X]
  [--reason R] [--top N] [--recompute] -w WS [--json]`` — computes the lists when they are
  missing, stale or asked for another date / due window, then prints people per reason and
  the first rows (personal IDs masked to their last four digits);
* ``baophu lists workbooks (--commune C | --collector X | --officer O | --all) --out DIR`` —
  the Excel work sheets; every export is written to the audit log;
* ``baophu lists outcomes import FILE`` — a returned work sheet, all or nothing, rejects file
  with file, row, column and reason;
* ``baophu lists achievement [--collector X] [--year Y]`` — outcomes against the collector's
  target, and the commission.

Commands parse, call ``engine.potential``, ``reports.collector_workbook`` and
``fieldwork``, and print; errors are one bilingual line and a non-zero exit.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from baophu.commands.common import (
    console,
    err_console,
    fail,
    failing_on,
    fmt,
    fmt_int,
    fmt_pct,
    open_workspace,
    parse_date,
    print_json,
    progress_bar,
    table_of,
)
from baophu.commands.options import DateOpt, JsonOpt, OutOpt, WorkspaceOpt
from baophu.vn import formats
from baophu.vn.masking import mask_text
from baophu.vn.masking import mask_value as mask_id

if TYPE_CHECKING:
    from baophu.backends import Store

lists_app = typer.Typer(
    help=(
        "Danh sách tiềm năng, phiếu làm việc của nhân viên thu, kết quả vận động. / "
        "Potential lists, collectors' work sheets, field outcomes."
    ),
    add_completion=False,
    pretty_exceptions_enable=False,
)
outcomes_app = typer.Typer(
    help="Kết quả vận động trả về / field outcomes", add_completion=False, no_args_is_help=True
)
lists_app.add_typer(outcomes_app, name="outcomes")

PARAMS_FILE = "lists_params.json"


def _errors() -> tuple[type[BaseException], ...]:
    from baophu.engine.coverage import CoverageError
    from baophu.engine.potential import ListsError
    from baophu.fieldwork import FieldworkError

    return (ListsError, CoverageError, FieldworkError, KeyError, ValueError)


def ensure_lists(
    ws: Any,
    store: Store,
    day: dt.date | None,
    due_days: int | None,
    recompute: bool,
    quiet: bool,
) -> dict[str, Any]:
    """Compute the lists unless fresh ones for the same date and due window are there."""
    from baophu.engine.dates import default_reference_date
    from baophu.engine.potential import MART_LIST, due_days_on, list_reference_date, run_lists
    from baophu.fieldwork import latest_outcomes, operational

    path = ws.root / PARAMS_FILE
    last = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    want_day = day or list_reference_date(store) or default_reference_date(store)
    policy_due = due_days_on(want_day)
    want_due = due_days if due_days is not None else int(last.get("due_days", policy_due))
    fresh = (
        store.mart_is_current(MART_LIST)
        and list_reference_date(store) == want_day
        and int(last.get("due_days", policy_due)) == want_due
    )
    if fresh and not recompute:
        return {"computed": False, "reference_date": want_day.isoformat(), "due_days": want_due}
    db = operational(ws)
    try:
        outcomes = latest_outcomes(db)
    finally:
        db.dispose()
    with progress_bar(not quiet) as update:
        result = run_lists(store, want_day, want_due, outcomes=outcomes, progress=update)
    path.write_text(json.dumps({"due_days": want_due}), encoding="utf-8")
    return {"computed": True, **result}


@lists_app.callback(invoke_without_command=True)
def lists(
    ctx: typer.Context,
    date: DateOpt = None,
    due_days: Annotated[
        int | None, typer.Option("--due-days", help="Số ngày đến hạn / days ahead (30)")
    ] = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Mã xã / commune")] = None,
    hamlet: Annotated[str | None, typer.Option("--hamlet", help="Mã thôn, ấp / hamlet")] = None,
    collector: Annotated[
        str | None, typer.Option("--collector", help="Mã nhân viên thu / collector")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Lý do / reason code")] = None,
    top: Annotated[int, typer.Option("--top", help="Số dòng in ra / rows shown")] = 20,
    recompute: Annotated[bool, typer.Option("--recompute", help="Tính lại / recompute")] = False,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Danh sách tiềm năng: số người theo lý do và các dòng đầu / the potential lists."""
    if ctx.invoked_subcommand is not None:
        return
    from baophu.contracts.vocabularies import REASONS

    if reason is not None and reason not in REASONS:
        fail(
            f"Lý do không hợp lệ: {reason}; dùng {', '.join(REASONS)}",
            f"unknown reason {reason!r}; use {', '.join(REASONS)}",
            2,
        )
    if due_days is not None and due_days < 0:
        fail("Số ngày đến hạn phải không âm", "--due-days must not be negative", 2)
    ws = open_workspace(workspace)
    day = parse_date(date)
    with ws.store() as store, failing_on(_errors()):
        run = ensure_lists(ws, store, day, due_days, recompute, json_out)
        report = list_report(store, commune, hamlet, collector, reason, top)
    report["run"] = {k: v for k, v in run.items() if k not in ("by_reason",)}
    if json_out:
        print_json(report)
        return
    print_report(report)


def list_report(
    store: Store,
    commune: str | None,
    hamlet: str | None,
    collector: str | None,
    reason: str | None,
    top: int,
) -> dict[str, Any]:
    """Counts per reason and the first ``top`` rows (IDs masked, in the reasons too) for the
    filters."""
    import ibis

    from baophu.contracts.vocabularies import REASON_VI, REASONS
    from baophu.engine.potential import MART_LIST, MART_PERSONS, list_reference_date
    from baophu.engine.potential import reason_counts as counts_of

    counts = counts_of(store, commune_code=commune, hamlet_code=hamlet, owner_code=collector)
    detail = counts["detail"]
    by_reason = [
        {
            "reason": r,
            "label": REASON_VI[r],
            "persons": int(detail[r]["persons"]),
            "priority_1": int(detail[r]["priority_1"]),
            "amount_total": int(detail[r]["amount_total"]),
        }
        for r in REASONS
        if r in detail and (reason is None or r == reason)
    ]
    name = MART_LIST if reason else MART_PERSONS
    t = store.read_mart(name)
    for column, value in (
        ("commune_code", commune),
        ("hamlet_code", hamlet),
        ("owner_code", collector),
        ("reason", reason),
    ):
        if value:
            t = t.filter(t[column] == value)
    order = (
        ["priority", "household_id", "row_key"]
        if reason
        else ["household_priority", "household_id", "priority", "row_key"]
    )
    labels = "reason_label" if reason else "reasons"
    explain = {"explanation": t.reason_vi} if reason else {}
    rows = (
        t.order_by([ibis.asc(c) for c in order])
        .limit(max(top, 0))
        .select(
            "row_key",
            "person_id",
            "full_name",
            "birth_date",
            "household_id",
            "hamlet_code",
            "owner_code",
            "priority",
            "amount",
            "amount_period",
            "status",
            labels=t[labels],
            **explain,
        )
        .to_pyarrow()
        .to_pylist()
    )
    if not reason and rows:
        lst = store.read_mart(MART_LIST)
        keys = [r["row_key"] for r in rows]
        found: dict[str, list[tuple[int, str]]] = {}
        for x in (
            lst.filter(lst.row_key.isin(keys))
            .select("row_key", "reason", "reason_vi")
            .to_pyarrow()
            .to_pylist()
        ):
            found.setdefault(x["row_key"], []).append((REASONS.index(x["reason"]), x["reason_vi"]))
        for r in rows:
            r["explanation"] = "\n".join(v for _, v in sorted(found.get(r["row_key"], [])))
    for r in rows:
        if not reason:  # codes → Vietnamese labels
            r["labels"] = "; ".join(
                REASON_VI.get(c, c) for c in (r["labels"] or "").split(",") if c
            )
        r["person_id"] = mask_id(r["person_id"])
        if r["row_key"] and len(str(r["row_key"])) == 12:
            r["row_key"] = mask_id(r["row_key"])
        # reason texts quote IDs and phones ("số định danh 0752… không khớp"): masked too
        for key in ("explanation", "labels", "row_key", "household_id"):
            if isinstance(r.get(key), str):
                r[key] = mask_text(r[key])
    return {
        "reference_date": str(list_reference_date(store)),
        "filters": {"commune": commune, "hamlet": hamlet, "collector": collector, "reason": reason},
        "persons": counts["persons"] if reason is None else sum(b["persons"] for b in by_reason),
        "by_reason": by_reason,
        "top": rows,
    }


PERIOD = {"year": "/năm", "month": "/tháng"}


def print_report(report: dict[str, Any]) -> None:
    when = formats.date(report["reference_date"])
    title = f"Danh sách tiềm năng đến ngày {when}"
    where = ", ".join(f"{k} {v}" for k, v in report["filters"].items() if v)
    table = table_of(
        title + (f" — {where}" if where else ""),
        ("Lý do", "Mã", "Số người", "Ưu tiên 1", "Tổng số tiền (đồng)"),
        left=("Lý do", "Mã"),
    )
    for b in report["by_reason"]:
        table.add_row(
            b["label"],
            b["reason"],
            fmt_int(b["persons"]),
            fmt_int(b["priority_1"]),
            fmt_int(b["amount_total"]),
        )
    console.print(table)
    console.print(f"Tổng số người / people: [bold]{fmt_int(report['persons'])}[/]")
    if not report["top"]:
        return
    rows = Table(title="Các dòng đầu (ưu tiên, hộ) / first rows")
    for header in ("Số định danh", "Họ và tên", "Ngày sinh", "Hộ", "Ưu tiên", "Số tiền"):
        rows.add_column(header, no_wrap=True)
    rows.add_column("Lý do", overflow="fold")
    for r in report["top"]:
        amount = (
            fmt_int(r["amount"]) + PERIOD.get(r["amount_period"] or "", "")
            if r["amount"] is not None
            else ""
        )
        rows.add_row(
            r["person_id"] or r["row_key"],
            r["full_name"] or "",
            fmt(r["birth_date"]),
            r["household_id"] or "",
            str(r["priority"]),
            amount,
            r["labels"] or "",
        )
    console.print(rows)


# ------------------------------------------------------------------------------ workbooks


@lists_app.command("workbooks")
def workbooks(
    out: OutOpt,
    commune: Annotated[str | None, typer.Option("--commune", help="Mã xã / commune")] = None,
    collector: Annotated[
        str | None, typer.Option("--collector", help="Mã nhân viên thu / collector")
    ] = None,
    officer: Annotated[
        str | None, typer.Option("--officer", help="Mã cán bộ chuyên quản / case officer")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Toàn tỉnh / every commune")] = False,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Phiếu làm việc Excel theo nhân viên thu và thôn, ấp / the Excel work sheets."""
    chosen = [x for x in (commune, collector, officer) if x] + (["all"] if all_ else [])
    if len(chosen) != 1:
        fail(
            "Chọn đúng một trong --commune, --collector, --officer, --all",
            "give exactly one of --commune, --collector, --officer, --all",
            2,
        )
    ws = open_workspace(workspace)
    with failing_on(_errors()):
        result = export_workbooks(ws, out, commune, collector, officer, all_, json_out)
    if json_out:
        print_json(result)
        return
    for f in result["files"]:
        console.print(f"  {f['path']}  ({fmt_int(f['rows'])} người)")
    when = formats.date(result["reference_date"])
    console.print(
        f"Đã ghi {len(result['files'])} tệp / files written in [bold]{result['folder']}[/] "
        f"(số liệu đến {when}); đã ghi nhật ký xuất / export logged."
    )


def export_workbooks(
    ws: Any,
    out: Path,
    commune: str | None,
    collector: str | None,
    officer: str | None,
    all_: bool,
    quiet: bool = True,
) -> dict[str, Any]:
    """Write the work sheets asked for, log every file in the audit log."""
    from baophu.engine.potential import MART_SUMMARY, ListsError, list_reference_date
    from baophu.fieldwork import audit_export, latest_outcomes, operational, outcome_map
    from baophu.reports.collector_workbook import write_commune_workbooks, write_owner_workbook

    db = operational(ws)
    try:
        with ws.store() as store:
            ensure_lists(ws, store, None, None, False, quiet)
            outcomes = outcome_map(latest_outcomes(db))
            files: list[dict[str, Any]] = []
            if collector or officer:
                kind = "collector" if collector else "officer"
                code = str(collector or officer)
                written = write_owner_workbook(store, kind, code, out, outcomes)
                if written is None:
                    raise ListsError(f"Không có dòng nào của {code} / nobody on the list of {code}")
                files.append({"path": str(written["path"]), "rows": written["rows"], "unit": code})
            else:
                if all_:
                    s = store.read_mart(MART_SUMMARY)
                    s = s.filter(s.commune_code.notnull())
                    codes = sorted(
                        s.select("commune_code").distinct().to_pyarrow().column(0).to_pylist()
                    )
                else:
                    codes = [str(commune)]
                for code in codes:
                    done = write_commune_workbooks(store, code, out, outcomes)
                    if not done["files"] and not all_:
                        raise ListsError(
                            f"Xã {code} không có ai trong danh sách / nobody listed in {code}"
                        )
                    files += [
                        {"path": str(p), "rows": done["rows"][str(p)], "unit": code}
                        for p in done["files"]
                    ]
            when = list_reference_date(store)
        for f in files:
            audit_export(
                db,
                "potential_list",
                unit_code=f["unit"],
                rows=int(f["rows"]),
                detail=f"workbook {f['path']}; reference_date={when}",
            )
    finally:
        db.dispose()
    return {
        "folder": str(out),
        "reference_date": str(when),
        "files": files,
    }


# ------------------------------------------------------------------------------ outcomes


@outcomes_app.command("import")
def outcomes_import(
    file: Annotated[Path, typer.Argument(help="Tệp Excel đã ghi kết quả / the returned workbook")],
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Nhập kết quả vận động từ phiếu làm việc (tất cả hoặc không) / import field outcomes."""
    from baophu.fieldwork import import_outcomes

    ws = open_workspace(workspace)
    with ws.store() as store, failing_on(_errors()):
        result = import_outcomes(ws, store, file)
    if json_out:
        print_json(result)
    elif result["status"] == "imported":
        parts = ", ".join(f"{k}: {v}" for k, v in result["by_outcome"].items())
        console.print(
            f"Đã nhập {fmt_int(result['rows'])} kết quả / outcomes imported ({parts}). "
            "Chạy lại 'baophu lists --recompute' để cập nhật danh sách."
        )
    elif result["status"] == "already_imported":
        console.print(
            f"Tệp này đã được nhập (lần nhập {result['import_id']}) / this file was already "
            "imported: nothing done."
        )
    else:
        err_console.print(
            f"[bold red]Không nhập gì / nothing imported:[/] {result['rejected']} dòng lỗi / "
            f"rows rejected. Xem / see: {result['rejects_path']}"
        )
    if result["status"] == "rejected":
        raise typer.Exit(1)


# --------------------------------------------------------------------------- achievement


@lists_app.command("achievement")
def achievement_cmd(
    collector: Annotated[
        str | None, typer.Option("--collector", help="Mã nhân viên thu / collector")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Năm / year")] = None,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Kết quả của nhân viên thu so với chỉ tiêu, thù lao / achievement and commission."""
    from baophu.fieldwork import achievement, operational, today

    ws = open_workspace(workspace)
    db = operational(ws)
    try:
        with failing_on(_errors()), ws.store() as store:
            result = achievement(db, store, year or today().year, collector=collector)
    finally:
        db.dispose()
    if json_out:
        print_json(result)
        return
    console.print(achievement_table(result))
    console.print(commission_line(result))


def achievement_table(result: dict[str, Any]) -> Table:
    """One row per collector: field figures, the first target of the year, commission."""
    table = table_of(
        f"Kết quả vận động năm {result['year']} / field achievement",
        (
            "Mã NVT",
            "Họ và tên",
            "Đã tiếp cận",
            "Đã tham gia",
            "Dữ liệu xác nhận",
            "Chỉ tiêu (người)",
            "Dữ liệu đạt",
            "Tỷ lệ",
            "Số tiền thu (đồng)",
            "Thù lao (đồng)",
        ),
        left=("Mã NVT", "Họ và tên"),
    )
    for c in result["collectors"]:
        target = c["targets"][0] if c["targets"] else {}
        table.add_row(
            c["collector_code"],
            c["collector_name"] or "",
            fmt_int(c["approached"]),
            fmt_int(c["enrolled"]),
            fmt_int(c["confirmed"]),
            fmt_int(target.get("target_people")),
            fmt_int(target.get("achieved")),
            fmt_pct(target.get("achievement_ratio")),
            fmt_int(c["amount_collected"]),
            fmt_int(c["commission"]),
        )
    return table


def commission_line(result: dict[str, Any]) -> str:
    """The commission rate, the day it is read for and whether it is a published figure."""
    day = formats.date(result["commission_on"])
    if result["commission_rate"] is None:
        return (
            f"Chưa có tỷ lệ thù lao có hiệu lực ngày {day} / no commission rate in force on "
            f"{result['commission_on']}: thù lao chưa tính được / commission not computed"
        )
    note = {
        "placeholder": " (TẠM TÍNH: chưa có quyết định, xem tham số)",
        "approximation": " (ước tính, xem tham số)",
        "unverified": " (nguồn chưa đối chiếu văn bản, xem tham số)",
    }.get(result["commission_status"], "")
    return (
        f"Tỷ lệ thù lao / commission rate: {formats.rate(result['commission_rate'])} "
        f"(ngày {day}){note}"
    )
