"""Targets set by hand in the operational database, on SQLite and PostgreSQL, and the move of
an old workspace's ``targets_manual.csv`` into it."""

from __future__ import annotations

from pathlib import Path

from baophu.operational.db import OperationalDB
from baophu.operational.manual_targets import (
    import_legacy_file,
    manual_target_rows,
    manual_targets_table,
    remove_manual_target,
    set_manual_target,
)


def test_set_replace_remove(operational_url: str) -> None:
    db = OperationalDB.connect(operational_url)
    try:
        assert manual_targets_table(db) is None
        set_manual_target(
            db, year=2026, unit_code="26734", indicator="bhyt_rate", target_value=0.96, set_by="a"
        )
        set_manual_target(
            db,
            year=2026,
            unit_code="26734",
            indicator="bhyt_rate",
            target_value=0.97,
            set_by="b",
            source="QĐ 1",
        )
        set_manual_target(
            db,
            year=2026,
            unit_code="75",
            indicator="compulsory_participants",
            target_value=1_115_590,
            denominator=1_174_298,
            set_by="a",
        )
        rows = manual_target_rows(db)
        assert [(r["unit_code"], r["target_value"], r["set_by"]) for r in rows] == [
            ("26734", 0.97, "b"),
            ("75", 1_115_590.0, "a"),
        ]
        table = manual_targets_table(db)
        assert table is not None and table.column_names == [
            "year",
            "unit_code",
            "indicator",
            "target_value",
            "denominator",
            "source",
        ]
        assert table.to_pylist()[1]["denominator"] == 1_174_298
        assert remove_manual_target(db, 2026, "26734", "bhyt_rate") is True
        assert remove_manual_target(db, 2026, "26734", "bhyt_rate") is False
        assert len(manual_target_rows(db)) == 1
    finally:
        db.dispose()


def test_legacy_file_is_moved_in(tmp_path: Path) -> None:
    (tmp_path / "targets_manual.csv").write_text(
        "year,unit_code,indicator,target_value,denominator,source\n"
        "2026,75BH01,voluntary_participants,30.0,,Giao bằng tay 2026-11-01\n",
        encoding="utf-8",
    )
    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    try:
        assert import_legacy_file(db, tmp_path) == 1
        assert not (tmp_path / "targets_manual.csv").exists()
        assert (tmp_path / "targets_manual.csv.imported").exists()
        assert import_legacy_file(db, tmp_path) == 0
        (row,) = manual_target_rows(db)
        assert (row["unit_code"], row["target_value"], row["source"]) == (
            "75BH01",
            30.0,
            "Giao bằng tay 2026-11-01",
        )
    finally:
        db.dispose()
