"""Benchmarks of issue 14: the risk checks.

Run after steps_10_foundation built ``OUT/province`` (with its truth) and ``OUT/workspace``.
``risk`` runs the pipeline up to the step before it (what is stale), then times the ``risk``
step alone — every check, one ``risk_cases`` mart — and measures the mart on the planted
truth (``synth.risk_truth``): precision and recall per planted kind.  Targets (scale 1.0
Đồng Nai, 2 cores): every check in under 2 minutes after import (the whole step, all checks
together, is timed against it); precision ≥ 0.98 and recall ≥ 0.95 for every kind
(``worst_false_share`` = 1 − the lowest precision ≤ 0.02, ``worst_miss_share`` = 1 − the
lowest recall ≤ 0.05).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path
from typing import Any


def peak_gib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def step_risk(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.engine.pipeline import pipeline_reference_date, run_pipeline, step_names
    from baophu.engine.risk import MART_CASES, run_risk
    from baophu.synth.risk_truth import planted_cases, score
    from baophu.workspace import Workspace

    ws = Workspace.open(Path(args.out) / "workspace")
    names = step_names()
    with ws.store() as store:
        run_pipeline(store, until=names[names.index("risk") - 1])
        day = pipeline_reference_date(store)
        started = time.perf_counter()
        summary = run_risk(store, day)
        seconds = time.perf_counter() - started
        cases = store.read_mart(MART_CASES).select("kind", "person_id", "evidence").to_pyarrow()
    scores = score(cases, planted_cases(Path(args.out) / "province" / "truth"))
    precisions = [s["precision"] for s in scores.values() if s["precision"] is not None]
    recalls = [s["recall"] for s in scores.values() if s["recall"] is not None]
    out: dict[str, Any] = {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "cases": summary["cases"],
        "worst_false_share": round(1 - min(precisions, default=1.0), 4),
        "worst_miss_share": round(1 - min(recalls, default=1.0), 4),
    }
    for kind, s in scores.items():
        out[f"{kind}_planted"] = s["planted"]
        out[f"{kind}_precision"] = s["precision"]
        out[f"{kind}_recall"] = s["recall"]
    for kind, v in summary["by_kind"].items():
        out[f"{kind}_cases"] = v["cases"]
        out[f"{kind}_amount"] = v["amount"]
    return out


STEPS = {"risk": step_risk}
TARGETS = {"risk": {"seconds": 120.0, "worst_false_share": 0.02, "worst_miss_share": 0.05}}
