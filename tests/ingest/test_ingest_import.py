"""Importing files into a workspace: counts, types, snapshots, idempotence, both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from baophu.ingest.importer import ImportOptions, import_paths
from baophu.ingest.rejects import read_rejects


def run(ws, paths, **options):  # type: ignore[no-untyped-def]
    with ws.store() as store:
        return import_paths(store, list(paths), ws.rejects_dir, ImportOptions(**options))


def table_rows(ws, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with ws.store() as store:
        return store.table(name).to_pyarrow().to_pylist()


def test_imports_a_folder_in_dependency_order(workspace, tiny_inputs: Path) -> None:
    result = run(workspace, [tiny_inputs])
    assert result.committed, result.error
    # The folder lists residents before units alphabetically; units must still come first.
    assert [Path(f.path).name for f in result.files] == [
        "units.csv",
        "households.csv",
        "residents.csv",
    ]
    assert [f.rows_imported for f in result.files] == [6, 2, 5]
    residents = {r["person_id"]: r for r in table_rows(workspace, "residents")}
    assert set(residents) == {
        "075085000001",
        "075185000002",
        "075215000003",
        "075090000006",
        "075192000007",
    }
    an = residents["075085000001"]
    assert an["full_name"] == "Nguyễn Văn An"
    assert an["sex"] == "male"  # "Nam" mapped to the canonical code
    assert an["birth_date"] == dt.date(1985, 3, 12)  # dd/mm/yyyy
    assert residents["075185000002"]["birth_date"] == dt.date(1985, 7, 1)  # ISO
    assert residents["075215000003"]["birth_date"] == dt.date(2015, 9, 1)  # d/m/yyyy
    assert residents["075185000002"]["sex"] == "female"
    assert an["si_code"] == "7512345678"
    assert an["phone"] == "0901234567"  # leading zero kept: phones are text
    assert residents["075185000002"]["phone"] is None


def test_snapshots_record_hash_counts_and_time(workspace, tiny_inputs: Path) -> None:
    import hashlib

    result = run(workspace, [tiny_inputs])
    with workspace.store() as store:
        snaps = store.snapshots().to_pylist()
    assert len(snaps) == 3
    by_table = {s["table_name"]: s for s in snaps}
    expected_hash = hashlib.sha256((tiny_inputs / "residents.csv").read_bytes()).hexdigest()
    assert by_table["residents"]["file_hash"] == expected_hash
    assert by_table["residents"]["rows_read"] == 5
    assert by_table["residents"]["rows_imported"] == 5
    assert by_table["residents"]["status"] == "current"
    assert by_table["residents"]["batch_id"] == result.batch_id
    assert by_table["residents"]["finished_at"] >= by_table["residents"]["started_at"]
    # Every stored row names the snapshot it came from.
    ids = {r["_snapshot_id"] for r in table_rows(workspace, "residents")}
    assert ids == {by_table["residents"]["snapshot_id"]}


def test_importing_the_same_files_twice_changes_nothing(workspace, tiny_inputs: Path) -> None:
    first = run(workspace, [tiny_inputs])
    before = sorted(table_rows(workspace, "residents"), key=lambda r: r["person_id"])
    second = run(workspace, [tiny_inputs])
    assert second.committed
    assert [f.status for f in second.files] == ["unchanged"] * 3
    assert [f.snapshot_id for f in second.files] == [f.snapshot_id for f in first.files]
    after = sorted(table_rows(workspace, "residents"), key=lambda r: r["person_id"])
    assert after == before
    with workspace.store() as store:
        assert store.snapshots().num_rows == 3


def test_a_new_extract_replaces_a_full_table(workspace, tiny_inputs: Path) -> None:
    run(workspace, [tiny_inputs])
    lines = (tiny_inputs / "residents.csv").read_text(encoding="utf-8").splitlines()
    # Next month's register: Phạm Thị Hoa has moved away, a newborn arrived.
    newborn = "075326000008,Lê Thị Mai,Nữ,02/01/2026,Kinh,H2,Con,26735001,,,"
    newer = tiny_inputs.parent / "dan_cu_2026_11.csv"
    newer.write_text("\n".join([*lines[:5], newborn]) + "\n", encoding="utf-8")
    result = run(workspace, [newer])
    assert result.committed, result.error
    ids = {r["person_id"] for r in table_rows(workspace, "residents")}
    assert ids == {"075085000001", "075185000002", "075215000003", "075090000006", "075326000008"}
    with workspace.store() as store:
        snaps = store.snapshots().to_pylist()
    statuses = {(s["source"], s["status"]) for s in snaps if s["table_name"] == "residents"}
    assert statuses == {("residents.csv", "superseded"), ("dan_cu_2026_11.csv", "current")}


def test_parquet_with_canonical_names_and_types(workspace, tiny_inputs: Path) -> None:
    import pyarrow.parquet as pq

    run(workspace, [tiny_inputs / "units.csv", tiny_inputs / "households.csv"])
    table = pa.table(
        {
            "person_id": ["075085000001", "075185000002"],
            "full_name": ["Nguyễn Văn An", "Trần Thị Bình"],
            "sex": ["male", "female"],
            "birth_date": pa.array([dt.date(1985, 3, 12), dt.date(1985, 7, 1)], pa.date32()),
            "ethnicity": ["Kinh", "Kinh"],
            "household_id": ["H1", "H1"],
            "relation_to_head": ["Chủ hộ", "Vợ"],
            "hamlet_code": ["26734001", "26734001"],
            "phone": [None, None],
            "si_code": [None, None],
            "death_date": pa.array([None, None], pa.date32()),
        }
    )
    path = tiny_inputs.parent / "residents.parquet"
    pq.write_table(table, path)
    result = run(workspace, [path])
    assert result.committed, result.error
    rows = sorted(table_rows(workspace, "residents"), key=lambda r: r["person_id"])
    assert [r["birth_date"] for r in rows] == [dt.date(1985, 3, 12), dt.date(1985, 7, 1)]


def test_units_dropping_a_lived_in_hamlet_are_refused_on_both_backends(
    workspace, tiny_inputs: Path, tmp_path: Path
) -> None:
    assert run(workspace, [tiny_inputs]).committed
    lines = (tiny_inputs / "units.csv").read_text(encoding="utf-8").splitlines()
    units = tmp_path / "units.csv"
    units.write_text("\n".join(ln for ln in lines if "26735001" not in ln) + "\n", encoding="utf-8")
    refused = run(workspace, [units])
    assert not refused.committed and refused.error_code == "orphans"
    assert refused.error is not None
    assert "households.hamlet_code: 26735001" in refused.error
    assert "residents.hamlet_code: 26735001" in refused.error
    assert len(table_rows(workspace, "units")) == 6
    # Importing the register without that hamlet's people in the same batch is consistent.
    households = tmp_path / "households.csv"
    residents = tmp_path / "residents.csv"
    for name, path in (("households.csv", households), ("residents.csv", residents)):
        kept = [ln for ln in (tiny_inputs / name).read_text(encoding="utf-8").splitlines()]
        path.write_text("\n".join(ln for ln in kept if "26735001" not in ln) + "\n", "utf-8")
    together = run(workspace, [units, households, residents])
    assert together.committed, together.error
    assert len(table_rows(workspace, "units")) == 5
    assert len(table_rows(workspace, "residents")) == 3


def test_a_key_in_two_files_of_one_batch_is_rejected_in_the_second(
    workspace, tiny_inputs: Path
) -> None:
    """Residents split across two files: the second file's row whose ID the first already
    holds goes to the rejects file (``key_in_other_source``), its other row is imported.
    The second file imported again with one more person: the same row is rejected again
    (what the batch holds is followed as it clears the file's rows and appends them)."""
    residents = (tiny_inputs / "residents.csv").read_text(encoding="utf-8").splitlines()
    header, again = residents[0], residents[2]  # 075185000002, Trần Thị Bình
    new = [
        "075190000009,Võ Thị Lan,Nữ,09/09/1990,Kinh,H2,Con,26735001,,,",
        "075091000010,Đỗ Văn Minh,Nam,10/10/1991,Kinh,H2,Con,26735001,,,",
    ]
    for more in (1, 2):
        (tiny_inputs / "residents_more.csv").write_text(
            "\n".join([header, again, *new[:more]]) + "\n", encoding="utf-8"
        )
        with workspace.store() as store:
            result = import_paths(store, [tiny_inputs], workspace.rejects_dir)
            assert result.committed, result.error
            assert store.row_count("residents") == 5 + more
        codes = [
            (Path(f.path).name, r["row"], r["code"])
            for f in result.files
            if f.rows_rejected
            for r in read_rejects(Path(f.rejects_path or ""))
        ]
        assert codes == [("residents_more.csv", "2", "key_in_other_source")]
