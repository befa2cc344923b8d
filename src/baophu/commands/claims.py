"""``baophu claims …``: BHYT spending against the estimate, the review list of flagged claims,
reviewers' outcomes, and the Health department's monthly workbook.

Thin: it runs the declared pipeline up to the ``claims`` step (with the review outcomes of
the operational database), reads the claims marts and prints Rich tables with Vietnamese
headers, or JSON with ``--json``.  Personal IDs and card numbers are masked (last 4 digits).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from baophu.commands.common import (
    console,
    fail,
    failing_on,
    fmt,
    fmt_pct,
    open_workspace,
    operational_db,
    parse_date,
    print_json,
)
from baophu.commands.options import DateOpt, JsonOpt, WorkspaceOpt
from baophu.vn import formats
from baophu.vn.masking import mask_value

if TYPE_CHECKING:
    from baophu.backends import Store
    from baophu.workspace import Workspace

claims_app = typer.Typer(
    help=(
        "Chi khám bệnh, chữa bệnh BHYT: dự toán, giám định, danh sách rà soát. / BHYT "
        "spending: estimate, claim checks, review list."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _require(store: Store) -> None:
    from baophu.engine.claims import MART_ESTIMATE_SUMMARY

    if not store.has_mart(MART_ESTIMATE_SUMMARY):
        fail(
            "Chưa tính chi KCB BHYT: chạy `baophu claims run` trước",
            "claims not computed: run `baophu claims run` first",
        )


def estimate_summary(store: Store) -> dict[str, Any]:
    from baophu.engine.claims import MART_ESTIMATE_SUMMARY

    rows = store.read_mart(MART_ESTIMATE_SUMMARY).to_pyarrow().to_pylist()
    return rows[0] if rows else {}


def review_rows(store: Store, limit: int, facility: str | None = None) -> list[dict[str, Any]]:
    """The top of the review list (IDs and card numbers masked)."""
    from baophu.engine.claims import MART_REVIEW

    t = store.read_mart(MART_REVIEW)
    if facility:
        t = t.filter(t.facility_code == facility).order_by("rank_facility")
    else:
        t = t.order_by("rank_province")
    rows = t.limit(limit).to_pyarrow().to_pylist()
    for r in rows:
        r["person_id"] = mask_value(r["person_id"]) if r["person_id"] else None
        r["card_number"] = mask_value(r["card_number"]) if r["card_number"] else None
    return rows


@claims_app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Tệp XML, tệp trích xuất hoặc thư mục")],
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Nhập hồ sơ KCB BHYT / import claims (the Ministry's XML files or monthly extracts):
    the same all-or-nothing import as ``baophu import``, its rejects file included."""
    from baophu.commands.common import progress_bar
    from baophu.ingest.importer import import_paths

    ws = open_workspace(workspace)
    with ws.store() as store, progress_bar(not json_out) as update:
        result = import_paths(store, paths, ws.rejects_dir, progress=update)
    if json_out:
        print_json(result.as_dict())
    else:
        t = Table(title=f"Lần nhập / import batch {result.batch_id}")
        for h in ("Tệp / file", "Bảng / table", "Nhập / imported", "Loại / rejected"):
            t.add_column(h)
        for f in result.files:
            t.add_row(Path(f.path).name, f.table, fmt(f.rows_imported), fmt(f.rows_rejected))
        console.print(t)
    if not result.committed:
        fail(
            f"Không nhập gì: {result.error_vi or result.error}",
            f"nothing imported: {result.error_en or result.error}",
        )


