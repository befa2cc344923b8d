"""Benchmarks of issue 4: the potential lists and the collectors' work sheets.

Run after steps_10_foundation built ``OUT/province`` and ``OUT/workspace`` (every input
imported, school rosters and benefit lists included).  Targets (scale 1.0 Đồng Nai, 2 cores):
``lists`` — every list for the whole province (the ``potential_list``, ``potential_persons``
and ``potential_summary`` marts) in under 60 s; ``collector_workbook`` — the work sheets of
one collector (the one with the most people) in under 2 s.  ``lists`` also reports how many
people each reason found next to what the generator planted (``truth/summary.json``).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path
from typing import Any


def peak_gib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def _workspace(args: argparse.Namespace) -> Any:
    from baophu.workspace import Workspace

    return Workspace.open(Path(args.out) / "workspace")


def step_lists(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.engine.potential.run import run_lists

    ws = _workspace(args)
    with ws.store() as store:
        started = time.perf_counter()
        result = run_lists(store)
        seconds = time.perf_counter() - started
    truth_path = Path(args.out) / "province" / "truth" / "summary.json"
    planted = {}
    if truth_path.exists():
        planted = json.loads(truth_path.read_text(encoding="utf-8")).get("potential", {})
    found = result["by_reason"]
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "reference_date": result["reference_date"],
        "rows": result["rows"].get("potential_list"),
        "persons": result["persons"],
        "timings": result["timings_s"],
        "found_over_planted": {
            r: f"{found.get(r, 0)}/{planted.get(r, 0)}" for r in sorted(set(found) | set(planted))
        },
    }


def step_collector_workbook(args: argparse.Namespace) -> dict[str, Any]:
    import ibis

    from baophu.engine.potential.run import MART_LIST, MART_SUMMARY, run_lists
    from baophu.reports.collector_workbook import write_owner_workbook

    ws = _workspace(args)
    out = Path(args.out) / "workbooks"
    shutil.rmtree(out, ignore_errors=True)
    with ws.store() as store:
        if not store.mart_is_current(MART_LIST):
            run_lists(store)
        s = store.read_mart(MART_SUMMARY)
        s = s.filter((s.reason == "*") & (s.owner_type == "collector"))
        top = (
            s.group_by("owner_code")
            .aggregate(persons=s.persons.sum())
            .order_by([ibis.desc("persons"), "owner_code"])
            .limit(1)
            .to_pyarrow()
            .to_pylist()
        )
        code = top[0]["owner_code"]
        started = time.perf_counter()
        written = write_owner_workbook(store, "collector", code, out)
        seconds = time.perf_counter() - started
    assert written is not None
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "collector": code,
        "persons": written["rows"],
        "kib": round(Path(written["path"]).stat().st_size / 1024, 1),
    }


STEPS = {"lists": step_lists, "collector_workbook": step_collector_workbook}
TARGETS = {"lists": {"seconds": 60.0}, "collector_workbook": {"seconds": 2.0}}
