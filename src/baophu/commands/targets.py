"""``baophu targets …``: set, allocate and track targets; the campaign view.

* ``set`` — a target set by hand for a unit (or a collection agent, or an office's case
  officers' parent), kept in the operational database (``manual_targets``, shared with the
  web application); it overrides the imported target of the same year, unit and indicator;
* ``allocate`` — split a target down the hierarchy (``targets_allocated``);
* ``progress`` — achievement, gap, pace, ranks and the lowest units (``achievement_by_unit``,
  ``targets_phased`` for monthly and weekly targets);
* ``campaign`` — day-by-day progress of a campaign (``campaign_progress``).

Owns the command-line face of ``baophu.engine.targets.run`` and nothing else.  The main
application mounts it with ``app.add_typer(targets_app, name="targets")``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from baophu.commands import common
from baophu.commands.common import (
    columns_table,
    console,
    fail,
    fmt_int,
    fmt_pct,
    open_workspace,
    parse_date,
    print_json,
    table_of,
    workspace_store,
)
from baophu.commands.coverage import engine_errors
from baophu.commands.options import DateOpt, JsonOpt, WorkspaceOpt
from baophu.vn import formats

if TYPE_CHECKING:
    from baophu.backends import Store

targets_app = typer.Typer(
    help=(
        "Chỉ tiêu: giao, phân bổ, theo dõi tiến độ, chiến dịch. / Targets: set, allocate, "
        "track progress, campaigns."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

IndicatorOpt = Annotated[
    str,
    typer.Option(
        "--indicator",
        help="bhyt_rate | bhxh_rate | bhtn_rate | compulsory_participants | "
        "voluntary_participants | bhtn_participants | bhyt_insured",
    ),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="Năm chỉ tiêu / target year")]


# ------------------------------------------------------------------- targets set by hand


@contextmanager
def operational_db(workspace: Path) -> Iterator[Any]:
    """The workspace's operational database (where targets set by hand live), with the
    targets of the former ``manual_targets.json`` moved in; a missing workspace or an
    unreachable database exits with a clear message."""
    from baophu.operational.manual_targets import import_legacy_file

    ws = open_workspace(workspace)
    with common.operational_db(ws) as db:
        import_legacy_file(db, ws.root)
        yield db


def _cli_user() -> str:
    """Who runs the command (recorded with a target set by hand)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:{os.environ.get('USER', 'unknown')}"


def read_manual(workspace: Path) -> Any:
    """The hand-set targets of the workspace as an Arrow table (None when there are none)."""
    from baophu.operational.manual_targets import manual_targets_table

    with operational_db(workspace) as db:
        return manual_targets_table(db)


def parse_value(text: str, is_rate: bool) -> float:
    """``96%``, ``0,96``, ``0.96`` (rates; a bare number above 1 is a percentage), or
    ``1.115.590`` / ``1115590`` people (``operational.target_values``)."""
    from baophu.operational.target_values import (
        TargetValueError,
        UnitFigures,
        parse_target_value,
        validated_target,
    )

    with common.failing_on((TargetValueError,), 2):
        validated_target(text, is_rate=is_rate, denominator=None, figures=UnitFigures())
        return parse_target_value(text, is_rate)


def _check_indicator(name: str) -> Any:
    from baophu.engine.targets import INDICATORS

    if name not in INDICATORS:
        fail(
            f"Chỉ tiêu không hợp lệ: {name}; dùng {', '.join(INDICATORS)} / unknown indicator "
            f"{name!r}",
            2,
        )
    return INDICATORS[name]


# ------------------------------------------------------------------------------ set


def _unit_figures(store: Any, unit: str, ind: Any) -> Any:
    """The unit's population and current figures (the bound on a target set by hand)."""
    from baophu.operational.target_values import UnitFigures, figures_from_row

    try:
        t = store.mart("coverage_by_unit")
        rows = t.filter(t.unit_code == unit).limit(1).to_pyarrow().to_pylist()
    except Exception:  # coverage not computed yet: no bound
        return UnitFigures()
    return figures_from_row(rows[0] if rows else None, ind.numerator, ind.denominator)


