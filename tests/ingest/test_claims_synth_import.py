"""The synthetic province's claims go through the import whole: extracts and XML files, no
row rejected, every row of the files stored.  The province is the tests' small one
(``province_build``: Đồng Nai at scale 0.01, imported by the demo's own import); what each
file gave is read from the workspace's import snapshots."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

CLAIM_TABLES = ("facilities", "tender_prices", "spending_estimates", "claims", "claim_drugs",
                "claim_services")  # fmt: skip


def test_synthetic_claims_import_without_rejects(tmp_path: Path) -> None:
    from baophu.workspace import Workspace
    from province_build import province_copy

    root, province = province_copy(tmp_path / "workspace")
    inputs = province / "inputs"
    ws = Workspace.open(root)
    with ws.store() as store:
        files = [f for f in store.snapshots().to_pylist() if f["table_name"] in CLAIM_TABLES]
        counts = {name: store.row_count(name) for name in ("claims", "claim_drugs",
                                                           "claim_services")}  # fmt: skip
    assert {f["table_name"] for f in files} == set(CLAIM_TABLES)
    assert sum(f["rows_rejected"] for f in files) == 0
    xml = [f for f in files if f["file_path"].endswith(".xml")]
    assert sorted(Path(f["file_path"]).name for f in xml if f["table_name"] == "claims") == sorted(
        p.name for p in (inputs / "claims_xml").glob("*.xml")
    )
    assert all(f["rows_imported"] > 0 for f in xml if f["table_name"] == "claims")
    for name, stored in counts.items():
        in_parquet = sum(
            pq.read_metadata(p).num_rows for p in (inputs / "claims").glob(f"{name}_*.parquet")
        )
        from_xml = sum(f["rows_imported"] for f in xml if f["table_name"] == name)
        assert in_parquet > 0 and from_xml > 0, name
        assert stored == in_parquet + from_xml, name
    # warnings are only cards whose holder's enrolment row carries a mistyped or missing ID
    for f in files:
        if f["rejects_path"]:
            rejects = ws.rejects_dir / Path(f["rejects_path"]).name  # the copy's own
            with open(rejects, encoding="utf-8-sig") as fh:
                codes = {row["Mã lỗi / Code"] for row in csv.DictReader(fh)}
            assert codes <= {"card_unknown"}, (f["file_path"], codes)
