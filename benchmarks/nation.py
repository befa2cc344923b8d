"""The nation, measured (issue 15): ``python benchmarks/nation.py --scale 0.01``.

1. ``synth``: the 34 provinces generated in parallel (``baophu synth --province all``): wall
   time, and the peak memory of the largest generating process.
2. For each province, in its own child process (with ``--backend pyspark``, every province in
   one child process, one Spark application, as ``baophu nation build`` runs them: the
   driver's JVM starts and warms once; ``--no-one-application`` for a process each): its
   workspace (DuckDB, or Spark with ``--backend pyspark --master spark://…``), the import,
   then every step of the pipeline, one at a time: wall time and peak resident memory per
   step.  The peak is reset before each step (``/proc/<pid>/clear_refs``) for this process
   and its children (Spark's driver JVM), so each step reports its own peak.  Executors of
   a cluster are the workers' children, not ours: their memory is not measured here (the
   workers' ``--memory`` bounds it).
3. ``nation``: the provinces ranked (``engine.nation``).

``--until coverage`` stops each province after that step (national coverage: import,
identity, coverage); ``--no-claims`` generates the nation without BHYT claims.  Results go to
``OUT/results-<backend>.json`` and are printed as a table: for every step, the
sum of the provinces' seconds (the work of a nightly run on one machine) and the largest
province's seconds and peak memory.  ``docs/scale.md`` fits its sizing model to these files.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (the processes this benchmark started)."""
    out: list[int] = []
    task = Path(f"/proc/{pid}/task")
    for t in task.glob("*"):
        children = t / "children"
        if children.exists():
            for c in children.read_text().split():
                out.append(int(c))
                out.extend(_children(int(c)))
    return out


def _reset_peaks() -> None:
    for pid in [os.getpid(), *_children(os.getpid())]:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")


def _peak_mib() -> float:
    total = 0
    for pid in [os.getpid(), *_children(os.getpid())]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def province(args: argparse.Namespace, code: str) -> dict[str, Any]:
    """One province: its workspace created, imported, every step run, each step timed."""
    from baophu.engine.pipeline import Inputs, run_pipeline, step_names
    from baophu.ingest.importer import import_paths
    from baophu.workspace import Workspace, init_workspace

    out = Path(args.out)
    inputs = out / "synth" / "provinces" / code / "inputs"
    root = out / f"ws-{args.backend}" / "provinces" / code
    shutil.rmtree(root, ignore_errors=True)  # every step computed, none found current
    init_workspace(root, backend=args.backend, spark_master=args.master)
    ws = Workspace.open(root)
    steps: dict[str, dict[str, float]] = {}
    with ws.store() as store:
        _reset_peaks()
        started = time.perf_counter()
        result = import_paths(store, [inputs], ws.rejects_dir)
        assert result.committed, result.error
        steps["import"] = {"seconds": time.perf_counter() - started, "peak_mib": _peak_mib()}
        residents = store.row_count("residents")
        enrolments = store.row_count("enrolments")
        claims = store.row_count("claims")
        names = step_names()
        if args.until:
            names = names[: names.index(args.until) + 1]
        for step in names:
            _reset_peaks()
            started = time.perf_counter()
            run_pipeline(store, Inputs(), until=step)
            steps[step] = {"seconds": time.perf_counter() - started, "peak_mib": _peak_mib()}
    return {"residents": residents, "enrolments": enrolments, "claims": claims, "steps": steps}


