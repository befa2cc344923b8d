"""Benchmarks of issue 4 (linkage): school rosters linked to the population register.

Target (scale 1.0 Đồng Nai — about 946,000 pupils against 4.45 million residents — on 2
cores, 24 GiB): ``link_school_rosters`` (stage 1 by personal ID, stage 2 with Splink, the
``person_links`` mart written) in under 300 s, with precision ≥ 0.995 and recall ≥ 0.98
against the synthetic ground truth (``truth/roster_links.parquet``).  The harness compares
figures with "at most", so precision and recall are also reported as their shortfalls:
``false_link_rate`` = 1 − precision ≤ 0.005 and ``missed_link_rate`` = 1 − recall ≤ 0.02.

Precision: of the rows linked, the share linked to their true person.  Recall: of the rows
whose true person is in the register, the share linked to that person (review and unlinked
rows count as missed).  Runs on the workspace ``steps_10_foundation`` built.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path
from typing import Any

ROSTER_KEY = ["school_year", "school_code", "class_name", "row_no"]


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def roster_scores(links: Any, truth_path: Path) -> dict[str, float]:
    """Precision and recall of the school-roster links against the truth file (pandas)."""
    import pyarrow.parquet as pq

    truth = pq.read_table(truth_path).to_pandas()
    truth["record_id"] = truth[ROSTER_KEY].astype(str).agg("|".join, axis=1)
    truth["true_key"] = truth.person_id.astype("int64")
    j = truth.merge(links, on="record_id", how="left", validate="1:1")
    linked = j[j.decision == "linked"]
    precision = float((linked.person_key == linked.true_key).mean())
    should = j[j.resident]
    recall = float(((should.decision == "linked") & (should.person_key == should.true_key)).mean())
    return {
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "false_link_rate": round(1 - precision, 6),
        "missed_link_rate": round(1 - recall, 6),
    }


def step_link_school_rosters(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.engine.linkage.run import MART_LINKS, run_linkage
    from baophu.workspace import Workspace

    ws = Workspace.open(Path(args.out) / "workspace")
    with ws.store() as store:
        started = time.perf_counter()
        result = run_linkage(store, ["school_rosters"])
        seconds = time.perf_counter() - started
        links = store.read_mart(MART_LINKS)
        links = (
            links.filter(links.source == "school_rosters")
            .select("record_id", "person_key", "decision")
            .to_pyarrow()
            .to_pandas()
        )
    counts = result["counts"]["school_rosters"]
    scores = roster_scores(links, Path(args.out) / "province" / "truth" / "roster_links.parquet")
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        **scores,
        "pupils": counts["rows"],
        "linked_exact": counts["linked_exact"],
        "linked_probabilistic": counts["linked_probabilistic"],
        "review": counts["review"],
        "unlinked": counts["unlinked"],
        "timings": result["timings_s"],
    }


STEPS = {"link_school_rosters": step_link_school_rosters}
TARGETS = {
    "link_school_rosters": {
        "seconds": 300.0,
        "false_link_rate": 0.005,
        "missed_link_rate": 0.02,
    }
}
