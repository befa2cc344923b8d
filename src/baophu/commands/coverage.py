"""``baophu coverage``: coverage of every unit of a level on a reference date.

Owns the command-line face of ``baophu.engine.coverage.run``: it parses options, makes sure
the coverage marts are there for the date (computing them when they are missing or stale),
and prints a Rich table with Vietnamese headers — numbers as ``1.115.590``, rates as
``94,3%`` — or, with ``--json``, the rows of ``coverage_by_unit`` (rates as fractions).
``--workbook PATH`` also writes the steering-committee workbook.  Errors print one line in
Vietnamese and English and exit with a non-zero code, never a traceback.

The main application mounts it with ``app.add_typer(coverage_app, name="coverage")``;
``engine_errors`` and ``ensure_coverage`` are shared with ``targets``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from baophu.commands.common import (
    columns_table,
    console,
    fail,
    fmt_int,
    fmt_pct,
    parse_date,
    print_json,
    table_of,
    workspace_store,
)
from baophu.commands.options import DateOpt, JsonOpt, WorkspaceOpt
from baophu.vn import formats

if TYPE_CHECKING:
    from baophu.backends import Store

coverage_app = typer.Typer(
    help=(
        "Tỷ lệ bao phủ BHYT, BHXH, BHTN theo đơn vị tại một ngày. / Coverage of health, "
        "social and unemployment insurance by unit on a date."
    ),
    add_completion=False,
    pretty_exceptions_enable=False,
)

LEVEL_CHOICES = ("province", "office", "commune", "hamlet")

# Columns printed in the table (the JSON has every column of coverage_by_unit).
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("unit_code", "Mã đơn vị", "text"),
    ("unit_name", "Tên đơn vị", "text"),
    ("population", "Dân số", "int"),
    ("bhyt_insured", "Tham gia BHYT", "int"),
    ("bhyt_rate", "Tỷ lệ BHYT", "pct"),
    ("labour_force", "Lực lượng lao động", "int"),
    ("bhxh_participants", "Tham gia BHXH", "int"),
    ("bhxh_rate", "Tỷ lệ BHXH", "pct"),
    ("bhtn_participants", "Tham gia BHTN", "int"),
    ("bhtn_rate", "Tỷ lệ BHTN", "pct"),
    ("compulsory_required", "Thuộc diện BHXH BB", "int"),
    ("compulsory_participants_workplace", "Tham gia BHXH BB", "int"),
    ("voluntary_pool", "Diện BHXH TN", "int"),
    ("voluntary_participants", "Tham gia BHXH TN", "int"),
)


def engine_errors() -> tuple[type[BaseException], ...]:
    from baophu.engine.coverage import CoverageError
    from baophu.engine.targets import TargetsError

    return (CoverageError, TargetsError, ValueError, KeyError)


def ensure_coverage(store: Store, day: dt.date | None, workspace: Path, recompute: bool) -> dt.date:
    """Compute the coverage marts for ``day`` unless fresh ones are there; return the date.
    (An imported ``labour_force`` table changes the import state, so the marts are stale.)"""
    from baophu.engine.coverage import run_coverage
    from baophu.engine.targets import coverage_now

    if recompute:
        summary = run_coverage(store, day)
        return dt.date.fromisoformat(summary["reference_date"])
    _, when = coverage_now(store, day, None)
    return when


def coverage_rows(store: Store, level: str, unit: str | None = None) -> list[dict[str, Any]]:
    from baophu.engine.coverage import MART_BY_UNIT

    t = store.read_mart(MART_BY_UNIT)
    t = t.filter(t.level == level)
    if unit:
        t = t.filter((t.unit_code == unit) | (t.parent_code == unit))
    return t.order_by("unit_code").to_pyarrow().to_pylist()


@coverage_app.callback(invoke_without_command=True)
def coverage(
    date: DateOpt = None,
    level: Annotated[
        str, typer.Option("--level", help="province | office | commune | hamlet")
    ] = "commune",
    unit: Annotated[
        str | None, typer.Option("--unit", help="Một đơn vị và các đơn vị trực thuộc / one unit")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    workbook: Annotated[
        Path | None,
        typer.Option(
            "--workbook", help="Ghi sổ Excel họp Ban Chỉ đạo / write the meeting workbook"
        ),
    ] = None,
    recompute: Annotated[
        bool, typer.Option("--recompute", help="Tính lại dù đã có / recompute the marts")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Bao phủ theo đơn vị tại một ngày / coverage by unit on a date."""
    if level not in LEVEL_CHOICES:
        fail(
            f"Cấp không hợp lệ: {level}; dùng {', '.join(LEVEL_CHOICES)} / "
            f"unknown level {level!r}; use {', '.join(LEVEL_CHOICES)}",
            2,
        )
    day = parse_date(date)
    with workspace_store(workspace, engine_errors()) as store:
        when = ensure_coverage(store, day, workspace, recompute)
        rows = coverage_rows(store, level, unit)
        written = None
        if workbook is not None:
            from baophu.reports.meeting_workbook import write_meeting_workbook

            written = write_meeting_workbook(store, workbook)
    if json_out:
        print_json(rows)
        return
    print_coverage(rows, level, when)
    if written is not None:
        console.print(f"Sổ họp Ban Chỉ đạo / meeting workbook: [bold]{written}[/]")


