"""The sizing model of docs/scale.md, fitted to what ``benchmarks/nation.py`` measured:
``python benchmarks/scale_model.py bench-out/nation/results-duckdb.json [more.json]``.

For every step, seconds = a + b × residents is fitted by least squares over the provinces
of one run (34 points from 5,000 to 140,000 residents at scale 0.01), and peak memory =
c + d × residents likewise.  The model is then evaluated for the largest province at full
size (Hồ Chí Minh City, 14.0 M) and summed over the 34 provinces at full size (113.2 M
registered residents; 101.1 M by the statistics office), and printed as Markdown: the fit
next to every measured point's residual, so a reader sees how well a straight line holds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

SCALE_FULL_RESIDENTS = 113_200_000
LARGEST_PROVINCE = 14_000_000


def fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Intercept, slope and the largest relative residual of y ≈ a + b·x."""
    design = np.vstack([np.ones_like(x), x]).T
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    predicted = a + b * x
    worst = float(np.max(np.abs(predicted - y) / np.maximum(y, 1e-9)))
    return float(a), float(b), worst


def model(results: dict[str, Any]) -> list[dict[str, Any]]:
    provinces = results["provinces"]
    residents = np.array([p["residents"] for p in provinces.values()], dtype=float)
    steps = list(next(iter(provinces.values()))["steps"])
    out = []
    for step in steps:
        secs = np.array([p["steps"][step]["seconds"] for p in provinces.values()])
        peaks = np.array([p["steps"][step]["peak_mib"] for p in provinces.values()])
        a, b, worst = fit(residents, secs)
        c, d, worst_mem = fit(residents, peaks)
        out.append(
            {
                "step": step,
                "measured_sum_s": float(secs.sum()),
                "measured_max_s": float(secs.max()),
                "measured_max_peak_mib": float(peaks.max()),
                "a_s": a,
                "b_s_per_million": b * 1e6,
                "worst_residual": worst,
                "c_mib": c,
                "d_mib_per_million": d * 1e6,
                "worst_residual_mem": worst_mem,
                "largest_s": a + b * LARGEST_PROVINCE,
                "largest_peak_gib": (c + d * LARGEST_PROVINCE) / 1024,
                "nation_s": 34 * a + b * SCALE_FULL_RESIDENTS,
            }
        )
    return out


def markdown(path: Path) -> str:
    results = json.loads(path.read_text())
    rows = model(results)
    n = len(results["provinces"])
    total = sum(p["residents"] for p in results["provinces"].values())
    lines = [
        f"### {results['backend']} ({results.get('master', '')}), scale {results['scale']}: "
        f"{n} provinces, {total:,} residents",
        "",
        "| step | Σ measured s | largest province s | peak MiB | a (s) | b (s per M residents) "
        "| worst residual | HCM 14 M: s | HCM 14 M: peak GiB | nation 113 M: s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['step']} | {r['measured_sum_s']:.1f} | {r['measured_max_s']:.1f} "
            f"| {r['measured_max_peak_mib']:.0f} | {r['a_s']:.2f} | {r['b_s_per_million']:.1f} "
            f"| {r['worst_residual']:.0%} | {r['largest_s']:.0f} | {r['largest_peak_gib']:.1f} "
            f"| {r['nation_s']:.0f} |"
        )
    whole = sum(r["nation_s"] for r in rows)
    largest = sum(r["largest_s"] for r in rows)
    lines += [
        "",
        f"Every step for the 34 provinces at full size, one after another on one such "
        f"machine: {whole / 3600:.1f} h; the largest province alone: {largest / 3600:.1f} h.",
        "",
        "A nightly run: the provinces are independent workspaces, so machines share them "
        "and the night lasts at least as long as the largest province.",
        "",
        "| machines like this one | nightly run (h) |",
        "|---:|---:|",
    ]
    for machines in (1, 4, 8, 17, 34):
        lines.append(f"| {machines} | {max(largest, whole / machines) / 3600:.1f} |")
    return "\n".join(lines) + "\n"


def measured(path: Path) -> str:
    """Every province measured: its size and each step's seconds (peak MiB of the largest)."""
    results = json.loads(path.read_text())
    provinces = results["provinces"]
    steps = list(next(iter(provinces.values()))["steps"])
    lines = [
        "| province | residents | enrolments | claims | " + " | ".join(steps) + " | peak MiB |",
        "|---|---:|---:|---:|" + "---:|" * len(steps) + "---:|",
    ]
    for code, p in sorted(provinces.items(), key=lambda kv: kv[1]["residents"]):
        secs = " | ".join(f"{p['steps'][s]['seconds']:.1f}" for s in steps)
        peak = max(p["steps"][s]["peak_mib"] for s in steps)
        lines.append(
            f"| {code} | {p['residents']:,} | {p['enrolments']:,} | {p.get('claims', 0):,} "
            f"| {secs} | {peak:.0f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1] == "--measured":
        sys.stdout.write(measured(Path(sys.argv[2])))
    else:
        for arg in sys.argv[1:]:
            sys.stdout.write(markdown(Path(arg)) + "\n")