def child(args: argparse.Namespace) -> None:
    """The provinces of ``--child`` (codes, comma-separated) one after another in this
    process: a JSON line for each as it is done."""
    for i, code in enumerate(args.child.split(",")):
        result = province(args, code)
        result["warm"] = i > 0  # in a process (a Spark driver) that computed a province before
        print(json.dumps({"code": code, **result}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench-out" / "nation"))
    parser.add_argument("--backend", default="duckdb")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--workers", type=int, default=2, help="processes generating")
    parser.add_argument("--provinces", default="", help="codes to compute (default: all)")
    parser.add_argument("--until", default="", help="last pipeline step (default: every one)")
    parser.add_argument(
        "--no-claims", action="store_true", help="generate the provinces without claims"
    )
    parser.add_argument(
        "--one-application",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="every province in one process, one Spark application (default with pyspark)",
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.one_application is None:
        args.one_application = args.backend == "pyspark"
    from rich.console import Console
    from rich.table import Table

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "scale": args.scale,
        "backend": args.backend,
        "master": args.master,
        "until": args.until or "every step",
        "claims": not args.no_claims,
    }
    synth = out / "synth"
    if (
        not (synth / "nation.json").exists()
        or json.loads((synth / "nation.json").read_text()).get("scale") != args.scale
    ):
        from baophu.synth.nation import generate_nation

        started = time.perf_counter()
        generate_nation(
            args.scale, args.seed, synth, workers=args.workers, claims=not args.no_claims
        )
        results["synth_seconds_this_run"] = round(time.perf_counter() - started, 1)
    nation = json.loads((synth / "nation.json").read_text())
    results["synth"] = {
        "seconds": nation["seconds"],
        "workers": nation["workers"],
        "peak_mib_largest_process": round(nation["peak_rss_kib_largest_province"] / 1024, 1),
        "population": nation["totals"]["population"],
        "communes": nation["totals"]["communes"],
    }
    # smallest and largest in turn, so that a run cut short still spans the sizes to fit
    by_size = sorted(nation["by_province"], key=lambda c: nation["by_province"][c]["population"])
    codes = [by_size[i // 2] if i % 2 == 0 else by_size[-1 - i // 2] for i in range(len(by_size))]
    if args.provinces:
        codes = [c for c in codes if c in args.provinces.split(",")]
    results["one_application"] = args.one_application
    provinces: dict[str, Any] = {}
    batches = [codes] if args.one_application else [[c] for c in codes]
    for batch in batches:
        cmd = [sys.executable, __file__, "--child", ",".join(batch), "--out", str(out)]
        cmd += ["--backend", args.backend, "--master", args.master, "--until", args.until]
        log = out / f"child-{args.backend}.log"  # a file: a full stderr pipe would block it
        with (
            log.open("w") as err,
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT) as proc,
        ):
            assert proc.stdout is not None
            for line in proc.stdout:
                if not line.startswith('{"code"'):
                    continue
                done = json.loads(line)
                code = done.pop("code")
                provinces[code] = done
                total = sum(s["seconds"] for s in done["steps"].values())
                print(f"{code}: {done['residents']} residents, {total:.1f} s", flush=True)
                results["provinces"] = provinces
                (out / f"results-{args.backend}.json").write_text(json.dumps(results, indent=1))
        if proc.returncode != 0:
            sys.stderr.write(log.read_text()[-3000:])
            raise SystemExit(f"provinces {','.join(batch)} failed")
    results["provinces"] = provinces
    if len(codes) == len(nation["by_province"]) and not args.until:
        from baophu.engine.nation import run_nation
        from baophu.workspace import Workspace, init_workspace

        root = out / f"ws-{args.backend}"
        init_workspace(root, backend=args.backend, spark_master=args.master)
        stores = {c: Workspace.open(root / "provinces" / c).store() for c in codes}
        started = time.perf_counter()
        with Workspace.open(root).store() as store:
            run_nation(store, stores)
        results["nation_seconds"] = round(time.perf_counter() - started, 2)
    (out / f"results-{args.backend}.json").write_text(json.dumps(results, indent=1))
    table = Table(title=f"Nation, scale {args.scale}, {args.backend} ({len(codes)} provinces)")
    for col in ("step", "Σ seconds", "largest province s", "max peak MiB"):
        table.add_column(col, justify="right")
    names = list(next(iter(provinces.values()))["steps"]) if provinces else []
    for name in names:
        secs = [p["steps"][name]["seconds"] for p in provinces.values()]
        peaks = [p["steps"][name]["peak_mib"] for p in provinces.values()]
        table.add_row(name, f"{sum(secs):.1f}", f"{max(secs):.1f}", f"{max(peaks):.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
