"""Benchmark of issue 16: one province's full report set (the monthly steering-committee
report, the year-end report, the quarterly reports to Finance and Health, the inspection
list) as Word and PDF, from the marts at scale 1.0, in 60 s or less.

Run after the earlier steps built ``OUT/workspace``; the pipeline's stale steps are brought
up to date first (not timed: the reports read marts, they never compute them).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path
from typing import Any


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def step_documents(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.engine.pipeline import run_pipeline
    from baophu.reports.documents import KINDS, make_reports
    from baophu.workspace import Workspace

    ws = Workspace.open(Path(args.out) / "workspace")
    out = Path(args.out) / "documents"
    shutil.rmtree(out, ignore_errors=True)
    with ws.store() as store:
        run_pipeline(store)
        started = time.perf_counter()
        files = make_reports(store, list(KINDS), out)
        seconds = time.perf_counter() - started
    pages_bytes = sum(f.pdf.stat().st_size for f in files if f.pdf is not None)
    return {
        "seconds": round(seconds, 2),
        "peak_gib": peak_gib(),
        "reports": len(files),
        "pdf_bytes": pages_bytes,
        "reference_date": files[0].stamp["reference_date"] if files else None,
    }


STEPS = {"documents": step_documents}
TARGETS = {"documents": {"seconds": 60.0}}
