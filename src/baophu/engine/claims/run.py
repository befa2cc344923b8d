"""The ``claims`` step: every mart of the claims engine, in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ibis
import pyarrow as pa

from baophu.backends import Stamp, Store
from baophu.contracts.progress import Progress
from baophu.engine.claims.catalog import rules
from baophu.engine.claims.checks import MART_FLAGS, claim_flags
from baophu.engine.claims.indicators import (
    MART_COST_GROWTH,
    MART_INDICATORS,
    cost_growth,
    indicators,
)
from baophu.engine.claims.params import ClaimParams
from baophu.engine.claims.scores import (
    MART_REVIEW,
    MART_SCORES,
    MART_SIGNALS,
    review_list,
    scores,
    signals,
)
from baophu.engine.claims.spending import (
    MART_ESTIMATE,
    MART_ESTIMATE_SUMMARY,
    MART_FACILITY_ESTIMATE,
    MART_SPENDING,
    SUMMARY_SCHEMA,
    estimate_curve,
    facility_estimate,
    month_index,
    spending,
)
from baophu.engine.claims.visits import VISITS, claim_visits

MART_RULES = "claims_rules"
MARTS = (
    MART_RULES,
    MART_SPENDING,
    MART_ESTIMATE,
    MART_ESTIMATE_SUMMARY,
    MART_FACILITY_ESTIMATE,
    MART_INDICATORS,
    MART_COST_GROWTH,
    MART_FLAGS,
    MART_SIGNALS,
    MART_SCORES,
    MART_REVIEW,
)
OUTCOME_SCHEMA = pa.schema(
    [
        ("facility_code", pa.string()),
        ("claim_code", pa.string()),
        ("outcome", pa.string()),
        ("amount", pa.float64()),
    ]
)


def run_claims(
    store: Store,
    reference_date: dt.date,
    outcomes: pa.Table | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the claims marts for ``reference_date`` (claims settled up to its month);
    ``outcomes`` — the review outcomes of the operational database (``OUTCOME_SCHEMA``) —
    reduce the spending by what was refused or recovered."""
    p = ClaimParams.on(reference_date)
    stamp = store.stamp(reference_date)
    ref = month_index(reference_date)
    total = len(MARTS)

    def step(i: int, name: str) -> None:
        if progress is not None:
            progress(name, i, total)

    catalog = pa.Table.from_pylist(
        [
            {"rule": r.code, "title_vi": r.title_vi, "explanation_vi": r.explanation_vi,
             "source_vi": r.source_vi}
            for r in rules(p)
        ]
    )  # fmt: skip
    store.write_mart(MART_RULES, ibis.memtable(catalog), stamp)
    # the visits are read by every mart below and by no page: a temporary table of the step
    # (writing 16.7 M rows into the workspace at scale 1.0 over 24 months cost more than
    # computing them), released when the step ends; the step joins and groups a hundred
    # million lines, with an engine step's memory even when called alone
    with store.engine_memory(), store.temporary_tables() as step_tables:
        step(0, VISITS)
        all_visits = claim_visits(
            store.table("claims"),
            store.table("claim_drugs"),
            store.table("claim_services"),
            store.table("facilities"),
            store.table("units"),
        )
        v = step_tables(all_visits.filter(all_visits.month_index <= ref))
        return _marts_from_visits(store, v, reference_date, ref, p, stamp, outcomes, step)


def _marts_from_visits(
    store: Store,
    v: ibis.Table,
    reference_date: dt.date,
    ref: int,
    p: ClaimParams,
    stamp: Stamp,
    outcomes: pa.Table | None,
    step: Callable[[int, str], None],
) -> dict[str, Any]:
    """Every mart after the rules, from the step's visits ``v``."""
    drugs, services = store.table("claim_drugs"), store.table("claim_services")
    o = None
    if outcomes is not None and outcomes.num_rows:
        o = ibis.memtable(outcomes.select(list(OUTCOME_SCHEMA.names)).cast(OUTCOME_SCHEMA))
    step(1, MART_SPENDING)
    store.write_mart(MART_SPENDING, spending(v, o), stamp)
    spend = store.read_mart(MART_SPENDING)
    estimates = store.table("spending_estimates")
    curve, summary = estimate_curve(spend, estimates, reference_date, p)
    store.write_mart(MART_ESTIMATE, ibis.memtable(curve), stamp)
    store.write_mart(
        MART_ESTIMATE_SUMMARY, ibis.memtable(pa.Table.from_pylist([summary], SUMMARY_SCHEMA)), stamp
    )
    done = sum(r["profile_share"] for r in curve.to_pylist() if r["actual"])
    store.write_mart(
        MART_FACILITY_ESTIMATE, facility_estimate(spend, estimates, reference_date, done), stamp
    )
    step(5, MART_INDICATORS)
    with store.temporary_tables() as temp:
        store.write_mart(MART_INDICATORS, indicators(v, ref, p, cache=temp), stamp)
    store.write_mart(MART_COST_GROWTH, cost_growth(store.read_mart(MART_INDICATORS)), stamp)
    step(7, MART_FLAGS)
    flags = claim_flags(
        v, store.table("residents"), drugs, services, store.table("tender_prices"), p
    )
    n_flags = store.write_mart(MART_FLAGS, flags, stamp)
    f = store.read_mart(MART_FLAGS)
    step(8, MART_SIGNALS)
    with store.temporary_tables() as temp:
        store.write_mart(MART_SIGNALS, signals(v, f, drugs, services, ref, temp), stamp)
    n_scores = store.write_mart(MART_SCORES, scores(store.read_mart(MART_SIGNALS), p), stamp)
    step(10, MART_REVIEW)
    n_review = store.write_mart(MART_REVIEW, review_list(f, v, store.table("claims")), stamp)
    return {
        "estimate": summary,
        "flags": n_flags,
        "flagged_claims": n_review,
        "scored": n_scores,
    }
