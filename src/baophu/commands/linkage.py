"""``baophu link``: link school rosters and household lists to the population register.

Owns the command-line face of ``baophu.engine.linkage.run``: ``baophu link`` runs both
stages (personal ID, then the Splink model) for one list or all, with a progress bar, and
prints the counts (linked by ID / linked by the model / review / unlinked) or, with
``--json``, the counts, timings and model; ``baophu link review`` lists the pairs a person
must decide, both records side by side with the explanation.  Personal IDs are masked to
their last four digits in everything this command prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from baophu.commands.common import (
    activity_of,
    console,
    fail,
    failing_on,
    fmt,
    fmt_int,
    open_workspace,
    print_json,
    progress_bar,
)
from baophu.commands.options import JsonOpt, WorkspaceOpt

link_app = typer.Typer(
    help=(
        "Liên kết danh sách học sinh, danh sách hộ với dữ liệu dân cư. / Link school rosters "
        "and household lists to the population register."
    ),
    add_completion=False,
    pretty_exceptions_enable=False,
)

SOURCE_CHOICES = ("school_rosters", "household_classifications", "all")
SOURCE_VI = {
    "school_rosters": "Danh sách học sinh, sinh viên",
    "household_classifications": "Danh sách hộ",
}
COUNT_COLUMNS = (
    ("linked_exact", "Khớp số định danh"),
    ("linked_probabilistic", "Khớp theo mô hình"),
    ("review", "Cần xem xét"),
    ("unlinked", "Không liên kết"),
    ("rows", "Tổng số dòng"),
)
SEX_VI = {"male": "Nam", "female": "Nữ"}


def _store(workspace: Path) -> Any:
    return open_workspace(workspace).store()


@link_app.callback(invoke_without_command=True)
def link(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--source", help="school_rosters | household_classifications | all (mặc định)"
        ),
    ] = "all",
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Liên kết với dữ liệu dân cư / link lists to the register (ID, then Splink)."""
    if ctx.invoked_subcommand is not None:
        return
    if source not in SOURCE_CHOICES:
        fail(
            f"Danh sách không hợp lệ: {source}; dùng {', '.join(SOURCE_CHOICES)} / "
            f"unknown list {source!r}; use {', '.join(SOURCE_CHOICES)}",
            2,
        )
    from baophu.engine.linkage import LinkageError, run_linkage

    sources = None if source == "all" else [source]
    with (
        _store(workspace) as store,
        progress_bar(not json_out, activity_of(store)) as progress,
        failing_on((LinkageError, KeyError, ValueError)),
    ):
        result = run_linkage(store, sources, progress=progress)
    if json_out:
        print_json(result)
        return
    print_counts(result["counts"])
    reviews = sum(c["review"] for c in result["counts"].values())
    if reviews:
        console.print(
            f"{fmt_int(reviews)} cặp cần xem xét: [bold]baophu link review -w {workspace}[/] / "
            "pairs to review"
        )


def print_counts(counts: dict[str, dict[str, int]]) -> None:
    table = Table(title="Liên kết với dữ liệu dân cư / linkage to the register")
    table.add_column("Danh sách")
    for _, header in COUNT_COLUMNS:
        table.add_column(header, justify="right")
    for source, c in counts.items():
        table.add_row(SOURCE_VI.get(source, source), *[fmt_int(c[k]) for k, _ in COUNT_COLUMNS])
    console.print(table)


def _masked(record: dict[str, Any] | None) -> dict[str, Any] | None:
    from baophu.engine.linkage import mask_person_id

    if record is None:
        return None
    out = dict(record)
    out["person_id"] = mask_person_id(out.get("person_id"))
    for key, value in out.items():
        if isinstance(value, dt.date):
            out[key] = value.isoformat()
    return out


def _describe(record: dict[str, Any] | None) -> str:
    if record is None:
        return ""
    birth = record.get("birth_date")
    parts = [
        str(record.get("full_name") or ""),
        fmt(dt.date.fromisoformat(birth)) if isinstance(birth, str) else fmt(birth),
        SEX_VI.get(str(record.get("sex")), str(record.get("sex") or "")),
        f"xã {record.get('commune_code') or '?'}",
        f"ĐD {record.get('person_id') or '—'}",
    ]
    return "\n".join(p for p in parts if p)


