"""The synthetic nation: all 34 provinces, ``generate_nation(scale, seed, out)``
(``baophu synth --province all``).

Each province is the synthetic province of ``generator.generate`` sized to its real
population × ``scale`` (3,321 communes in all), with its own seed (``seed × 1000 + province
code``), written to ``OUT/provinces/<code>/`` (``inputs/``, ``truth/``) — the same files and
ground truth as a province generated alone (but for the cross-province people, below).
Provinces are generated in parallel, in worker processes, largest first; each writes its
files as soon as they are ready and leaves memory when it is done, so the memory a national
run needs is that of the ``workers`` largest provinces in flight, whatever the scale of the
nation (the link pass after them holds one province's files at a time).

Once every province is written, ``nation_links.link_nation`` makes the two sides of a
commute name the same person (a resident of A working in B is, in B's files, one of B's
commuters) and writes ``OUT/truth/cross_province.parquet``; its counts are
``nation.json``'s ``cross_province``.  ``codes`` generates only some provinces (tests).

``OUT/nation.json`` sums the provinces: population, communes, hamlets, and every
indicator's count and denominator at the end of 2025 and at the reference date, against the
national 2025 figures (``NATIONAL_2025``: BHYT 95.16 %, BHXH 45.1 %, BHTN 35.07 %).
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.context
import os
import shutil
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from baophu.contracts.progress import Progress
from baophu.rules.parameters import files_in_force, use_files
from baophu.synth.generator import generate
from baophu.synth.geography import ProvinceInfo, provinces
from baophu.synth.nation_links import link_nation

# DOMAIN.md: the national figures reached at the end of 2025 (Vietnam Social Security).
NATIONAL_2025 = {"bhyt_rate": 0.9516, "bhxh_rate": 0.451, "bhtn_rate": 0.3507}
# The seeds' voluntary BHXH participants are Đồng Nai's (40,100 at scale 1.0, about 2 % of
# its voluntary pool); scaled to every province they give the nation 1.3 % of its labour
# force where the country has about 6 %.  Measured on the nation at scale 0.0005 with a
# factor of 1 (2025-12-31): labour force 36,557, compulsory 13,520, voluntary 479, so BHXH
# 38.3 %; 45.1 % needs 0.451 × 36,557 − 13,520 = 2,967 voluntary participants: 2,967 / 479.
NATIONAL_VOLUNTARY_FACTOR = 6.19
COMMUNES_2025 = 3321  # communes and wards after the 2025 reorganisation
YEAR_END_2025 = date(2025, 12, 31)
INDICATORS = ("bhyt_rate", "bhxh_rate", "bhtn_rate", "compulsory_rate", "voluntary_rate")


def province_seed(seed: int, info: ProvinceInfo) -> int:
    return seed * 1000 + info.code


def province_dir(out: Path, info: ProvinceInfo) -> Path:
    return out / "provinces" / info.code2


def _one(name: str, scale: float, seed: int, out: str, as_of: date, claims: bool) -> dict[str, Any]:
    """One province in a worker process; returns its summary (the generator's counts) and the
    peak memory of the process (KiB, from the kernel)."""
    counts = generate(
        name,
        scale,
        seed,
        Path(out),
        as_of=as_of,
        claims=claims,
        voluntary_factor=NATIONAL_VOLUNTARY_FACTOR,
        forms=False,  # drawn by link_nation, from the enrolments as the links rewrite them
    )
    counts["peak_rss_kib"] = _peak_rss_kib()
    return counts


def worker_context() -> multiprocessing.context.BaseContext:
    """How the workers start: forked from this process while it has no other thread (fast:
    they import nothing again); else from a fork server, a clean process.  A process with
    threads of its own (a progress bar's, a Spark gateway's, a test runner's) forked
    mid-flight can leave a child holding a lock no thread will release, or crash it: a
    province's worker died so once in a test worker that had run the Spark tests."""
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")


def _peak_rss_kib() -> int:
    status = Path("/proc/self/status")
    if not status.exists():
        return 0
    for line in status.read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def generate_nation(
    scale: float,
    seed: int,
    out: Path,
    as_of: date = date(2026, 10, 31),
    workers: int | None = None,
    progress: Progress | None = None,
    claims: bool = True,
    codes: list[int] | None = None,
    forms: bool = True,
) -> dict[str, Any]:
    """All 34 provinces (or those of ``codes``) into ``out/provinces/<code>/``, in parallel,
    their cross-province people linked; returns (and writes to ``out/nation.json``) the
    national summary.  ``claims=False`` leaves out the BHYT claims, ``forms=False`` the sample
    forms and the agents' money (a nation for the national ranking reads neither; each
    province's ``summary.json`` then says ``"forms": null``)."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    every = sorted(
        (p for p in provinces() if codes is None or p.code in codes), key=lambda p: -p.population
    )  # largest first
    if not every:
        known = ", ".join(f"{p.code:02d}" for p in sorted(provinces(), key=lambda p: p.code))
        raise ValueError(f"no province has the codes {codes!r} (integers among: {known})")
    out = Path(out)
    if (out / "provinces").exists():
        shutil.rmtree(out / "provinces")
    (out / "provinces").mkdir(parents=True)
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(every)))
    started = time.perf_counter()
    summaries: dict[int, dict[str, Any]] = {}
    # each worker with the parameter and policy files in force here (a worker from the fork
    # server would start with the default ones)
    with ProcessPoolExecutor(
        max_workers=n_workers,
        mp_context=worker_context(),
        initializer=use_files,
        initargs=files_in_force(),
    ) as pool:
        running: dict[Future[dict[str, Any]], ProvinceInfo] = {}
        queue = list(every)

        def submit() -> None:
            info = queue.pop(0)
            job = pool.submit(
                _one,
                info.name,
                scale,
                province_seed(seed, info),
                str(province_dir(out, info)),
                as_of,
                claims,
            )
            running[job] = info

        # never more provinces in flight than workers: the memory bound of a national run
        while queue and len(running) < n_workers:
            submit()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for job in done:
                info = running.pop(job)
                summaries[info.code] = job.result()
                if progress is not None:
                    progress(info.name, len(summaries), len(every))
                if queue:
                    submit()
        linked = link_nation(out, seed, as_of, pool=pool, forms=forms)
    seconds = time.perf_counter() - started
    result = national_summary(out, scale, seed, as_of, summaries)
    result["cross_province"] = linked
    result["seconds"] = round(seconds, 2)
    result["workers"] = n_workers
    (out / "nation.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return result


def national_summary(
    out: Path, scale: float, seed: int, as_of: date, summaries: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """The provinces' counts summed, and the national rates from their ground truth
    (``truth/coverage_path.parquet``) at the end of 2025 and at ``as_of``."""
    totals: dict[str, int] = {}
    for key in ("population", "residents_in_register", "communes", "hamlets", "households"):
        totals[key] = sum(int(s[key]) for s in summaries.values())
    for key in ("employers", "enrolment_rows", "commuters", "enrolments_other_province"):
        totals[key] = sum(int(s.get(key, 0)) for s in summaries.values())
    rates = {}
    for label, day in (("2025-12-31", YEAR_END_2025), ("as_of", as_of)):
        counts = {i: [0, 0] for i in INDICATORS}
        for code in summaries:
            info = next(p for p in provinces() if p.code == code)
            path = province_dir(out, info) / "truth" / "coverage_path.parquet"
            table = pq.read_table(
                path, columns=["reference_date", "indicator", "true_count", "denominator"]
            )
            month_end = table.filter(pc.equal(table.column("reference_date"), day))
            for row in month_end.to_pylist():
                if row["indicator"] in counts:
                    counts[row["indicator"]][0] += int(row["true_count"])
                    counts[row["indicator"]][1] += int(row["denominator"])
        rates[label] = {
            i: {"count": c, "denominator": d, "rate": round(c / d, 6) if d else None}
            for i, (c, d) in counts.items()
        }
    return {
        "scale": scale,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "provinces": len(summaries),
        "totals": totals,
        "rates": rates,
        "national_2025": NATIONAL_2025,
        "peak_rss_kib_largest_province": max(
            (int(s.get("peak_rss_kib", 0)) for s in summaries.values()), default=0
        ),
        "by_province": {
            f"{code:02d}": {
                "province": s["province"],
                "population": s["population"],
                "communes": s["communes"],
                "bhyt_coverage": s["bhyt_coverage"],
                "peak_rss_kib": s.get("peak_rss_kib", 0),
                "seconds": round(sum(s.get("timings_s", {}).values()), 2),
            }
            for code, s in sorted(summaries.items())
        },
    }