@targets_app.command("set")
def set_target(
    year: Annotated[int, typer.Option("--year", help="Năm / year")],
    unit: Annotated[str, typer.Option("--unit", help="Mã đơn vị / unit, agent or office code")],
    indicator_name: IndicatorOpt,
    value: Annotated[str, typer.Option("--value", help="96% | 0,96 | 1.115.590")],
    denominator: Annotated[
        int | None, typer.Option("--denominator", help="Mẫu số chính thức / official base")
    ] = None,
    source: Annotated[str, typer.Option("--source", help="Căn cứ / source")] = "",
    remove: Annotated[bool, typer.Option("--remove", help="Xoá chỉ tiêu này / remove it")] = False,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Giao chỉ tiêu bằng tay / set a target by hand (operational database)."""
    ind = _check_indicator(indicator_name)
    target_value = 0.0 if remove else parse_value(value, ind.is_rate)
    with workspace_store(workspace) as store:
        known = set()
        for table, column in (
            ("units", "unit_code"),
            ("agents", "agent_code"),
            ("officers", "officer_code"),
        ):
            t = store.table(table)
            hit = t.filter(t[column] == unit).count().to_pyarrow().as_py()
            if hit:
                known.add(table)
        figures = _unit_figures(store, unit, ind) if "units" in known else None
    if not known:
        fail(f"Không có đơn vị {unit} / unknown unit, agent or office {unit}", 2)
    if not remove:
        from baophu.operational.target_values import (
            TargetValueError,
            UnitFigures,
            validated_target,
        )

        # the same checks as the web form (operational.target_values)
        with common.failing_on((TargetValueError,), 2):
            target_value, denominator = validated_target(
                value,
                is_rate=ind.is_rate,
                denominator=denominator,
                figures=figures or UnitFigures(),
                unit_code=unit,
            )
    from baophu.operational.manual_targets import (
        manual_target_rows,
        remove_manual_target,
        set_manual_target,
    )

    source = source or f"Giao bằng tay {dt.date.today().isoformat()}"
    entry: dict[str, Any] = {
        "year": year,
        "unit_code": unit,
        "indicator": indicator_name,
        "target_value": target_value,
        "denominator": denominator,
        "source": source,
    }
    with operational_db(workspace) as db:
        if remove:
            remove_manual_target(db, year, unit, indicator_name)
        else:
            entry = set_manual_target(
                db,
                year=year,
                unit_code=unit,
                indicator=indicator_name,
                target_value=target_value,
                denominator=denominator,
                source=source,
                set_by=_cli_user(),
            )
        count = len(manual_target_rows(db))
        where = db.engine.url.render_as_string(hide_password=True)
    if json_out:
        print_json({"database": where, "removed": remove, "target": entry, "targets": count})
        return
    shown = fmt_pct(target_value) if ind.is_rate else fmt_int(target_value)
    verb = "Đã xoá / removed" if remove else "Đã giao / set"
    console.print(f"{verb}: {ind.vi} {year} — {unit}: [bold]{shown}[/] ({where})")


# ------------------------------------------------------------------------- allocate


@targets_app.command("allocate")
def allocate_cmd(
    indicator_name: IndicatorOpt = "bhyt_rate",
    year: YearOpt = None,
    method: Annotated[
        str, typer.Option("--method", help="uncovered | uplift | last_year | weights")
    ] = "uncovered",
    hierarchy: Annotated[
        str, typer.Option("--hierarchy", help="units | agents | officers")
    ] = "units",
    root: Annotated[
        str | None, typer.Option("--root", help="Đơn vị cấp trên / parent (default: province)")
    ] = None,
    to_level: Annotated[
        str, typer.Option("--to-level", help="Phân bổ đến cấp / down to level")
    ] = "hamlet",
    weights: Annotated[Path | None, typer.Option("--weights", help="CSV unit_code,weight")] = None,
    allow_below_achieved: Annotated[
        bool,
        typer.Option("--allow-below-achieved", help="Cho phép thấp hơn đã đạt / allow below"),
    ] = False,
    show_level: Annotated[
        str | None, typer.Option("--level", help="Cấp hiển thị / level to print")
    ] = None,
    date: DateOpt = None,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Phân bổ chỉ tiêu xuống cấp dưới / allocate a target down the hierarchy."""
    from baophu.engine.targets import run_allocation

    ind = _check_indicator(indicator_name)
    day = parse_date(date)
    weights_table = _read_weights(weights) if weights is not None else None
    with workspace_store(workspace, engine_errors()) as store:
        result = run_allocation(
            store,
            year,
            indicator_name,
            method=method,
            hierarchy=hierarchy,
            root=root,
            to_level=to_level,
            allow_below_achieved=allow_below_achieved,
            weights=weights_table,
            manual=read_manual(workspace),
            reference_date=day,
        )
    if json_out:
        print_json(result)
        return
    rows = result["rows"]
    level = show_level or (rows[0]["level"] if rows else None)
    shown = [r for r in rows if r["level"] == level] if level else rows
    table = table_of(
        f"Phân bổ chỉ tiêu {ind.vi} năm {result['year']} — {result['method']} — "
        f"từ {result['root']} ({fmt_int(result['root_target'])} người)",
        (
            "Đơn vị cấp trên",
            "Mã đơn vị",
            "Tên đơn vị",
            "Đã đạt",
            "Trọng số",
            "Chỉ tiêu (người)",
            "Chỉ tiêu (tỷ lệ)",
            "Giữ mức đã đạt",
        ),
        left=("Mã đơn vị", "Tên đơn vị"),
    )
    for r in shown:
        table.add_row(
            r["parent_code"] or "",
            r["unit_code"],
            r.get("unit_name") or "",
            fmt_int(r["achieved"]),
            formats.number(r["weight"], 1),
            fmt_int(r["target_people"]),
            fmt_pct(r.get("target_rate")),
            "✓" if r["at_floor"] else "",
        )
    console.print(table)
    if result["short_parents"]:
        console.print(
            "[yellow]Đã đạt vượt chỉ tiêu cấp trên, giữ mức đã đạt / children already exceed "
            f"the parent's target:[/] {', '.join(result['short_parents'][:10])}"
        )


def _read_weights(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not path.exists():
        fail(f"Không có tệp / no such file: {path}", 2)
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={"unit_code": pa.string(), "weight": pa.float64()}
            ),
        )
        return table.select(["unit_code", "weight"])
    except (pa.ArrowInvalid, KeyError) as exc:
        fail(f"{path}: cần cột unit_code, weight / needs columns unit_code, weight ({exc})", 2)


