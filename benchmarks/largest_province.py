"""The largest province one machine handles (issue 15):
``python benchmarks/largest_province.py --province "Hồ Chí Minh" --scale 1.0 --until coverage``.

One province generated at ``--scale`` (without claims, in a process of its own that gives
its memory back), then imported and computed step by step in a child process exactly as
``benchmarks/nation.py`` computes each province of the nation (wall time and peak resident
memory per step).  The result,
``OUT/results-largest-<backend>.json``, has the shape of ``nation.py``'s results with one
province, so ``benchmarks/scale_model.py --check`` compares it with what the sizing model,
fitted on the nation's provinces, predicts for a province of its size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = "largest"


def generate_into(
    folder: Path, province: str, scale: float, seed: int, stamp: Path, wanted: dict
) -> None:
    """Generate the province (without claims) and stamp what was asked, its time and the
    generating process's peak memory."""
    from baophu.synth.generator import generate

    started = time.perf_counter()
    summary = generate(province, scale, seed, folder, claims=False)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stamp.write_text(json.dumps({"wanted": wanted, "seconds": seconds, "peak_mib": peak}))
    print(f"synth: {summary.get('population')} people, {seconds:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="Hồ Chí Minh")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench-out" / "largest"))
    parser.add_argument("--backend", default="duckdb")
    parser.add_argument("--until", default="", help="last pipeline step (default: every one)")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = Path(args.out)
    folder = out / "synth" / "provinces" / CODE
    stamp = folder / "generated.json"
    wanted = {"province": args.province, "scale": args.scale, "seed": args.seed}
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "backend": args.backend,
        "master": "",
        "scale": args.scale,
        "province": args.province,
        "until": args.until or "every step",
        "claims": False,
    }
    if args.generate:
        generate_into(folder, args.province, args.scale, args.seed, stamp, wanted)
        return
    if not stamp.exists() or json.loads(stamp.read_text()).get("wanted") != wanted:
        # in a child process: the generator's memory is given back before the steps run
        cmd = [sys.executable, __file__, "--generate", "--province", args.province]
        cmd += ["--scale", str(args.scale), "--seed", str(args.seed), "--out", str(out)]
        subprocess.run(cmd, check=True, cwd=ROOT)
    results["synth"] = json.loads(stamp.read_text())
    cmd = [sys.executable, str(ROOT / "benchmarks" / "nation.py"), "--child", CODE]
    cmd += ["--out", str(out), "--backend", args.backend, "--until", args.until]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit("the province failed (see above)")
    results["provinces"] = {CODE: json.loads(proc.stdout.strip().splitlines()[-1])}
    path = out / f"results-largest-{args.backend}.json"
    path.write_text(json.dumps(results, indent=1))
    for step, measured in results["provinces"][CODE]["steps"].items():
        print(f"{step}: {measured['seconds']:.1f} s, peak {measured['peak_mib']:.0f} MiB")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
