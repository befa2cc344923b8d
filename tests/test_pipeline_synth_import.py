"""End to end: a synthetic province (not only Đồng Nai) generates and imports cleanly, on
DuckDB and on Spark, and what lands in the workspace matches the generator's ground truth."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from baophu.ingest.importer import import_paths
from baophu.ingest.rejects import read_rejects
from baophu.workspace import Workspace, init_workspace


@pytest.fixture(scope="module")
def gia_lai(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from baophu.synth.generator import generate

    out = tmp_path_factory.mktemp("gia_lai")
    # without claims: their import is tested whole on the synthetic Đồng Nai
    # (tests/ingest/test_claims_synth_import.py) and on Spark on hand-made files
    # (tests/ingest/test_claims_import.py)
    generate("Gia Lai", 0.002, 7, out, claims=False)
    return out


def _wards_of(province_name: str) -> int:
    from vietnam_provinces import Province, Ward

    province = next(p for p in Province.iter_all() if p.name.endswith(province_name))
    return sum(1 for w in Ward.iter_all() if w.province_code == province.code)


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def test_second_province_imports_cleanly(gia_lai: Path, tmp_path: Path, backend: str) -> None:
    truth = json.loads((gia_lai / "truth" / "summary.json").read_text(encoding="utf-8"))
    root = tmp_path / "ws"
    init_workspace(root, backend=backend)  # type: ignore[arg-type]
    ws = Workspace.open(root)
    with ws.store() as store:
        result = import_paths(store, [gia_lai / "inputs"], ws.rejects_dir)
        assert result.committed, result.error
        # Generated data carries noise only where real data does (hand-typed IDs in rosters,
        # lists and enrolments): those are warnings.  Rows are rejected only in the sample
        # forms, exactly where the generator planted an error (truth/forms/planted.csv).
        planted = {
            (Path(r["file"]).name, r["row"], r["column"])
            for r in csv.DictReader(
                (gia_lai / "truth" / "forms" / "planted.csv").open(encoding="utf-8")
            )
        }
        rejected = {
            (Path(f.path).name, r["row"], r["column"])
            for f in result.files
            if f.rows_rejected
            for r in read_rejects(Path(f.rejects_path or ""))
            if r["severity"].startswith("loại bỏ")
        }
        assert rejected == planted
        assert sum(f.rows_rejected for f in result.files) == len(planted)
        counts = {
            t: store.row_count(t)
            for t in (
                "residents",
                "households",
                "enrolments",
                "employers",
                "contribution_ledger",
                "payments",
                "school_rosters",
                "household_classifications",
            )
        }
        units = store.table("units").to_pyarrow().to_pylist()
    assert counts["residents"] == truth["residents_in_register"]
    assert counts["households"] == truth["households"]
    assert counts["enrolments"] == truth["enrolment_rows"]
    assert counts["employers"] == truth["employers"]
    assert counts["contribution_ledger"] == truth["ledger_rows"]
    assert counts["payments"] == truth["payments"]
    assert counts["school_rosters"] == truth["pupils"]
    assert counts["household_classifications"] == truth["household_list_rows"]
    levels = [u["level"] for u in units]
    assert levels.count("province") == 1
    assert levels.count("commune") == _wards_of("Gia Lai")
    assert levels.count("hamlet") == truth["hamlets"]
    province = next(u for u in units if u["level"] == "province")
    assert "Gia Lai" in province["unit_name"]
