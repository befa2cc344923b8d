"""The forms a province receives, imported from the synthetic province's samples: the
D02-LT workbooks and the e-declaration dossiers round-trip exactly (the rows imported equal
the truth), the planted rows go to the rejects file with the planted reason at the planted
row and column, and every malformed form is refused — nothing imported, the previous state
kept — with the reason, row and column ``forms_malformed/expected.json`` names."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from baophu.ingest.importer import import_paths
from baophu.synth.generator import generate

REFERENCE = ("units.csv", "officers.csv", "agents.csv", "collectors.csv", "employers.parquet")
KEYS = {
    "declared_workforce": ["employer_code", "period", "row_no"],
    "agent_receipts": ["agent_code", "receipt_no"],
    "registration_declarations": ["submitter_code", "dossier_no", "row_no"],
}


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forms") / "province"
    summary = generate("Đồng Nai", 0.003, 5, out)
    assert summary["forms"]["d02lt_files"] > 0 and summary["forms"]["edeclaration_files"] > 0
    return out


@pytest.fixture(scope="module")
def imported(province: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from baophu.workspace import Workspace, init_workspace

    root = tmp_path_factory.mktemp("ws") / "ws"
    init_workspace(root)
    ws = Workspace.open(root)
    inputs = province / "inputs"
    with ws.store() as store:
        first = import_paths(store, [inputs / f for f in REFERENCE], ws.rejects_dir)
        assert first.committed, first.error
        result = import_paths(store, [inputs / "forms"], ws.rejects_dir)
    assert result.committed, result.error
    return {"ws": ws, "result": result}


def _sorted(rows: list[dict[str, Any]], key: list[str]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in key))


@pytest.mark.parametrize("table", sorted(KEYS))
def test_a_form_import_round_trips_exactly(
    table: str, province: Path, imported: dict[str, Any]
) -> None:
    want = pq.read_table(province / "truth" / "forms" / f"{table}.parquet")
    with imported["ws"].store(read_only=True) as store:
        got = store.table(table).drop("_source", "_snapshot_id").to_pyarrow()
    assert got.schema == want.schema
    assert want.num_rows > 0
    assert _sorted(got.to_pylist(), KEYS[table]) == _sorted(want.to_pylist(), KEYS[table])


def test_planted_rows_are_rejected_where_they_were_planted(
    province: Path, imported: dict[str, Any]
) -> None:
    with open(province / "truth" / "forms" / "planted.csv", encoding="utf-8") as fh:
        planted = {
            (Path(r["file"]).name, int(r["row"]), r["column"], r["reason_code"])
            for r in csv.DictReader(fh)
        }
    assert planted
    found = set()
    for f in imported["result"].files:
        if not f.rejects_path:
            continue
        with open(f.rejects_path, encoding="utf-8-sig") as fh:
            for r in csv.reader(fh):
                if r[4].startswith("loại bỏ"):
                    found.add((r[0], int(r[1]), r[2], r[5]))
    assert found == planted


def test_the_malformed_corpus_is_refused(province: Path, imported: dict[str, Any]) -> None:
    folder = province / "forms_malformed"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert len(expected) >= 10
    ws = imported["ws"]
    with ws.store() as store:
        before = {t: store.row_count(t) for t in KEYS}
        snapshots = store.snapshots().num_rows
        for name, want in expected.items():
            result = import_paths(store, [folder / name], ws.rejects_dir)
            assert not result.committed, name
            assert result.error_code == want["code"], (name, result.error)
            assert result.error_vi and result.error_en, name  # in Vietnamese and English
            assert name in (result.error or ""), name
            if want["row"] is not None:
                assert f"dòng/row {want['row']}" in (result.error or ""), (name, result.error)
            if want["column"] is not None:
                assert f"cột/column «{want['column']}»" in (result.error or ""), (
                    name,
                    result.error,
                )
        assert {t: store.row_count(t) for t in KEYS} == before
        assert store.snapshots().num_rows == snapshots


def test_a_mixed_dossier_and_entities_are_refused(
    province: Path, imported: dict[str, Any], tmp_path: Path
) -> None:
    from baophu.synth.forms import edeclaration_xml

    submitter = {"code": "X", "name": "X", "office": ""}
    import datetime as dt

    reg = {
        "STT": 1,
        "HoTen": "Nguyễn Văn An",
        "NgaySinh": "01/01/1990",
        "GioiTinh": "Nam",
        "Mucdong": 100,
    }
    rec = {
        "HoTen": "Nguyễn Văn An",
        "NgayBienLai": "01/10/2026",
        "SoBienLai": "1",
        "Tiendong": 100,
        "Sothang": 1,
        "TuNgay": "01/10/2026",
    }
    mixed = tmp_path / "mixed.xml"
    mixed.write_text(
        edeclaration_xml(
            submitter, "M", dt.date(2026, 10, 31), [("TK1-TS", [reg], 100), ("D03-TS", [rec], 100)]
        ),
        encoding="utf-8",
    )
    laughs = tmp_path / "laughs.xml"
    laughs.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n<Hoso>&lol2;</Hoso>\n',
        encoding="utf-8",
    )
    ws = imported["ws"]
    with ws.store() as store:
        r1 = import_paths(store, [mixed], ws.rejects_dir)
        r2 = import_paths(store, [laughs], ws.rejects_dir)
    assert (r1.committed, r1.error_code) == (False, "xml_mixed_forms")
    assert (r2.committed, r2.error_code) == (False, "xml_unsafe")


def test_the_same_form_twice_changes_nothing(
    province: Path, imported: dict[str, Any], tmp_path: Path
) -> None:
    ws = imported["ws"]
    one = next((province / "inputs" / "forms" / "d02lt").glob("*.xlsx"))
    copy = tmp_path / one.name
    shutil.copy(one, copy)
    with ws.store() as store:
        before = store.row_count("declared_workforce")
        result = import_paths(store, [copy], ws.rejects_dir)
        assert result.committed and result.files[0].status == "unchanged"
        assert store.row_count("declared_workforce") == before
