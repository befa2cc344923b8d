"""``baophu run``: the declared pipeline (``engine.pipeline``) on a workspace, recomputing only
the steps whose marts are stale.

It reads what the engine may not (the operational database's targets set by hand and the
field outcomes, the potential lists' window of days chosen with ``baophu lists``), hands
them to the pipeline, shows a Rich progress bar and prints each step with its status and
why it ran — or, with ``--json``, the same as data.  ``--markdown`` prints
docs/pipeline.md, drawn from the declaration.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from baophu.commands.common import (
    activity_of,
    console,
    fail,
    failing_on,
    open_workspace,
    operational_db,
    parse_date,
    print_json,
    progress_bar,
    table_of,
)
from baophu.commands.lists import PARAMS_FILE
from baophu.commands.options import DateOpt, JsonOpt, WorkspaceOpt

if TYPE_CHECKING:
    from baophu.backends import Store
    from baophu.engine.pipeline import StepResult
    from baophu.workspace import Workspace

STATUS_VI = {"computed": "đã tính", "current": "còn mới", "skipped": "bỏ qua"}


def operational_inputs(ws: Workspace) -> tuple[Any, Any, int | None, Any]:
    """Targets set by hand, the last field outcome per person, the lists' window of days
    chosen last with ``baophu lists --due-days`` and the latest review outcome per flagged
    BHYT claim."""
    from baophu.operational.claim_reviews import claim_reviews_table
    from baophu.operational.manual_targets import manual_targets_table
    from baophu.operational.outcomes import last_outcomes_table

    with operational_db(ws) as db:
        manual = manual_targets_table(db)
        outcomes = last_outcomes_table(db)
        reviews = claim_reviews_table(db)
    path = ws.root / PARAMS_FILE
    due = json.loads(path.read_text(encoding="utf-8")).get("due_days") if path.exists() else None
    return manual, outcomes, (int(due) if due is not None else None), reviews


def run(
    workspace: WorkspaceOpt = Path("."),
    until: Annotated[
        str | None,
        typer.Option("--until", help="Dừng sau bước này / stop after this step"),
    ] = None,
    date: DateOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Tính lại cả bước còn mới / recompute every step")
    ] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="In docs/pipeline.md / print the declaration")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Tính lại các bước đã cũ / recompute the stale steps of the pipeline, in order."""
    # Imported here, not at the top: ``baophu --help`` should not load the engine.
    from baophu.engine.compliance import ComplianceError
    from baophu.engine.coverage import CoverageError
    from baophu.engine.linkage import LinkageError
    from baophu.engine.pipeline import (
        Inputs,
        PipelineError,
        pipeline_markdown,
        run_pipeline,
        step_names,
    )
    from baophu.engine.potential import ListsError
    from baophu.rules.errors import RulesError

    if markdown:
        sys.stdout.write(pipeline_markdown())
        return
    if until is not None and until not in step_names():
        fail(
            f"Không có bước {until}; các bước: {', '.join(step_names())}",
            f"unknown step {until!r}; steps: {', '.join(step_names())}",
            2,
        )
    day = parse_date(date)
    ws = open_workspace(workspace)
    manual, outcomes, due, reviews = operational_inputs(ws)
    errors = (
        PipelineError,
        CoverageError,
        ComplianceError,
        LinkageError,
        ListsError,
        RulesError,
        ValueError,
    )
    with ws.store() as store, progress_bar(not json_out, activity_of(store)) as update:
        inputs = Inputs(
            reference_date=day,
            manual_targets=manual,
            field_outcomes=outcomes,
            claim_outcomes=reviews,
            due_days=due,
            progress=update,
        )
        with failing_on(errors):
            results = run_pipeline(
                store,
                inputs,
                until=until,
                only_stale=not force,
                on_step=lambda step, i, n: update(step.name, i, n),
            )
        if json_out:  # the table printed otherwise shows no rows
            print_json([_as_dict(r, mart_rows(store, r.step)) for r in results])
            return
    print_results(results)


def mart_rows(store: Store, step: str) -> dict[str, int]:
    """The rows of each mart ``step`` writes, as the mart registry holds them (every step
    alike: its own summary says other things, and a step left current still has its marts)."""
    from baophu.engine.pipeline import STEPS

    writes = next(s.writes for s in STEPS if s.name == step)
    entries = {m: store.mart_entry(m) for m in writes}
    return {m: e.rows for m, e in entries.items() if e is not None}


def _as_dict(r: StepResult, rows: dict[str, int]) -> dict[str, Any]:
    return {
        "step": r.step,
        "status": r.status,
        "reasons": r.reasons,
        "seconds": r.seconds,
        "rows": rows,
    }


def print_results(results: list[StepResult]) -> None:
    table = table_of(
        "Các bước tính / pipeline steps",
        ("Bước / step", "Trạng thái / status", "Lý do / why", "Giây / s"),
        right=("Giây / s",),
    )
    for r in results:
        table.add_row(
            r.step,
            f"{STATUS_VI.get(r.status, r.status)} / {r.status}",
            "\n".join(r.reasons),
            f"{r.seconds:.1f}" if r.status == "computed" else "",
        )
    console.print(table)
