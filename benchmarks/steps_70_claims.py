"""Benchmarks of issue 13 (data): synthetic claims, their import, the XML parser.

Targets (scale 1.0 Đồng Nai, about 7–8 M visits a year, this 2-core machine): 12 months of
claims with their lines generated in under 3 minutes; imported from the monthly extracts
in under 3 minutes; the Ministry's XML files parsed at 20,000 claims per second or more on
one core (reported as microseconds per claim, at most 50).

The claims are generated for the province the foundation step wrote (its residents and BHYT
spells) into ``bench-out/claims`` and imported into the workspace the foundation step built
(units and enrolments there: facilities reference units, cards are looked up in
enrolments).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from pathlib import Path
from typing import Any

CLAIM_MONTHS = 12


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def step_claims_synth(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.synth.claims import generate_claims

    out = Path(args.out) / "claims"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    summary = generate_claims(
        args.province,
        args.scale,
        args.seed,
        Path(args.out) / "province",
        months=CLAIM_MONTHS,
        claims_out=out,
    )
    seconds = time.perf_counter() - started
    rows = summary["rows"]
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "visits": summary["visits"],
        "drug_lines": rows["claim_drugs"],
        "service_lines": rows["claim_services"],
        "load_before": load(),
    }


def step_claims_import(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.ingest.importer import import_paths
    from baophu.workspace import Workspace

    ws = Workspace.open(Path(args.out) / "workspace")
    inputs = Path(args.out) / "claims" / "inputs"
    before = load()
    started = time.perf_counter()
    with ws.store() as store:
        result = import_paths(store, [inputs], ws.rejects_dir)
    seconds = time.perf_counter() - started
    if not result.committed:
        raise SystemExit(f"import failed: {result.error}")
    by_table: dict[str, int] = {}
    for f in result.files:
        by_table[f.table] = by_table.get(f.table, 0) + f.rows_imported
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "claims": by_table.get("claims", 0),
        "lines": by_table.get("claim_drugs", 0) + by_table.get("claim_services", 0),
        "rows_rejected": sum(f.rows_rejected for f in result.files),
        "load_before": before,
    }


def step_claims_xml(args: argparse.Namespace) -> dict[str, Any]:
    """The XML sample parsed on one core (process CPU time per claim)."""
    from baophu.ingest import claims_xml

    files = sorted((Path(args.out) / "claims" / "inputs" / "claims_xml").glob("*.xml"))
    before = load()
    started = time.perf_counter()
    cpu = time.process_time()
    n = 0
    for path in files:
        tables = claims_xml.parse_file(path)
        n += tables["claims"].num_rows
    cpu = time.process_time() - cpu
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "claims": n,
        "us_per_claim": round(1e6 * cpu / max(n, 1), 1),
        "claims_per_cpu_second": round(n / max(cpu, 1e-9)),
        "load_before": before,
    }


STEPS = {
    "claims_synth": step_claims_synth,
    "claims_import": step_claims_import,
    "claims_xml": step_claims_xml,
}
TARGETS = {
    "claims_synth": {"seconds": 180.0},
    "claims_import": {"seconds": 180.0},
    "claims_xml": {"us_per_claim": 50.0},
}