def print_coverage(rows: list[dict[str, Any]], level: str, when: dt.date) -> None:
    from baophu.engine.units import LEVEL_VI

    title = f"Bao phủ BHYT, BHXH, BHTN — {LEVEL_VI.get(level, level)} — {when:%d/%m/%Y}"
    console.print(columns_table(title, TABLE_COLUMNS, rows))
    if rows and level == "province":
        r = rows[0]
        console.print(
            "Ngoài tỉnh tham gia tại tỉnh / non-residents insured here: "
            f"{fmt_int(r.get('bhyt_insured_nonresident'))}; cư dân tham gia tỉnh khác / "
            f"residents insured elsewhere: {fmt_int(r.get('residents_insured_elsewhere'))}; "
            f"lực lượng lao động / labour force: {r.get('labour_force_source')}"
        )


def print_demo_summary(summary: dict[str, Any], out: Console | None = None) -> None:
    """Print ``run_coverage``'s summary: the province against its targets (gap, pace per week
    and per day to 31 December) and the five communes with the lowest BHYT rate."""
    out = out or console
    when = formats.date(summary["reference_date"])
    table = table_of(
        f"{summary['province_name']} — chỉ tiêu năm {summary['targets_year']} — số liệu đến {when}",
        (
            "Chỉ tiêu",
            "Chỉ tiêu giao",
            "Đã đạt",
            "Tỷ lệ đạt",
            "Còn thiếu (người)",
            "Cần mỗi tuần",
            "Cần mỗi ngày",
        ),
        left=("Chỉ tiêu",),
    )
    for t in summary["targets"]:
        goal = (
            f"{fmt_pct(t['target_rate'])} ({fmt_int(t['target_people'])})"
            if t["target_rate"] is not None
            else fmt_int(t["target_people"])
        )
        table.add_row(
            t["name_vi"],
            goal,
            fmt_int(t["achieved"]),
            fmt_pct(t["achieved_rate"]),
            fmt_int(t["gap"]),
            fmt_int(t["needed_per_week"]),
            fmt_int(t["needed_per_day"]),
        )
    out.print(table)
    low = table_of(
        "5 xã, phường có tỷ lệ bao phủ BHYT thấp nhất",
        ("Mã", "Tên xã, phường", "Dân số", "Tham gia BHYT", "Tỷ lệ BHYT"),
        left=("Mã", "Tên xã, phường"),
    )
    for c in summary["lowest_communes"]:
        low.add_row(
            c["unit_code"],
            c["unit_name"],
            fmt_int(c["population"]),
            fmt_int(c["bhyt_insured"]),
            fmt_pct(c["bhyt_rate"]),
        )
    out.print(low)
