"""Benchmarks of issue 2: synthetic province generation and import at scale.

Targets (scale 1.0 Đồng Nai, 2 cores, 24 GiB): synth < 120 s (with its history: issue 17,
about five years simulated month by month, docs/synthetic-province.md); import < 90 s,
peak < 6 GiB.
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


def step_synth(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.synth.generator import generate

    out = Path(args.out) / "province"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    summary = generate(args.province, args.scale, args.seed, out, claims=False)  # claims: steps_70
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "residents": summary.get("residents", summary.get("population")),
        "enrolment_rows": summary.get("enrolment_rows"),
        "ledger_rows": summary.get("ledger_rows"),
        "mib_written": round(size / 2**20, 1),
    }


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.ingest.importer import import_paths
    from baophu.workspace import Workspace, init_workspace

    ws_dir = Path(args.out) / "workspace"
    shutil.rmtree(ws_dir, ignore_errors=True)
    init_workspace(ws_dir)
    ws = Workspace.open(ws_dir)
    inputs = Path(args.out) / "province" / "inputs"
    started = time.perf_counter()
    with ws.store() as store:
        result = import_paths(store, [inputs], ws.rejects_dir)
    seconds = time.perf_counter() - started
    if not result.committed:
        raise SystemExit(f"import failed: {result.error}")
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "files": len(result.files),
        "rows_imported": sum(f.rows_imported for f in result.files),
        "rows_rejected": sum(f.rows_rejected for f in result.files),
    }


STEPS = {"synth": step_synth, "import": step_import}
TARGETS = {"synth": {"seconds": 120.0}, "import": {"seconds": 90.0, "peak_gib": 6.0}}
