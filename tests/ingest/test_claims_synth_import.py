"""The synthetic province's claims go through the import whole: extracts and XML files, no
row rejected, every row of the files stored."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from baophu.ingest.importer import import_paths
from baophu.synth.generator import generate

pytestmark = pytest.mark.timeout(900)


def test_synthetic_claims_import_without_rejects(tmp_path: Path, duckdb_workspace) -> None:
    out = tmp_path / "province"
    generate("Đồng Nai", 0.005, 2, out)
    inputs = out / "inputs"
    with duckdb_workspace.store() as store:
        result = import_paths(store, [inputs], duckdb_workspace.rejects_dir)
    assert result.committed, result.error
    claim_tables = ("facilities", "tender_prices", "spending_estimates", "claims",
                    "claim_drugs", "claim_services")  # fmt: skip
    files = [f for f in result.files if f.table in claim_tables]
    assert sum(f.rows_rejected for f in files) == 0
    xml = [f for f in files if f.path.endswith(".xml")]
    assert len(xml) == 9 and all(f.rows_imported > 0 for f in xml if f.table == "claims")
    expected = {
        name: sum(
            pq.read_metadata(p).num_rows for p in (inputs / "claims").glob(f"{name}_*.parquet")
        )
        for name in ("claims", "claim_drugs", "claim_services")
    }
    with duckdb_workspace.store() as store:
        for name, rows in expected.items():
            from_xml = sum(f.rows_imported for f in xml if f.table == name)
            assert store.row_count(name) == rows + from_xml, name
    # warnings are only cards whose holder's enrolment row carries a mistyped or missing ID
    for f in files:
        if f.rejects_path:
            with open(f.rejects_path, encoding="utf-8-sig") as fh:
                codes = {row["Mã lỗi / Code"] for row in csv.DictReader(fh)}
            assert codes <= {"card_unknown"}, (f.path, codes)
