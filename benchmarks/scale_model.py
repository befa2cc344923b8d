"""The sizing model of docs/scale.md, fitted to what ``benchmarks/nation.py`` measured:

    python benchmarks/scale_model.py RESULTS.json [MORE.json ...] [--check ONE.json ...]
    python benchmarks/scale_model.py --measured RESULTS.json

For every step, seconds = a + b × residents is fitted by least squares over every province
of every RESULTS file of one backend (pooled: runs at several scales, so the points span
5,000 residents at scale 0.01 to 1.5 million at 0.1), and peak memory = c + d × residents
likewise.  The model is evaluated for the largest province at full size (Hồ Chí Minh City,
14.0 M) and summed over the 34 provinces at full size (113.2 M registered residents; 101.1 M
by the statistics office), and printed as Markdown:

- the fitted lines, with the largest relative residual of a measured province;
- the fit against the measurements, file by file: the sum over the provinces and the largest
  province, measured and fitted;
- a run of every province in one Spark application (``nation.py --one-application``): its
  first province, computed by a fresh driver, is left out of the fit, and what it took above
  the fit is counted once in the nightly run;
- ``--check`` files (``benchmarks/largest_province.py``: one province far above the fitted
  range) are left out of the fit and compared with what the fit predicts for them: the
  model's error where it extrapolates.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SCALE_FULL_RESIDENTS = 113_200_000
LARGEST_PROVINCE = 14_000_000
PROVINCES = 34


@dataclass(frozen=True)
class Line:
    """y ≈ a + b·x over ``points`` measured provinces, x from ``low`` to ``high``."""

    a: float
    b: float
    worst: float
    points: int
    low: float
    high: float

    def __call__(self, x: float) -> float:
        return self.a + self.b * x


def fit(x: np.ndarray, y: np.ndarray) -> Line:
    """Least-squares line and the largest relative residual of a measured point."""
    design = np.vstack([np.ones_like(x), x]).T
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    predicted = a + b * x
    worst = float(np.max(np.abs(predicted - y) / np.maximum(y, 1e-9)))
    return Line(float(a), float(b), worst, len(x), float(x.min()), float(x.max()))


def load(path: Path) -> dict[str, Any]:
    results: dict[str, Any] = json.loads(path.read_text())
    results["_path"] = str(path)
    return results


def _steps(runs: list[dict[str, Any]]) -> list[str]:
    """Every step measured in any run, in pipeline order (the first run's, then the rest)."""
    out: list[str] = []
    for run in runs:
        for province in run["provinces"].values():
            out += [s for s in province["steps"] if s not in out]
    return out


def _measures(run: dict[str, Any], step: str) -> bool:
    """Whether ``run`` measured ``step`` (a province generated without claims, as
    ``largest_province.py`` makes it, runs the claims step on nothing)."""
    return not (step == "claims" and run.get("claims") is False)


def _cold(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The provinces of a run in one application (``nation.py --one-application``) that were
    computed first, in a fresh driver: they pay Spark's start and warm-up, which the rest do
    not, so they are left out of the fit and the start is counted once (``_start``)."""
    provinces = list(run["provinces"].values())
    if not any(p.get("warm") for p in provinces):
        return []
    return [p for p in provinces if p.get("warm") is False]


def _points(runs: list[dict[str, Any]], step: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, secs, peaks = [], [], []
    for run in runs:
        if not _measures(run, step):
            continue
        cold = [id(p) for p in _cold(run)]
        for province in run["provinces"].values():
            if id(province) in cold:
                continue
            measured = province["steps"].get(step)
            if measured is not None:
                x.append(province["residents"])
                secs.append(measured["seconds"])
                peaks.append(measured["peak_mib"])
    return np.array(x, dtype=float), np.array(secs, dtype=float), np.array(peaks, dtype=float)


def model(runs: list[dict[str, Any]]) -> dict[str, tuple[Line, Line]]:
    """For every step, the line of seconds and the line of peak MiB over ``runs`` pooled."""
    out = {}
    for step in _steps(runs):
        x, secs, peaks = _points(runs, step)
        if len(x) >= 2 and np.ptp(x) > 0:
            out[step] = (fit(x, secs), fit(x, peaks))
    return out


def _fit_table(lines: dict[str, tuple[Line, Line]]) -> list[str]:
    rows = [
        "| step | points | residents measured | a (s) | b (s per M residents) | worst residual "
        "| c (MiB) | d (MiB per M) | HCM 14 M: s | HCM 14 M: peak GiB | nation 113 M: s |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step, (secs, peak) in lines.items():
        rows.append(
            f"| {step} | {secs.points} | {secs.low / 1e3:,.0f} k – {secs.high / 1e6:.2f} M "
            f"| {secs.a:.2f} | {secs.b * 1e6:.1f} | {secs.worst:.0%} | {peak.a:.0f} "
            f"| {peak.b * 1e6:.0f} | {secs(LARGEST_PROVINCE):,.0f} "
            f"| {peak(LARGEST_PROVINCE) / 1024:.1f} "
            f"| {PROVINCES * secs.a + secs.b * SCALE_FULL_RESIDENTS:,.0f} |"
        )
    return rows


def _against(run: dict[str, Any], lines: dict[str, tuple[Line, Line]]) -> list[str]:
    """One run's measurements next to the fitted values (sum and largest province)."""
    provinces = run["provinces"]
    largest = max(provinces.values(), key=lambda p: p["residents"])
    total = sum(p["residents"] for p in provinces.values())
    rows = [
        f"{run['backend']}, scale {run['scale']}, {len(provinces)} provinces "
        f"({total:,} residents; the largest {largest['residents']:,}), `{run['_path']}`:",
        "",
        "| step | Σ measured s | Σ fitted s | largest measured s | largest fitted s "
        "| largest peak MiB measured | fitted |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for step, (secs, peak) in lines.items():
        measured = [p for p in provinces.values() if step in p["steps"]]
        if not measured or not _measures(run, step):
            continue
        sum_measured = sum(p["steps"][step]["seconds"] for p in measured)
        sum_fitted = sum(secs(p["residents"]) for p in measured)
        big = largest["steps"].get(step)
        if big is None:
            continue
        rows.append(
            f"| {step} | {sum_measured:,.1f} | {sum_fitted:,.1f} | {big['seconds']:,.1f} "
            f"| {secs(largest['residents']):,.1f} | {big['peak_mib']:,.0f} "
            f"| {peak(largest['residents']):,.0f} |"
        )
    return rows


def _start(runs: list[dict[str, Any]], lines: dict[str, tuple[Line, Line]]) -> float:
    """Seconds a fresh application costs above the fit: the cold provinces' measured time
    less their fitted time, averaged (0 where every province had a process of its own)."""
    extra = [
        sum(
            p["steps"][step]["seconds"] - secs(p["residents"])
            for step, (secs, _) in lines.items()
            if step in p["steps"] and _measures(run, step)
        )
        for run in runs
        for p in _cold(run)
    ]
    return float(np.mean(extra)) if extra else 0.0


def nightly(lines: dict[str, tuple[Line, Line]], start: float = 0.0) -> list[str]:
    whole = start + sum(PROVINCES * s.a + s.b * SCALE_FULL_RESIDENTS for s, _ in lines.values())
    largest = start + sum(s(LARGEST_PROVINCE) for s, _ in lines.values())
    rows = [
        f"Every step for the {PROVINCES} provinces at full size, one after another on one "
        f"such machine: {whole / 3600:.1f} h; the largest province alone: "
        f"{largest / 3600:.1f} h."
        + (
            f"  Both include, once, the {start:.0f} s by which the first province of an "
            "application (a fresh driver) took longer than the fit."
            if start
            else ""
        ),
        "",
        "| machines like this one | nightly run (h) |",
        "|---:|---:|",
    ]
    for machines in (1, 4, 8, 17, 34):
        rows.append(f"| {machines} | {max(largest, whole / machines) / 3600:.1f} |")
    return rows


def markdown(paths: list[Path], checks: list[Path]) -> str:
    runs = [load(p) for p in paths]
    out: list[str] = []
    for backend in dict.fromkeys(r["backend"] for r in runs):
        mine = [r for r in runs if r["backend"] == backend]
        lines = model(mine)
        scales = ", ".join(str(r["scale"]) for r in mine)
        masters = ", ".join(dict.fromkeys(r.get("master") or "" for r in mine if r.get("master")))
        where = f" ({masters})" if backend != "duckdb" and masters else ""
        out += [f"### The fit: {backend}{where}, scales {scales}", "", *_fit_table(lines), ""]
        out += ["#### The fit against the measurements", ""]
        for run in mine:
            out += [*_against(run, lines), ""]
        for check in (load(c) for c in checks):
            if check["backend"] == backend:
                out += ["#### Out of the fitted range (not used to fit)", ""]
                out += [*_against(check, lines), ""]
        out += [*nightly(lines, _start(mine, lines)), ""]
    return "\n".join(out)


def measured(path: Path) -> str:
    """Every province measured: its size and each step's seconds (peak MiB of the largest)."""
    results = load(path)
    provinces = results["provinces"]
    steps = _steps([results])
    lines = [
        "| province | residents | enrolments | claim rows | " + " | ".join(steps) + " | peak MiB |",
        "|---|---:|---:|---:|" + "---:|" * len(steps) + "---:|",
    ]
    for code, p in sorted(provinces.items(), key=lambda kv: kv[1]["residents"]):
        secs = " | ".join(f"{p['steps'][s]['seconds']:.1f}" for s in steps)
        peak = max(p["steps"][s]["peak_mib"] for s in steps)
        cold = " (first, fresh driver)" if p.get("warm") is False and _cold(results) else ""
        lines.append(
            f"| {code}{cold} | {p['residents']:,} | {p['enrolments']:,} | {p.get('claims', 0):,} "
            f"| {secs} | {peak:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--check", nargs="*", type=Path, default=[])
    parser.add_argument("--measured", action="store_true", help="the per-province table")
    args = parser.parse_args()
    if args.measured:
        for path in args.results:
            print(measured(path))
    else:
        print(markdown(args.results, args.check))


if __name__ == "__main__":
    main()
