"""The declared pipeline: every engine step in order, what it reads and what it writes.

In the manner of dbt's ``ref()``: each ``Step`` names the canonical tables it reads, the
marts of earlier steps it uses, the marts it writes and its entry point.  Staleness is
computed from the marts' stamps (``Store.mart_entry``), never remembered:

* a mart the step writes is missing;
* it was computed from another imported state or another rule version;
* the step's marts depend on the reference date (``dated``) and were computed for another;
* a mart it uses was recomputed after it (or is recomputed in this run).

``run_pipeline(store, until=STEP)`` runs the stale steps in order up to ``STEP``; the demo,
the web's recompute and ``baophu run`` all call it, never their own list of steps.  New
capabilities (claims, risk) add their steps with ``register_step``.  ``docs/pipeline.md`` is
drawn from this declaration (``pipeline_markdown``; a test keeps it in step).

What the operational database holds (targets set by hand, field outcomes) reaches the steps
as ``Inputs``, read by the caller: the engine never opens that database.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from baophu.backends import MartEntry, Store
from baophu.contracts.progress import Progress
from baophu.engine import (
    claims,
    compliance,
    coverage,
    declarations,
    identity,
    linkage,
    potential,
    risk,
    targets,
)
from baophu.engine.dates import default_reference_date
from baophu.rules import get_rules


class PipelineError(Exception):
    """A step is unknown or cannot run (message in Vietnamese and English)."""


@dataclass
class Inputs:
    """What a run needs besides the imported tables: the reference date (default: the end of
    the latest contribution month), the targets set by hand and the last field outcome per
    person (both from the operational database, read by the caller), the potential lists'
    window of days, the review outcomes of flagged BHYT claims (operational database), and a
    progress callback ``(label, done, total)``."""

    reference_date: dt.date | None = None
    manual_targets: pa.Table | None = None
    field_outcomes: pa.Table | None = None
    claim_outcomes: pa.Table | None = None
    due_days: int | None = None
    progress: Progress | None = None


@dataclass(frozen=True)
class Step:
    """One step: its name, what it reads (canonical tables), uses (marts of earlier steps;
    ``optional_uses`` when they may be absent) and writes (marts), whether its marts depend
    on the reference date, and its entry point ``run(store, reference_date, inputs)``."""

    name: str
    title_vi: str
    entry: str
    reads: tuple[str, ...]
    uses: tuple[str, ...]
    writes: tuple[str, ...]
    dated: bool
    run: Callable[[Store, dt.date, Inputs], dict[str, Any]]
    optional_uses: tuple[str, ...] = ()
    operational: tuple[str, ...] = ()  # fields of ``Inputs`` it takes (not in any stamp)


@dataclass
class StepResult:
    step: str
    status: str  # computed | current | skipped
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0
    result: dict[str, Any] = field(default_factory=dict)
    # With ``only``: the marts it used that are stale and were not recomputed (their step
    # was left out), so the caller can say its figures rest on an older state.
    warnings: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------- entry points


def _identity(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return identity.run_identity(store, day)


def _coverage(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return coverage.run_coverage(store, day, progress=inputs.progress)


def _targets(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return targets.run_progress(store, reference_date=day, manual=inputs.manual_targets)


def _linkage(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return linkage.run_linkage(store, progress=inputs.progress)


def _potential(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return potential.run_lists(
        store, day, inputs.due_days, outcomes=inputs.field_outcomes, progress=inputs.progress
    )


def _compliance(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return compliance.run_compliance(store, day, progress=inputs.progress)


def _declarations(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return declarations.run_declarations(store, day)


def _claims(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return claims.run_claims(store, day, outcomes=inputs.claim_outcomes, progress=inputs.progress)


def _risk(store: Store, day: dt.date, inputs: Inputs) -> dict[str, Any]:
    return risk.run_risk(store, day)


STEPS: list[Step] = [
    Step(
        name="identity",
        title_vi="Liên kết người tham gia với dữ liệu dân cư",
        entry="engine.identity.run_identity",
        reads=("units", "enrolments", "residents"),
        uses=(),
        writes=identity.IDENTITY_MARTS,
        dated=False,
        run=_identity,
    ),
    Step(
        name="coverage",
        title_vi="Tỷ lệ bao phủ theo đơn vị",
        entry="engine.coverage.run_coverage",
        reads=(
            "units",
            "residents",
            "employers",
            "contribution_ledger",
            "tax_returns",
            "business_registry",
            "labour_force",
        ),
        uses=(identity.MART_ANCESTORS, identity.MART_SPELLS),
        writes=coverage.MARTS,
        dated=True,
        run=_coverage,
    ),
    Step(
        name="targets",
        title_vi="Tiến độ thực hiện chỉ tiêu",
        entry="engine.targets.run_progress",
        reads=(
            "targets",
            "units",
            "agents",
            "collectors",
            "officers",
            "employers",
            "enrolments",
            "residents",
        ),
        uses=(coverage.MART_BY_UNIT, coverage.MART_SERIES),
        optional_uses=(targets.MART_ALLOCATED,),
        writes=(targets.MART_ACHIEVEMENT, targets.MART_PHASED),
        dated=True,
        run=_targets,
        operational=("manual_targets",),
    ),
    Step(
        name="linkage",
        title_vi="Liên kết danh sách với dữ liệu dân cư",
        entry="engine.linkage.run_linkage",
        reads=("school_rosters", "household_classifications", "residents", "units"),
        uses=(),
        writes=(linkage.MART_LINKS,),
        dated=False,
        run=_linkage,
    ),
    Step(
        name="potential",
        title_vi="Danh sách tiềm năng",
        entry="engine.potential.run_lists",
        reads=(
            "units",
            "residents",
            "households",
            "enrolments",
            "employers",
            "officers",
            "collectors",
            "school_rosters",
            "benefit_lists",
            "household_classifications",
            "disadvantaged_communes",
        ),
        uses=(identity.MART_REMAINDER, linkage.MART_LINKS),
        writes=potential.MARTS,
        dated=True,
        run=_potential,
        operational=("field_outcomes",),
    ),
    Step(
        name="declarations",
        title_vi="Đối chiếu tờ khai, báo cáo đơn vị nộp với sổ phải đóng, thuế, người tham gia",
        entry="engine.declarations.run_declarations",
        reads=(
            "declared_workforce",
            "contribution_ledger",
            "employers",
            "tax_returns",
            "agent_receipts",
            "registration_declarations",
            "enrolments",
        ),
        uses=(),
        writes=declarations.MARTS,
        dated=False,
        run=_declarations,
    ),
    Step(
        name="compliance",
        title_vi="Nghĩa vụ đóng của đơn vị sử dụng lao động",
        entry="engine.compliance.run_compliance",
        reads=(
            "contribution_ledger",
            "payments",
            "employers",
            "units",
            "officers",
            "budget_obligations",
            "enrolments",
            "tax_returns",
            "business_registry",
        ),
        uses=(),
        writes=compliance.MARTS,
        dated=True,
        run=_compliance,
    ),
    Step(
        name="risk",
        title_vi="Kiểm soát rủi ro: trùng hồ sơ, trùng thẻ, người đã chết, tiền thu của đại lý",
        entry="engine.risk.run_risk",
        reads=(
            "enrolments",
            "residents",
            "units",
            "collectors",
            "agents",
            "agent_receipts",
            "agent_remittances",
            "household_classifications",
            "school_rosters",
            "benefit_lists",
        ),
        uses=(identity.MART_ANCESTORS,),
        optional_uses=(identity.MART_REMAINDER, linkage.MART_LINKS),
        writes=risk.MARTS,
        dated=True,
        run=_risk,
    ),
]

# Capabilities after compliance declare their steps with ``register_step`` (below).
CLAIMS_STEP = Step(
    name="claims",
    title_vi="Chi khám bệnh, chữa bệnh BHYT: dự toán, chỉ số, giám định, danh sách rà soát",
    entry="engine.claims.run_claims",
    reads=(
        "claims",
        "claim_drugs",
        "claim_services",
        "facilities",
        "tender_prices",
        "spending_estimates",
        "units",
        "residents",
    ),
    uses=(),
    writes=claims.MARTS,
    dated=True,
    run=_claims,
    operational=("claim_outcomes",),
)

# Marts written on request by a command, not by a step (their parameters are a person's
# choice): ``mart → the command that writes it``.
ON_REQUEST: dict[str, str] = {
    targets.MART_ALLOCATED: "baophu targets allocate",
    targets.MART_CAMPAIGN: "baophu targets campaign",
    coverage.MART_LINKED: "baophu coverage (write_linked)",
}


def register_step(step: Step, after: str | None = None) -> None:
    """Add a capability's step (claims, risk …) after ``after`` (default: at the end).  Its
    ``uses`` must be written by steps before it."""
    names = [s.name for s in STEPS]
    if step.name in names:
        raise PipelineError(f"Bước đã có: {step.name} / step already declared: {step.name}")
    at = len(STEPS) if after is None else names.index(after) + 1
    earlier = {m for s in STEPS[:at] for m in s.writes} | set(ON_REQUEST)
    missing = [m for m in step.uses if m not in earlier]
    if missing:
        raise PipelineError(
            f"Bước {step.name} dùng bảng chưa được tính trước nó: {', '.join(missing)} / "
            f"step {step.name} uses marts no earlier step writes: {', '.join(missing)}"
        )
    STEPS.insert(at, step)


register_step(CLAIMS_STEP)


def step_names() -> list[str]:
    return [s.name for s in STEPS]


def steps_for(marts: Sequence[str]) -> list[str]:
    """The steps, in pipeline order, that write ``marts`` and, through what each uses
    (``uses``, not ``optional_uses``), the steps those rest on; a mart a command writes on
    request (``ON_REQUEST``) is no step's."""
    writer = {m: s for s in STEPS for m in s.writes}
    unknown = [m for m in marts if m not in writer]
    if unknown:
        raise PipelineError(
            f"Không bước nào tính: {', '.join(unknown)} / no step writes: {', '.join(unknown)}"
        )
    needed: set[str] = set()
    todo = list(marts)
    while todo:
        step = writer.get(todo.pop())
        if step is not None and step.name not in needed:
            needed.add(step.name)
            todo.extend(step.uses)
    return [s.name for s in STEPS if s.name in needed]


