"""Compliance measured on a tiny synthetic province against its ground truth.

The signal weights were tuned on seed 1 (scale 0.2); this checks them on seed 2, at scale
0.01 (350 employers, 27 planted evaders: under-declared headcount, under-declared wages,
businesses never registered).  Arrears are checked exactly against ``late_payers``.
"""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
import pytest

from baophu.engine.compliance.run import run_compliance
from baophu.ingest.importer import import_paths

TABLES = (
    "units.csv",
    "officers.csv",
    "employers.parquet",
    "contribution_ledger.parquet",
    "payments.csv",
    "tax_returns.csv",
    "business_registry.csv",
    "budget_obligations.csv",
)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from baophu.synth.generator import generate
    from baophu.workspace import Workspace, init_workspace

    root = tmp_path_factory.mktemp("synth")
    generate("Đồng Nai", 0.01, 2, root / "province", claims=False)
    init_workspace(root / "ws")
    ws = Workspace.open(root / "ws")
    inputs = root / "province" / "inputs"
    with ws.store() as store:
        result = import_paths(store, [inputs / t for t in TABLES], ws.rejects_dir)
        assert result.committed, result.error
        summary = run_compliance(store)
        scores = store.mart("evasion_scores").order_by("rank").to_pyarrow().to_pylist()
        balance = store.mart("employer_balance").to_pyarrow().to_pylist()
    truth = root / "province" / "truth"
    return {
        "summary": summary,
        "scores": scores,
        "balance": {r["employer_code"]: r for r in balance},
        "evaders": pq.read_table(truth / "evaders.parquet").to_pylist(),
        "late": pq.read_table(truth / "late_payers.parquet").to_pylist(),
    }


def _planted(province: dict[str, Any]) -> set[str]:
    return {r["employer_code"] or f"MST:{r['tax_code']}" for r in province["evaders"]}


def test_top_of_the_ranking_is_planted_evaders(province: dict[str, Any]) -> None:
    planted = _planted(province)
    k = 20  # of 27 planted at this scale (the benchmark reports precision@100 at scale)
    top = province["scores"][:k]
    precision = sum(r["entity_key"] in planted for r in top) / k
    assert precision >= 0.9


def test_flagged_employers_precision_and_recall(province: dict[str, Any]) -> None:
    planted = _planted(province)
    flagged = {r["entity_key"] for r in province["scores"] if r["flagged"]}
    hits = len(flagged & planted)
    assert hits / len(flagged) >= 0.9  # precision of the inspection flag
    assert hits / len(planted) >= 0.6  # recall (0.8 on seeds 1 and 2 at scale 0.2)
    unregistered = {
        f"MST:{r['tax_code']}" for r in province["evaders"] if r["kind"] == "unregistered"
    }
    found = [r for r in province["scores"] if r["entity_key"] in unregistered & flagged]
    assert found and all(r["employer_code"] is None for r in found)


def test_arrears_match_the_truth_exactly(province: dict[str, Any]) -> None:
    balance = province["balance"]
    for t in province["late"]:
        b = balance.get(t["employer_code"])
        late, months = (b["late_amount"], b["months_late"]) if b else (0, 0)
        assert (late, months) == (t["arrears"], t["months_in_arrears"]), t["employer_code"]
    late_3plus = sum(bool(t["late_3_plus"]) for t in province["late"])
    assert province["summary"]["employers_late_3plus"] == late_3plus


def test_summary_for_the_demo(province: dict[str, Any]) -> None:
    s = province["summary"]
    assert s["reference_date"] == "2026-10-31"
    assert 0 < s["arrears_ratio"] < 1 and s["arrears_ratio_ceiling"] == 0.0255
    assert len(s["inspection_top"]) == 10
    assert [r["rank"] for r in s["inspection_top"]] == list(range(1, 11))