@claims_app.command("run")
def run_cmd(
    workspace: WorkspaceOpt = Path("."), date: DateOpt = None, json_out: JsonOpt = False
) -> None:
    """Tính chi KCB BHYT / the pipeline's claims step (when stale; it uses no other step)."""
    from baophu.commands.run import operational_inputs
    from baophu.engine.pipeline import Inputs, PipelineError, run_pipeline

    ws = open_workspace(workspace)
    manual, outcomes, due, reviews = operational_inputs(ws)
    with ws.store() as store:
        with failing_on((PipelineError, ValueError)):
            results = run_pipeline(
                store,
                Inputs(
                    reference_date=parse_date(date),
                    manual_targets=manual,
                    field_outcomes=outcomes,
                    claim_outcomes=reviews,
                    due_days=due,
                ),
                until="claims",
                only=("claims",),
            )
        summary = estimate_summary(store)
        top = review_rows(store, 10)
    claims_result = next((r for r in results if r.step == "claims"), None)
    warnings = claims_result.warnings if claims_result else []
    _audit(ws, "claims_review_list", len(top), None)
    if json_out:
        print_json({"status": claims_result.status if claims_result else None,
                    "warnings": warnings, "estimate": summary, "review_top": top})  # fmt: skip
        return
    for warning in warnings:
        console.print(f"[yellow]{warning}[/yellow]")
    print_estimate(summary)
    print_review(top)


@claims_app.command("estimate")
def estimate_cmd(workspace: WorkspaceOpt = Path("."), json_out: JsonOpt = False) -> None:
    """Sử dụng dự toán, dự báo đến 31/12 / use of the estimate and the projection."""
    from baophu.engine.claims import MART_ESTIMATE, MART_FACILITY_ESTIMATE

    ws = open_workspace(workspace)
    with ws.store() as store:
        _require(store)
        summary = estimate_summary(store)
        months = store.read_mart(MART_ESTIMATE).order_by("month").to_pyarrow().to_pylist()
        fac = store.read_mart(MART_FACILITY_ESTIMATE).order_by("rank").limit(10)
        facilities = fac.to_pyarrow().to_pylist()
    if json_out:
        print_json({"summary": summary, "months": months, "facilities": facilities})
        return
    print_estimate(summary)
    t = Table(title="Theo tháng / by month")
    for h in ("Tháng", "Chi", "Lũy kế", "Dự toán theo mùa", "Dự báo lũy kế", "Khoảng dự báo"):
        t.add_column(h, justify="right")
    for m in months:
        band = ""
        if not m["actual"] and m["projected_low"] is not None:
            band = (
                f"{formats.millions(m['projected_low'])} – {formats.millions(m['projected_high'])}"
            )
        t.add_row(
            f"{m['month']:02d}/{m['year']}",
            formats.millions(m["spent"]) if m["spent"] is not None else "",
            formats.millions(m["spent_cum"]) if m["spent_cum"] is not None else "",
            formats.millions(m["prorated_estimate"]) if m["prorated_estimate"] else "",
            formats.millions(m["projected_cum"]) if m["projected_cum"] is not None else "",
            band,
        )
    console.print(t)
    f = Table(title="Cơ sở sử dụng dự kiến chi cao nhất / facilities by use of expected spending")
    for h in ("Hạng", "Cơ sở", "Tuyến", "Đã chi", "Dự kiến chi", "Sử dụng", "So với tiến độ"):
        f.add_column(h)
    for r in facilities:
        f.add_row(str(r["rank"]), r["facility_code"], r["level"] or "", fmt(r["spent_ytd"]),
                  fmt(r["expected"]), fmt_pct(r["use"]), fmt_pct(r["use_prorated"]))  # fmt: skip
    console.print(f)