# ------------------------------------------------------------------------- progress

PROGRESS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rank", "Hạng", "int"),
    ("unit_code", "Mã đơn vị", "text"),
    ("unit_name", "Tên đơn vị", "text"),
    ("target_people", "Chỉ tiêu (người)", "int"),
    ("achieved", "Đã đạt", "int"),
    ("achievement_ratio", "Tỷ lệ hoàn thành", "pct"),
    ("gap", "Còn thiếu", "int"),
    ("behind_plan", "Chậm so với kế hoạch", "int"),
    ("needed_per_week", "Cần mỗi tuần", "int"),
    ("needed_per_day", "Cần mỗi ngày", "int"),
)


@targets_app.command("progress")
def progress_cmd(
    indicator_name: Annotated[
        str | None, typer.Option("--indicator", help="Chỉ tiêu / indicator (default: all)")
    ] = None,
    year: YearOpt = None,
    level: Annotated[str, typer.Option("--level", help="Cấp / level")] = "commune",
    hierarchy: Annotated[
        str, typer.Option("--hierarchy", help="units | agents | officers")
    ] = "units",
    lowest: Annotated[int, typer.Option("--lowest", help="Số đơn vị thấp nhất / lowest N")] = 5,
    lowest_only: Annotated[
        bool, typer.Option("--lowest-only", help="Chỉ danh sách thấp nhất / only the lowest")
    ] = False,
    period: Annotated[
        str | None, typer.Option("--period", help="month | week: chỉ tiêu theo kỳ / phased")
    ] = None,
    date: DateOpt = None,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Tiến độ thực hiện chỉ tiêu, xếp hạng / achievement, ranking, lowest achievers."""
    from baophu.engine.targets import progress_rows, run_progress

    if indicator_name is not None:
        _check_indicator(indicator_name)
    if period not in (None, "month", "week"):
        fail(f"Kỳ không hợp lệ: {period} (month | week) / invalid period {period!r}", 2)
    day = parse_date(date)
    with workspace_store(workspace, engine_errors()) as store:
        summary = run_progress(store, year, day, manual=read_manual(workspace), lowest=lowest)
        rows = progress_rows(store, indicator_name, level, hierarchy)
        phased = _phased(store, indicator_name, level, hierarchy, period) if period else []
    if lowest_only:
        rows = [r for r in rows if r["is_lowest"]]
    if json_out:
        print_json({"summary": summary, "rows": rows, "phased": phased})
        return
    from baophu.engine.targets import INDICATORS

    names = sorted({r["indicator"] for r in rows})
    if not names:
        console.print(
            f"Không có chỉ tiêu ở cấp {level} / no targets at level {level} "
            "(baophu targets allocate …)"
        )
    for name in names:
        sub = [r for r in rows if r["indicator"] == name]
        title = (
            f"{INDICATORS[name].vi} năm {summary['year']} — cấp {level} — đến ngày "
            f"{dt.date.fromisoformat(summary['reference_date']).strftime('%d/%m/%Y')}"
        )
        lowest_in_red = columns_table(
            title, PROGRESS_COLUMNS, sub, style=lambda r: "red" if r["is_lowest"] else None
        )
        console.print(lowest_in_red)
    if phased:
        _print_phased(phased, period or "month")


def _phased(
    store: Store, name: str | None, level: str, hierarchy: str, period: str
) -> list[dict[str, Any]]:
    from baophu.engine.targets import MART_PHASED

    t = store.read_mart(MART_PHASED)
    t = t.filter((t.level == level) & (t.hierarchy == hierarchy) & (t.period == period))
    if name:
        t = t.filter(t.indicator == name)
    return t.order_by(["indicator", "unit_code", "period_index"]).to_pyarrow().to_pylist()


def _print_phased(rows: list[dict[str, Any]], period: str) -> None:
    label = "tháng" if period == "month" else "tuần"
    table = table_of(
        f"Chỉ tiêu theo {label} / {period}ly targets",
        ("Chỉ tiêu", "Mã đơn vị", f"Kỳ ({label})", "Đến ngày", "Luỹ kế", "Tăng thêm"),
        right=("Luỹ kế", "Tăng thêm"),
    )
    for r in rows:
        table.add_row(
            r["indicator"],
            r["unit_code"],
            str(r["period_index"]),
            formats.date(r["period_end"]),
            fmt_int(r["cumulative_target"]),
            fmt_int(r["increment"]),
        )
    console.print(table)


# ------------------------------------------------------------------------- campaign


@targets_app.command("campaign")
def campaign_cmd(
    start: Annotated[
        str, typer.Option("--start", help="Ngày bắt đầu / first day (YYYY-MM-DD)")
    ] = "2025-12-04",
    days: Annotated[int, typer.Option("--days", help="Số ngày / number of days")] = 20,
    indicator_names: Annotated[
        list[str] | None, typer.Option("--indicator", help="Chỉ tiêu (lặp lại) / repeatable")
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help="Chỉ tiêu tỉnh khi chưa có: bhyt_rate=95% / fallback"),
    ] = None,
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Chiến dịch: tiến độ từng ngày so với yêu cầu / a campaign's daily progress."""
    from baophu.engine.targets import MART_CAMPAIGN, run_campaign

    first = parse_date(start)
    names = indicator_names or ["bhyt_rate", "bhxh_rate", "bhtn_rate"]
    for name in names:
        _check_indicator(name)
    values: dict[str, float] = {}
    for item in target or []:
        if "=" not in item:
            fail(f"--target cần dạng chỉ_tiêu=giá_trị / needs indicator=value: {item}", 2)
        name, text = item.split("=", 1)
        values[name] = parse_value(text, _check_indicator(name).is_rate)
    with workspace_store(workspace, engine_errors()) as store:
        summary = run_campaign(
            store,
            first,
            days,
            names,
            year=year,
            manual=read_manual(workspace),
            target_values=values,
        )

        t = store.read_mart(MART_CAMPAIGN)
        rows = t.order_by(["indicator", "level", "unit_code", "day"]).to_pyarrow().to_pylist()
    if json_out:
        print_json({"summary": summary, "rows": rows})
        return
    from baophu.engine.targets import INDICATORS

    for name in sorted({r["indicator"] for r in rows}):
        sub = [r for r in rows if r["indicator"] == name and r["level"] == "province"]
        if not sub:
            continue
        table = table_of(
            f"Chiến dịch {days} ngày từ {first.strftime('%d/%m/%Y')} — {INDICATORS[name].vi} "
            f"— chỉ tiêu {fmt_int(sub[0]['target_people'])} người",
            (
                "Ngày",
                "Đã đạt",
                "Tỷ lệ",
                "Yêu cầu đến ngày",
                "Vượt (+)/thiếu (−)",
                "Còn thiếu",
                "Cần mỗi ngày",
            ),
            left=("Ngày",),
        )
        for r in sub:
            rate = r["achieved"] / r["denominator"] if r["denominator"] else None
            table.add_row(
                formats.date(r["day"]),
                fmt_int(r["achieved"]),
                fmt_pct(rate),
                fmt_int(r["needed_by_day"]),
                fmt_int(r["ahead"]),
                fmt_int(r["still_needed"]),
                fmt_int(r["needed_per_day"]),
                style="red" if r["ahead"] < 0 else None,
            )
        console.print(table)
    if summary["missing_targets"]:
        console.print(
            "[yellow]Chưa có chỉ tiêu tỉnh / no province target for:[/] "
            + ", ".join(summary["missing_targets"])
            + " (--target chỉ_tiêu=giá_trị)"
        )