def _steps_until(until: str | None) -> list[Step]:
    names = step_names()
    if until is None:
        return list(STEPS)
    if until not in names:
        raise PipelineError(
            f"Không có bước {until}; các bước: {', '.join(names)} / unknown step {until!r}; "
            f"steps: {', '.join(names)}"
        )
    return STEPS[: names.index(until) + 1]


def pipeline_reference_date(store: Store, reference_date: dt.date | None = None) -> dt.date:
    """The date a run computes for: the one given, else the last day of the latest
    contribution month in the ledger (else of the latest enrolment start; else today)."""
    return reference_date or default_reference_date(store)


def staleness(
    store: Store,
    reference_date: dt.date | None = None,
    until: str | None = None,
    inputs: Inputs | None = None,
) -> dict[str, list[str]]:
    """Why each step up to ``until`` is stale (an empty list: it is current), computed from
    the stamps; a step is stale when a mart it uses is stale too.  A step that takes
    operational inputs (targets set by hand, field outcomes) is stale whenever ``inputs``
    holds some: no stamp says which ones it was computed with."""
    day = pipeline_reference_date(store, reference_date)
    state = store.state_id()
    out: dict[str, list[str]] = {}
    stale_marts: set[str] = set()
    for step in _steps_until(until):
        reasons: list[str] = []
        entries = {m: store.mart_entry(m) for m in step.writes}
        for mart, entry in entries.items():
            why = _why_stale(entry, step, day, state) if entry else "chưa tính / not computed"
            if why:
                reasons.append(f"{mart}: {why}")
        for name in step.operational:
            given = getattr(inputs, name, None) if inputs is not None else None
            if given is not None and given.num_rows:
                reasons.append(f"{name}: dữ liệu nghiệp vụ / operational inputs given")
        written = [e.computed_at for e in entries.values() if e is not None]
        oldest = min(written) if written else ""
        for used in (*step.uses, *step.optional_uses):
            if used in stale_marts:
                reasons.append(f"{used}: được tính lại / recomputed first")
                continue
            entry = store.mart_entry(used)
            if entry is not None and oldest and entry.computed_at > oldest:
                reasons.append(f"{used}: mới hơn / newer ({entry.computed_at})")
        if reasons:
            stale_marts |= set(step.writes)
        out[step.name] = reasons
    return out