@link_app.command("review")
def review(
    workspace: WorkspaceOpt = Path("."),
    source: Annotated[
        str | None,
        typer.Option("--source", help="school_rosters | household_classifications"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Số cặp tối đa / most pairs shown")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Các cặp cần xem xét / pairs to review (both records and why)."""
    from baophu.engine.linkage import review_count, review_pairs

    if source is not None and source not in SOURCE_CHOICES[:2]:
        fail(f"Danh sách không hợp lệ: {source} / unknown list {source!r}", 2)
    with _store(workspace) as store:
        try:
            pairs = review_pairs(store, limit=limit, source=source)
            total = review_count(store)
        except KeyError:
            fail(
                "Chưa chạy liên kết: baophu link -w WS / linkage has not been run: "
                "baophu link -w WS",
                2,
            )
    masked = [
        {**p, "list": _masked(p["list"]), "candidate": _masked(p["candidate"])} for p in pairs
    ]
    if json_out:
        print_json({"total": total, "shown": len(masked), "pairs": masked})
        return
    table = Table(
        title=f"Cặp cần xem xét / pairs to review — {fmt_int(len(masked))}/{fmt_int(total)}",
        show_lines=True,
    )
    table.add_column("Danh sách / dòng")
    table.add_column("Bản ghi trong danh sách")
    table.add_column("Người trong dữ liệu dân cư")
    table.add_column("Điểm", justify="right")
    table.add_column("Giải thích")
    for p in masked:
        table.add_row(
            f"{SOURCE_VI.get(p['source'], p['source'])}\n{p['record_id']}",
            _describe(p["list"]),
            _describe(p["candidate"]),
            f"{fmt(p['match_weight'])}\n({fmt(p['match_probability'])})",
            str(p["explanation"]),
        )
    console.print(table)


DECISION_CHOICES = ("review", "linked", "unlinked", "other_id")
DECISION_VI = {
    "linked": "Đã ghép",
    "review": "Cần xem xét",
    "unlinked": "Không ghép được",
    "other_id": "Số định danh của người khác",
}


def _masked_key(key: Any) -> str | None:
    from baophu.engine.linkage import mask_person_id

    return None if key is None else mask_person_id(f"{int(key):012d}")


@link_app.command("enrolments")
def enrolments(
    workspace: WorkspaceOpt = Path("."),
    decision: Annotated[
        str,
        typer.Option("--decision", help="review | linked | unlinked | other_id"),
    ] = "review",
    limit: Annotated[int, typer.Option("--limit", help="Số dòng tối đa / most rows shown")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Bản ghi người tham gia sai/thiếu số định danh đã đối chiếu theo xác suất (bước
    identity) / enrolment rows the exact IDs left, linked by the identity step's model."""
    from baophu.engine.identity import MART_REMAINDER, decision_counts

    if decision not in DECISION_CHOICES:
        fail(f"Kết quả không hợp lệ: {decision} / unknown decision {decision!r}", 2)
    with _store(workspace) as store:
        if not store.has_mart(MART_REMAINDER):
            fail(
                "Chưa chạy bước liên kết người tham gia: baophu run -w WS --until identity / "
                "the identity step has not been run",
                2,
            )
        links = store.read_mart(MART_REMAINDER)
        chosen = links.other_id if decision == "other_id" else links.decision == decision
        picked = links.filter(chosen).order_by(["enrolment_id"]).limit(limit)
        rows = picked.to_pyarrow().to_pylist()
        counts = decision_counts(store)
    shown = [
        {
            "enrolment_id": r["enrolment_id"],
            "unlinked_reason": r["unlinked_reason"],
            "decision": r["decision"],
            "other_id": r["other_id"],
            "match_weight": r["match_weight"],
            "match_probability": r["match_probability"],
            "candidate": _masked_key(r["candidate_key"]),
            "runner_up": _masked_key(r["runner_up_key"]),
            "runner_up_weight": r["runner_up_weight"],
            "id_owner": _masked_key(r["owner_key"]),
            "explanation": r["explanation"],
        }
        for r in rows
    ]
    if json_out:
        print_json({"counts": counts, "decision": decision, "rows": shown})
        return
    title = (
        f"{DECISION_VI[decision]} / {decision} — {fmt_int(len(shown))}/{fmt_int(counts[decision])}"
    )
    table = Table(title=title, show_lines=True)
    table.add_column("Mã quá trình")
    table.add_column("Lý do chưa khớp")
    table.add_column("Người phù hợp nhất")
    table.add_column("Điểm", justify="right")
    table.add_column("Giải thích")
    for r in shown:
        who = r["candidate"] or "—"
        if r["runner_up"]:
            who += f"\n(kế tiếp: {r['runner_up']})"
        weight = "" if r["match_weight"] is None else fmt(r["match_weight"])
        table.add_row(
            str(r["enrolment_id"]),
            str(r["unlinked_reason"] or ""),
            who,
            weight,
            str(r["explanation"]),
        )
    console.print(table)
