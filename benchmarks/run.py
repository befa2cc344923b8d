"""`make bench`: the figures the issues ask for, measured at realistic scale and printed as a table.

Each step runs in its own child process so that its wall time and peak resident memory are its
own (peak RSS read from getrusage in the child).  Results are also written to
bench-out/results.json.  Targets (issue 2, scale 1.0 Đồng Nai on a 2-core, 24 GiB machine):
synth < 120 s; import < 90 s with peak memory < 6 GiB.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

TARGETS: dict[str, dict[str, float]] = {
    "synth": {"seconds": 120.0},
    "import": {"seconds": 90.0, "peak_gib": 6.0},
}


def _peak_gib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def step_synth(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.synth.generator import generate

    out = Path(args.out) / "province"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    summary = generate(args.province, args.scale, args.seed, out)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "seconds": seconds,
        "peak_gib": _peak_gib(),
        "residents": summary.get("residents"),
        "bytes_written": size,
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
        "peak_gib": _peak_gib(),
        "files": len(result.files),
        "rows_imported": sum(f.rows_imported for f in result.files),
        "rows_rejected": sum(f.rows_rejected for f in result.files),
    }


STEPS = {"synth": step_synth, "import": step_import}


def run_child(step: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        step,
        "--scale",
        str(args.scale),
        "--province",
        args.province,
        "--seed",
        str(args.seed),
        "--out",
        args.out,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"benchmark step {step} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--province", default="Đồng Nai")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench-out"))
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(STEPS[args.child](args), default=str))
        return
    from rich.console import Console
    from rich.table import Table

    Path(args.out).mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "scale": args.scale,
        "province": args.province,
        "steps": {},
    }
    table = Table(title=f"baophu benchmarks — {args.province}, scale {args.scale}")
    for col in ("step", "seconds", "peak GiB", "target", "met", "detail"):
        table.add_column(col)
    all_met = True
    for step in args.steps.split(","):
        figures = run_child(step, args)
        target = TARGETS.get(step, {})
        met = all(figures[k] <= v for k, v in target.items())
        all_met &= met
        results["steps"][step] = {**figures, "target": target, "met": met}
        detail = ", ".join(
            f"{k}={v}" for k, v in figures.items() if k not in ("seconds", "peak_gib")
        )
        table.add_row(
            step,
            f"{figures['seconds']:.1f}",
            f"{figures['peak_gib']:.2f}",
            ", ".join(f"{k} ≤ {v}" for k, v in target.items()),
            "yes" if met else "NO",
            detail,
        )
    Console().print(table)
    (Path(args.out) / "results.json").write_text(json.dumps(results, indent=2, default=str))
    if not all_met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