@claims_app.command("review")
def review_cmd(
    workspace: WorkspaceOpt = Path("."),
    facility: Annotated[
        str | None, typer.Option("--facility", help="Mã cơ sở KCB / facility (MA_CSKCB)")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Số hồ sơ / rows")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """Danh sách hồ sơ cần rà soát / the ranked review list (province or one facility)."""
    ws = open_workspace(workspace)
    with ws.store() as store:
        _require(store)
        rows = review_rows(store, limit, facility)
    _audit(ws, "claims_review_list", len(rows), facility)
    if json_out:
        print_json(rows)
        return
    print_review(rows)


@claims_app.command("record")
def record_cmd(
    facility: Annotated[str, typer.Argument(help="Mã cơ sở KCB / facility (MA_CSKCB)")],
    claim: Annotated[str, typer.Argument(help="Mã liên kết / claim (MA_LK)")],
    outcome: Annotated[str, typer.Option("--outcome", help="accepted | refused | recovered")],
    amount: Annotated[
        int | None, typer.Option("--amount", help="Số tiền từ chối / thu hồi (VND)")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Người giám định / reviewer")] = "cli",
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Ghi kết quả giám định một hồ sơ / record a reviewer's outcome on a flagged claim."""
    from baophu.operational.claim_reviews import ClaimReviewError, record_claim_review

    with operational_db(workspace, (ClaimReviewError,), code=2) as db:
        result = record_claim_review(db, facility, claim, outcome, by, amount=amount)
    if json_out:
        print_json(result)
        return
    console.print(
        f"Đã ghi / recorded: {facility}/{claim} → {outcome}"
        + (f", {fmt(amount)} đồng" if result["amount"] else "")
        + " (chạy `baophu claims run` để cập nhật số chi / run it to update spending)"
    )


@claims_app.command("workbook")
def workbook_cmd(
    out: Annotated[Path, typer.Option("--out", help="Tệp .xlsx / output file")],
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Sổ chi KCB BHYT hằng tháng gửi Sở Y tế / the Health department's monthly workbook."""
    from baophu.reports.claims_workbook import write_claims_workbook

    ws = open_workspace(workspace)
    with ws.store() as store:
        _require(store)
        path = write_claims_workbook(store, out)
    _audit(ws, "claims_workbook", 1, None, action="export")
    if json_out:
        print_json({"path": str(path)})
        return
    console.print(f"Đã ghi / written: [bold]{path}[/]")


def _audit(ws: Workspace, obj: str, rows: int, facility: str | None, action: str = "view") -> None:
    from baophu.operational.db import OperationalError, open_operational

    try:
        db = open_operational(ws)
    except OperationalError:
        return
    try:
        db.audit("cli", action, obj, rows=rows, unit_code=facility)
    finally:
        db.dispose()


def print_estimate(s: dict[str, Any]) -> None:
    if not s:
        console.print("Chưa có số liệu chi / no spending figures")
        return
    t = Table(title=f"Sử dụng dự toán chi KCB BHYT năm {s['year']} / use of the estimate")
    t.add_column("Chỉ tiêu")
    t.add_column("Giá trị", justify="right")
    month = s["runs_out_month"]
    rows = [
        ("Dự toán (lần điều chỉnh)", f"{formats.millions(s['estimate'])} ({s['revision']})"
         if s["estimate"] else "chưa có"),
        (f"Đã chi đến tháng {s['reference_month']}", formats.millions(s["spent_ytd"])),
        ("Tỷ lệ sử dụng dự toán năm", fmt_pct(s["use_annual"])),
        ("Dự toán theo tiến độ (hồ sơ mùa vụ)", formats.millions(s["prorated_estimate"])
         if s["prorated_estimate"] else ""),
        ("Tỷ lệ so với tiến độ", fmt_pct(s["use_prorated"])),
        ("Dự báo chi cả năm", formats.millions(s["projected_year_end"])
         if s["projected_year_end"] is not None else ""),
        ("Khoảng dự báo (90%)", f"{formats.millions(s['projected_low'])} – "
         f"{formats.millions(s['projected_high'])}" if s["projected_low"] is not None else ""),
        ("Dự báo so với dự toán", fmt_pct(s["projected_use"])),
        ("Tháng hết dự toán", f"{month:02d}/{s['year']}" if month else "không hết trong năm"),
    ]  # fmt: skip
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)
    console.print("(triệu đồng / million VND)")


def print_review(rows: list[dict[str, Any]]) -> None:
    from baophu.engine.claims import FLAG_TITLES_VI

    t = Table(title="Hồ sơ cần rà soát / review list")
    for h in ("Hạng", "Cơ sở", "Mã LK", "Người bệnh", "CCCD", "Quy tắc", "Số tiền nghi vấn"):
        t.add_column(h)
    for r in rows:
        t.add_row(str(r["rank_province"]), r["facility_code"], r["claim_code"],
                  r["full_name"] or "", r["person_id"] or "",
                  "; ".join(FLAG_TITLES_VI.get(c, c) for c in r["rules"].split(";")),
                  fmt(r["amount_at_stake"]))  # fmt: skip
    console.print(t)
