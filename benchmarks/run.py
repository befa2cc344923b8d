"""`make bench`: the figures the issues ask for, measured at realistic scale and printed as a table.

Each step runs in its own child process so that its wall time and peak resident memory are its
own (peak RSS read from getrusage in the child; every step reports `seconds` and `peak_gib`).
Results are also written to bench-out/results.json; the run fails if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def load_steps() -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """Steps come from benchmarks/steps_*.py, each exporting STEPS and TARGETS, in file order
    (steps_10_foundation.py before steps_20_coverage.py, …): later steps may use the province
    and workspace the earlier ones built under --out."""
    import importlib.util

    steps: dict[str, Any] = {}
    targets: dict[str, dict[str, float]] = {}
    for path in sorted(Path(__file__).parent.glob("steps_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        steps.update(module.STEPS)
        targets.update(module.TARGETS)
    return steps, targets


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
    parser.add_argument("--steps", default="", help="comma-separated; default: all")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    steps, targets = load_steps()
    if args.child:
        print(json.dumps(steps[args.child](args), default=str))
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
    for step in args.steps.split(",") if args.steps else list(steps):
        figures = run_child(step, args)
        target = targets.get(step, {})
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
