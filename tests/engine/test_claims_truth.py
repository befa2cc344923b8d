"""The claims engine against the synthetic province's planted abuse (``truth/
claims_planted.parquet``): every planted claim kind found by its rule, the top of the review
list planted, the facility and doctor kinds found by their signals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow.parquet as pq
import pytest

from baophu.engine.claims import MART_FLAGS, MART_REVIEW, MART_SIGNALS

pytestmark = pytest.mark.timeout(1800)
# The eight claim kinds the generator plants, written out here (the oracle does not read the
# engine's catalog, ``contracts.case_kinds.CLAIM_RULES``).
PLANTED = (
    "dead_card two_facilities_same_day split_admission long_stay duplicate_claim"
    " bed_on_outpatient outside_card_validity price_above_tender"
)
CLAIM_KINDS = tuple(PLANTED.split())


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The claims marts of the tests' shared province (``province_build``: Đồng Nai at 0.01
    with its claims, every step computed for 31/10/2026) and the abuse its generator
    planted."""
    from baophu.workspace import Workspace
    from province_build import province_copy

    root, province = province_copy(tmp_path_factory.mktemp("claims-truth") / "ws")
    with Workspace.open(root).store() as store:
        assert store.mart_is_current(MART_FLAGS, reference_date=dt.date(2026, 10, 31))
        return {
            "truth": pq.read_table(province / "truth" / "claims_planted.parquet").to_pylist(),
            "flags": store.read_mart(MART_FLAGS).to_pyarrow().to_pylist(),
            "review": store.read_mart(MART_REVIEW).order_by("rank_province").limit(100)
            .to_pyarrow().to_pylist(),
            "signals": store.read_mart(MART_SIGNALS).to_pyarrow().to_pylist(),
        }  # fmt: skip


def test_every_planted_kind_is_found_by_its_rule(found: dict[str, Any]) -> None:
    for kind in CLAIM_KINDS:
        caught = {f["claim_code"] for f in found["flags"] if f["rule"] == kind}
        caught |= {f["paired_claim_code"] for f in found["flags"] if f["rule"] == kind}
        planted = [t for t in found["truth"] if t["kind"] == kind]
        assert planted, kind
        recall = sum(t["claim_code"] in caught for t in planted) / len(planted)
        assert recall >= 0.9, (kind, recall)


def test_top_of_the_review_list_is_planted(found: dict[str, Any]) -> None:
    planted = {(t["facility_code"], t["claim_code"]) for t in found["truth"] if t["claim_code"]}
    pairs = {t["paired_claim_code"] for t in found["truth"] if t["paired_claim_code"]}
    top = found["review"]
    right = [r for r in top if (r["facility_code"], r["claim_code"]) in planted
             or r["claim_code"] in pairs]  # fmt: skip
    assert len(top) == 100
    assert len(right) / len(top) >= 0.95


def test_planted_doctors_and_facilities_stand_out(found: dict[str, Any]) -> None:
    strong = [s for s in found["signals"] if (s["z"] or 0) >= 3.5]
    for t in found["truth"]:
        if t["kind"] in ("doctor_drugs", "doctor_imaging"):
            signal = "drug_lines_per_visit" if t["kind"] == "doctor_drugs" else "imaging_per_visit"
            assert any(s["entity"] == "doctor" and s["doctor_code"] == t["doctor_code"]
                       and s["signal"] == signal for s in strong), t  # fmt: skip
        if t["kind"] in ("facility_cost_growth", "facility_inpatient_growth"):
            signal = "cost_growth" if t["kind"] == "facility_cost_growth" else "inpatient_growth"
            assert any(s["entity"] == "facility" and s["facility_code"] == t["facility_code"]
                       and s["signal"] == signal for s in strong), t  # fmt: skip
