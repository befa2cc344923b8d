"""Employer compliance, end to end: ``run_compliance(store, reference_date)`` writes the marts.

Owns the order of the compliance steps and nothing else; each step lives in its own module:

1. ``compliance_interest`` — late balance segments and interest per employer and month;
2. ``compliance_arrears`` — the ``employer_arrears`` mart (employer × month: dues by scheme,
   FIFO settlement, lateness, the monthly statement the notice prints);
3. ``compliance_balance`` — the ``employer_balance`` mart (each employer at the reference date);
4. ``compliance_units`` — ``arrears_by_unit`` and ``arrears_trend`` (province, office, case
   officer, commune, ownership);
5. ``compliance_budget`` — ``budget_arrears`` (state budget by department, group, month and
   quarter);
6. ``compliance_evasion`` — ``evasion_scores`` (signals, points, explanation, ranks);
7. ``compliance_lists`` — ``inspection_list``, ``disclosure_list``,
   ``tender_exclusion_list``, ``award_exclusion_list``.

Each mart is stamped with the import state, the reference date and the rule version; later
steps read the marts the earlier ones wrote, so nothing is computed twice.  The reference
date defaults to the last day of the latest month in the ledger; nothing dated after it
counts (payments, transfers, contribution months).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ibis.expr.types import Table

from baophu.backends import Stamp, Store
from baophu.contracts.progress import Progress
from baophu.engine.compliance.arrears import (
    employer_months,
    ledger_until,
    monthly_statement,
    payments_until,
)
from baophu.engine.compliance.balance import employer_balance, employer_directory
from baophu.engine.compliance.budget import budget_arrears
from baophu.engine.compliance.evasion import evasion_scores
from baophu.engine.compliance.lists import (
    award_exclusion_list,
    disclosure_list,
    inspection_list,
    tender_exclusion_list,
)
from baophu.engine.compliance.params import ListCriteria, arrears_ratio_ceiling
from baophu.engine.compliance.units import arrears_by_unit, arrears_trend
from baophu.engine.dates import as_day, month_end, months_between
from baophu.rules import Rules, days_to_evasion, get_policy, get_rules, wording

MARTS = (
    "employer_arrears",
    "employer_balance",
    "arrears_by_unit",
    "arrears_trend",
    "budget_arrears",
    "evasion_scores",
    "inspection_list",
    "disclosure_list",
    "tender_exclusion_list",
    "award_exclusion_list",
)


class ComplianceError(Exception):
    """Compliance cannot be computed (message in Vietnamese and English)."""


def _scalar(expr: Any) -> Any:
    return expr.to_pyarrow().as_py()


def default_reference_date(store: Store) -> dt.date:
    """The last day of the latest contribution month in the ledger."""
    latest = _scalar(store.table("contribution_ledger").period.max())
    if latest is None:
        raise ComplianceError(
            "Chưa có sổ theo dõi số phải đóng (contribution_ledger); hãy nhập dữ liệu trước / "
            "the contribution ledger is empty; import it first"
        )
    return month_end(as_day(latest))


def first_month(store: Store, reference_date: dt.date) -> dt.date:
    """The earliest contribution month or payment month up to the reference date."""
    ledger = store.table("contribution_ledger")
    payments = store.table("payments")
    firsts = [
        _scalar(ledger.filter(ledger.period <= reference_date).period.min()),
        _scalar(payments.filter(payments.payment_date <= reference_date).payment_date.min()),
    ]
    days = [as_day(d) for d in firsts if d is not None]
    if not days:
        raise ComplianceError(
            f"Không có số phải đóng hay khoản nộp nào đến ngày {reference_date:%d/%m/%Y} / "
            f"no dues or payments up to {reference_date.isoformat()}"
        )
    return min(days).replace(day=1)


def contribution_rate(on: dt.date, rules: Rules | None = None) -> float:
    """The full compulsory rate on the wage (employer + employee) in force on ``on``."""
    r = rules or get_rules()
    return float(sum(r.rates_on(on).values()))


STAGES = ("arrears", "units", "budget", "evasion", "lists")


@dataclass
class _Run:
    """One computation: the store, its reference date, rules, thresholds and months."""

    store: Store
    reference_date: dt.date
    rules: Rules
    criteria: ListCriteria
    months: list[dt.date]
    stamp: Stamp
    progress: Progress | None
    rows: dict[str, int] = field(default_factory=dict)

    def write(self, name: str, expr: Table) -> None:
        self.rows[name] = self.store.write_mart(name, expr, self.stamp)
        if self.progress is not None:
            self.progress(name, len(self.rows), len(MARTS))


def _arrears_stage(run: _Run) -> None:
    store, ref, r = run.store, run.reference_date, run.rules
    ledger = ledger_until(store.table("contribution_ledger"), ref)
    payments = payments_until(store.table("payments"), ref)
    grid = employer_months(ledger, payments, run.months)
    run.write(
        "employer_arrears",
        monthly_statement(grid, ledger, payments, run.months, ref, days_to_evasion(ref, r), r),
    )
    directory = employer_directory(
        store.table("employers"), store.table("units"), store.table("officers")
    )
    run.write(
        "employer_balance",
        employer_balance(
            store.read_mart("employer_arrears"), directory, ref, run.criteria.long_arrears_months
        ),
    )


def _units_stage(run: _Run) -> None:
    arrears, balance = (
        run.store.read_mart("employer_arrears"),
        run.store.read_mart("employer_balance"),
    )
    run.write("arrears_by_unit", arrears_by_unit(balance))
    run.write("arrears_trend", arrears_trend(arrears, balance, run.criteria.long_arrears_months))


def _budget_stage(run: _Run) -> None:
    run.write(
        "budget_arrears", budget_arrears(run.store.table("budget_obligations"), run.reference_date)
    )


def _evasion_stage(run: _Run) -> None:
    store = run.store
    enrolments = store.table("enrolments") if store.row_count("enrolments") else None
    run.write(
        "evasion_scores",
        evasion_scores(
            store.read_mart("employer_balance"),
            store.read_mart("employer_arrears"),
            store.table("employers"),
            store.table("tax_returns"),
            store.table("business_registry"),
            store.table("units"),
            run.months,
            run.reference_date,
            contribution_rate(run.reference_date, run.rules),
            rules=run.rules,
            enrolments=enrolments,
            criteria=run.criteria,
        ),
    )


def _lists_stage(run: _Run) -> None:
    balance = run.store.read_mart("employer_balance")
    run.write(
        "inspection_list", inspection_list(run.store.read_mart("evasion_scores"), run.criteria)
    )
    run.write("disclosure_list", disclosure_list(balance, run.criteria))
    run.write(
        "tender_exclusion_list",
        tender_exclusion_list(balance, wording.evasion_basis(run.reference_date, run.rules)),
    )
    run.write("award_exclusion_list", award_exclusion_list(balance))


_STAGE_FUNCTIONS: dict[str, Callable[[_Run], None]] = {
    "arrears": _arrears_stage,
    "units": _units_stage,
    "budget": _budget_stage,
    "evasion": _evasion_stage,
    "lists": _lists_stage,
}


def run_compliance(
    store: Store,
    reference_date: dt.date | str | None = None,
    *,
    rules: Rules | None = None,
    criteria: ListCriteria | None = None,
    progress: Progress | None = None,
    stages: tuple[str, ...] = STAGES,
) -> dict[str, Any]:
    """Compute the compliance marts for the reference date and return the summary the CLI
    and ``make demo`` print (see ``compliance_summary``), with ``marts`` (rows written) and
    ``seconds``.

    ``stages`` picks a part (in order: ``arrears`` → ``employer_arrears``,
    ``employer_balance``; ``units``; ``budget``; ``evasion``; ``lists``); a stage reads the
    marts of the stages before it, so a partial run relies on marts already computed.  The
    summary needs the ``units`` and ``evasion`` marts; without them only ``marts`` and
    ``seconds`` are returned.
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise ComplianceError(
            f"Bước không có: {', '.join(unknown)} / unknown stage(s): {', '.join(unknown)}"
        )
    started = time.perf_counter()
    r = rules or get_rules()
    ref = as_day(reference_date) if reference_date is not None else default_reference_date(store)
    run = _Run(
        store=store,
        reference_date=ref,
        rules=r,
        criteria=criteria or ListCriteria.on(ref),
        months=months_between(first_month(store, ref), ref),
        stamp=store.stamp(ref, r.version),
        progress=progress,
    )
    for stage in STAGES:
        if stage in stages:
            _STAGE_FUNCTIONS[stage](run)
    needed = ("arrears_by_unit", "evasion_scores", "employer_balance")
    summary = compliance_summary(store) if all(store.has_mart(m) for m in needed) else {}
    summary["marts"] = run.rows
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def compliance_summary(store: Store, top: int = 10) -> dict[str, Any]:
    """What ``baophu compliance run`` and ``make demo`` print, read from the marts: the
    province's arrears ratio against the ceiling of the policy file in force on the
    reference date (2,55% from 2025), employers late and late 3+ months, and the top of the
    inspection list."""
    units = store.read_mart("arrears_by_unit")
    province = units.filter(units.dimension == "province").aggregate(
        employers=units.employers.sum(),
        employers_late=units.employers_late.sum(),
        employers_late_3plus=units.employers_late_3plus.sum(),
        employers_evasion=units.employers_evasion.sum(),
        due_ytd=units.due_ytd.sum(),
        late_amount=units.late_amount.sum(),
        late_3plus_amount=units.late_3plus_amount.sum(),
        interest_total=units.interest_total.sum(),
        interest_outstanding=units.interest_outstanding.sum(),
    )
    figures = {k: (int(v) if v is not None else 0) for k, v in _first_row(province).items()}
    ratio = figures["late_amount"] / figures["due_ytd"] if figures["due_ytd"] else None
    scores = store.read_mart("evasion_scores")
    flagged = _scalar(scores.flagged.cast("int64").sum()) or 0
    top_rows = (
        scores.filter(scores.flagged)
        .order_by("rank")
        .limit(top)
        .select(
            "rank",
            "office_rank",
            "employer_code",
            "tax_code",
            "name",
            "office_code",
            "office_name",
            "total_score",
            "estimated_monthly_shortfall",
            "estimated_monthly_evaded",
            "evasion_kind",
            "explanation",
        )
        .to_pyarrow()
        .to_pylist()
    )
    entry = store.mart_entry("employer_balance")
    stamp: dict[str, Any] = {} if entry is None else asdict(entry)
    ceiling = arrears_ratio_ceiling(as_day(entry.reference_date)) if entry else None
    return {
        "reference_date": stamp.get("reference_date"),
        "state_id": stamp.get("state_id"),
        "rule_version": stamp.get("rule_version"),
        "policy_version": get_policy().version,
        "arrears_ratio": ratio,
        "arrears_ratio_ceiling": ceiling,
        "above_ceiling": None if ceiling is None else ratio is not None and ratio > ceiling,
        **figures,
        "employers_flagged": int(flagged),
        "inspection_top": top_rows,
    }


def _first_row(expr: Table) -> dict[str, Any]:
    rows = expr.to_pyarrow().to_pylist()
    return rows[0] if rows else {}


__all__ = [
    "MARTS",
    "STAGES",
    "ComplianceError",
    "compliance_summary",
    "contribution_rate",
    "default_reference_date",
    "run_compliance",
]