def _why_stale(entry: MartEntry, step: Step, day: dt.date, state: str) -> str:
    """Why a mart written by ``step`` is stale for ``day`` ("" when it is current): computed
    from another imported state or rule version, or (a dated step) for another date."""
    if entry.state_id != state:
        return "dữ liệu nhập đã đổi / imported data changed"
    if entry.rule_version != get_rules().version:
        return f"quy định đã đổi / rules changed ({entry.rule_version})"
    if step.dated and entry.reference_date != day.isoformat():
        return f"tính cho ngày khác / computed for {entry.reference_date}"
    return ""


def run_pipeline(
    store: Store,
    inputs: Inputs | None = None,
    until: str | None = None,
    only_stale: bool = True,
    on_step: Callable[[Step, int, int], None] | None = None,
    only: Sequence[str] | None = None,
) -> list[StepResult]:
    """Run the steps up to ``until`` in order — the stale ones only, unless ``only_stale``
    is False — for ``inputs.reference_date``; returns what each step did and returned.
    ``on_step(step, index, total)`` is called before each step that runs.  ``only`` keeps
    just the named steps (a capability's command recomputing its own step; the steps it
    uses must be current)."""
    inputs = inputs or Inputs()
    steps = _steps_until(until)
    day = pipeline_reference_date(store, inputs.reference_date)
    if only is not None:
        steps = [s for s in steps if s.name in only]
    results: list[StepResult] = []
    recomputed: set[str] = set()
    for index, step in enumerate(steps):
        # Staleness is computed again before each step: the steps before it may have
        # rewritten what it uses.
        reasons = staleness(store, day, step.name, inputs)[step.name]
        reasons += [f"{m}: được tính lại / recomputed first" for m in step.uses if m in recomputed]
        reasons = list(dict.fromkeys(reasons))
        if only_stale and not reasons:
            warnings = _stale_uses(store, day, step, only)
            results.append(StepResult(step.name, "current", warnings=warnings))
            continue
        if on_step is not None:
            on_step(step, index, len(steps))
        started = time.perf_counter()
        try:
            with store.engine_memory():
                result = step.run(store, day, inputs)
        except targets.TargetsError as exc:
            # No targets for the year: progress cannot be measured; the other steps go on.
            results.append(StepResult(step.name, "skipped", [str(exc)]))
            continue
        recomputed |= set(step.writes)
        warnings = _stale_uses(store, day, step, only)
        results.append(
            StepResult(
                step.name,
                "computed",
                reasons or ["yêu cầu tính lại / recompute requested"],
                round(time.perf_counter() - started, 2),
                result,
                warnings,
            )
        )
    return results


