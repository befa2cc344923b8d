"""The planted risk cases of a synthetic province as the keys the ``risk_cases`` mart gives
them, and the precision and recall of a computed mart against them (benchmarks, tests).

Keys: ``duplicate_record``, ``overlapping_bhyt`` and ``bhxh_double_paid`` — the two
enrolment ids, sorted, comma separated; ``budget_ineligible`` — the card's enrolment id
(``truth/quality_faults.parquet``); ``deceased_enrolled`` — the personal ID;
the agents' money (``truth/agents_money.parquet``) — the transfer id, ``agent/receipt`` or
the enrolment id, as the mart's ``evidence``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from baophu.contracts.case_kinds import RISK_KINDS

PLANTED_KINDS = RISK_KINDS
PAIR_KINDS = frozenset({"duplicate_record", "overlapping_bhyt", "bhxh_double_paid"})


def planted_cases(truth_dir: Path) -> dict[str, set[str]]:
    """Kind → the keys of the cases planted in ``truth_dir``."""
    out: dict[str, set[str]] = {k: set() for k in PLANTED_KINDS}
    faults = pq.read_table(truth_dir / "quality_faults.parquet").to_pylist()
    for f in faults:
        if f["kind"] == "deceased_enrolled":
            out["deceased_enrolled"].add(str(f["person_id"]))
        else:
            out.setdefault(f["kind"], set()).add(",".join(sorted(f["enrolment_ids"])))
    money_path = truth_dir / "agents_money.parquet"
    if money_path.exists():
        for m in pq.read_table(money_path).to_pylist():
            key = m["key"]
            if m["kind"] == "receipt_without_enrolment":
                key = f"{m['agent_code']}/{m['key']}"
            out[m["kind"]].add(str(key))
    return out


def case_keys(cases: pa.Table) -> dict[str, set[str]]:
    """Kind → the keys of the computed cases (``risk_cases`` rows)."""
    out: dict[str, set[str]] = {}
    for row in cases.select(["kind", "person_id", "evidence"]).to_pylist():
        key = row["person_id"] if row["kind"] == "deceased_enrolled" else str(row["evidence"])
        if row["kind"] in PAIR_KINDS:  # two enrolment ids, in either order
            key = ",".join(sorted(key.split(",")))
        out.setdefault(row["kind"], set()).add(str(key))
    return out


def score(cases: pa.Table, planted: dict[str, set[str]]) -> dict[str, dict[str, Any]]:
    """Per planted kind: planted, found, true positives, precision and recall."""
    found = case_keys(cases)
    out: dict[str, dict[str, Any]] = {}
    for kind, truth in planted.items():
        got = found.get(kind, set())
        hits = len(got & truth)
        out[kind] = {
            "planted": len(truth),
            "found": len(got),
            "hits": hits,
            "precision": round(hits / len(got), 4) if got else None,
            "recall": round(hits / len(truth), 4) if truth else None,
        }
    return out
