"""Benchmarks of issue 5: employer compliance and the monthly notices.

Run after steps_10_foundation built ``OUT/province`` (with its truth) and ``OUT/workspace``.
Targets (scale 1.0 Đồng Nai, 2 cores): arrears, interest, scores and lists for every employer
in 20 s or less; one notice in 1 s or less; every employer's notice (PDF + one workbook per
case officer) in 600 s or less.  ``compliance`` also reports the evasion ranking measured on
the synthetic truth: precision among the top 100, precision and recall of the inspection flag
(``false_share_at_100`` = 1 − precision@100 is a target, ≤ 0.1), and, per kind of evasion
planted (headcount, wages, unregistered), its recall in the top k (k = 100 and the number
planted) beside its share of the money at stake (the planted true minus declared wage bill
× the contribution rate): with the ranking by money, each kind reaches the top of the list
in proportion to what it evades (issue 14).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path
from typing import Any


def peak_gib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def _workspace(args: argparse.Namespace) -> Any:
    from baophu.workspace import Workspace

    return Workspace.open(Path(args.out) / "workspace")


def step_compliance(args: argparse.Namespace) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from baophu.engine.compliance.run import run_compliance

    ws = _workspace(args)
    with ws.store() as store:
        started = time.perf_counter()
        summary = run_compliance(store)
        seconds = time.perf_counter() - started
        scores = store.mart("evasion_scores").order_by("rank")
        rows = scores.select("entity_key", "flagged").to_pyarrow().to_pylist()
    truth = pq.read_table(Path(args.out) / "province" / "truth" / "evaders.parquet")
    by_kind = recall_by_kind(rows, truth.to_pandas())
    planted = {
        r["employer_code"] or f"MST:{r['tax_code']}"
        for r in truth.select(["employer_code", "tax_code"]).to_pylist()
    }
    top = rows[:100]
    precision = sum(r["entity_key"] in planted for r in top) / max(len(top), 1)
    flagged = {r["entity_key"] for r in rows if r["flagged"]}
    hits = len(flagged & planted)
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "false_share_at_100": round(1 - precision, 4),
        "precision_at_100": round(precision, 4),
        "recall": round(hits / max(len(planted), 1), 4),
        "flag_precision": round(hits / max(len(flagged), 1), 4),
        "planted": len(planted),
        "flagged": len(flagged),
        "employers": summary["employers"],
        "arrears_ratio": round(summary["arrears_ratio"] or 0.0, 5),
        "late_3plus": summary["employers_late_3plus"],
        "by_kind": by_kind,
    }


def recall_by_kind(rows: list[dict[str, Any]], truth: Any) -> dict[str, Any]:
    """Per planted kind: how many, their share of the monthly wages kept out of the
    contributions, and their recall in the top 100 and in the top k = all planted."""
    truth = truth.assign(
        key=truth.employer_code.where(truth.employer_code.notna(), "MST:" + truth.tax_code),
        at_stake=(truth.true_wage_bill - truth.declared_wage_bill).clip(lower=0),
    )
    order = [r["entity_key"] for r in rows]
    k_all = len(truth)
    out: dict[str, Any] = {}
    total = float(truth.at_stake.sum()) or 1.0
    top_keys = set(order[:100])
    for kind, g in truth.groupby("kind"):
        keys = set(g.key)
        out[str(kind)] = {
            "planted": len(keys),
            "money_share": round(float(g.at_stake.sum()) / total, 4),
            "recall_at_100": round(len(keys & set(order[:100])) / len(keys), 4),
            f"recall_at_{k_all}": round(len(keys & set(order[:k_all])) / len(keys), 4),
            "share_of_top_100": round(
                len(keys & set(order[:100])) / max(min(100, len(order)), 1), 4
            ),
            "money_found_at_100": round(
                float(g[g.key.isin(top_keys)].at_stake.sum()) / (float(g.at_stake.sum()) or 1.0),
                4,
            ),
        }
    top = truth[truth.key.isin(top_keys)]
    out["all"] = {"money_found_at_100": round(float(top.at_stake.sum()) / total, 4)}
    return out


def _notice_month(store: Any) -> Any:
    from baophu.engine.dates import as_day

    stamp = next(m for m in store.marts() if m["mart"] == "employer_balance")
    return as_day(stamp["reference_date"]).replace(day=1)


def step_notice_one(args: argparse.Namespace) -> dict[str, Any]:
    """One employer's notice, PDF and workbook: opening the workspace, the query on the marts
    and both files (``seconds``); ``fresh_process_s`` is the whole step in a new process, with
    the modules loaded as a fresh ``baophu compliance notice`` command loads them."""
    started = time.perf_counter()
    from baophu.reports.notice import load_notices
    from baophu.reports.notice_pdf import register_fonts, write_notice_pdf
    from baophu.reports.notice_xlsx import write_notice_xlsx

    out = Path(args.out) / "notice_one"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with _workspace(args).store() as store:  # the employer with the largest late amount
        month = _notice_month(store)
        balance = store.mart("employer_balance")
        code = balance.order_by(balance.late_amount.desc()).limit(1).employer_code
        employer = code.to_pyarrow().to_pylist()[0]
    t0 = time.perf_counter()
    register_fonts()
    with _workspace(args).store() as store:
        notice = load_notices(store, month, employer_code=employer)[0]
        write_notice_pdf(notice, out / f"{employer}.pdf")
        write_notice_xlsx(notice, out / f"{employer}.xlsx")
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "fresh_process_s": round(time.perf_counter() - started, 3),
        "employer": employer,
    }


def step_notices_batch(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.reports.notice_batch import write_notice_batch

    out = Path(args.out) / "notices"
    shutil.rmtree(out, ignore_errors=True)
    ws = _workspace(args)
    with ws.store() as store:
        month = _notice_month(store)
        started = time.perf_counter()
        result = write_notice_batch(store, month, out, workers=2)
        seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "notices": result["notices"],
        "workbooks": result["workbooks"],
        "mib_written": round(size / 2**20, 1),
    }


STEPS = {
    "compliance": step_compliance,
    "notice_one": step_notice_one,
    "notices_batch": step_notices_batch,
}
TARGETS = {
    "compliance": {"seconds": 20.0, "false_share_at_100": 0.1},
    "notice_one": {"seconds": 1.0},
    "notices_batch": {"seconds": 600.0},
}