def _stale_uses(store: Store, day: dt.date, step: Step, only: Sequence[str] | None) -> list[str]:
    """With ``only``: the marts ``step`` used, written by a step left out, that are stale
    (computed from another imported state or rule version, or for another date) — what its
    figures rest on.  A step that refreshes a mart it needs itself (coverage its linked
    spells) leaves no warning for it."""
    if only is None:
        return []
    writer = {m: s for s in STEPS for m in s.writes}
    out: list[str] = []
    for mart in (*step.uses, *step.optional_uses):
        source = writer.get(mart)
        if source is None or source.name in only:
            continue
        entry = store.mart_entry(mart)
        if entry is None:
            continue  # an optional mart never computed: the step did without it
        why = _why_stale(entry, source, day, store.state_id())
        if not why:
            continue
        out.append(
            f"{mart}: đã cũ, bước {source.name} không được tính lại ({why}) / stale, "
            f"its step {source.name} was not recomputed"
        )
    return out


def pipeline_markdown() -> str:
    """``docs/pipeline.md``: the steps in order with what they read, use and write."""
    lines = [
        "# The engine's pipeline",
        "",
        "Generated from `src/baophu/engine/pipeline.py` (`baophu run --markdown`); a test keeps",
        "it in step.  `baophu run -w WS [--until STEP] [--date D] [--json]` recomputes, in this",
        "order, only the steps whose marts are stale: missing, computed from another imported",
        "state or rule version, for another reference date (dated steps), or older than a mart",
        "they use.  The demo and the web's recompute run the same declaration.",
        "",
        "```mermaid",
        "flowchart LR",
    ]
    for step in STEPS:
        lines.append(f"  {step.name}[{step.name}]")
    writer = {m: s.name for s in STEPS for m in s.writes}
    for step in STEPS:
        for used in sorted({writer[m] for m in (*step.uses, *step.optional_uses) if m in writer}):
            lines.append(f"  {used} --> {step.name}")
    lines += ["```", ""]
    for i, step in enumerate(STEPS, 1):
        lines += [
            f"## {i}. {step.name} — {step.title_vi}",
            "",
            f"- entry point: `{step.entry}`",
            f"- reads (tables): {_codes(step.reads)}",
            f"- uses (marts): {_codes(step.uses)}"
            + (f"; when present: {_codes(step.optional_uses)}" if step.optional_uses else ""),
            f"- writes (marts): {_codes(step.writes)}",
            f"- depends on the reference date: {'yes' if step.dated else 'no'}",
            "",
        ]
    lines += ["## Marts written on request", "", "| mart | written by |", "|---|---|"]
    lines += [f"| `{mart}` | `{command}` |" for mart, command in ON_REQUEST.items()]
    lines.append("")
    return "\n".join(lines)


def _codes(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "—"


__all__ = [
    "ON_REQUEST",
    "STEPS",
    "Inputs",
    "PipelineError",
    "Step",
    "StepResult",
    "pipeline_markdown",
    "pipeline_reference_date",
    "register_step",
    "run_pipeline",
    "staleness",
    "step_names",
]
