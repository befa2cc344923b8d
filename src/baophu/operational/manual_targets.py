"""Targets set by hand, kept in the operational database (``manual_targets``).

The engine reads them as an Arrow table with the ``targets`` contract's columns
(``engine.targets.MANUAL_SCHEMA``, which this module writes); the CLI (``baophu targets set``)
and the web application write them here, one row per year, unit and indicator, with who set
it and when.  A workspace that still has the file ``targets_manual.csv`` of earlier versions
has it moved in on first use (the file is renamed ``targets_manual.csv.imported``).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import delete, select

from baophu.engine.targets import MANUAL_SCHEMA
from baophu.operational.db import OperationalDB
from baophu.operational.models import ManualTarget, utcnow

LEGACY_FILE = "targets_manual.csv"
MANUAL_COLUMNS = tuple(MANUAL_SCHEMA.names)


def manual_target_rows(db: OperationalDB, year: int | None = None) -> list[dict[str, Any]]:
    """Every target set by hand (of ``year`` when given), with who set it and when."""
    with db.session() as s:
        query = select(ManualTarget).order_by(
            ManualTarget.year, ManualTarget.unit_code, ManualTarget.indicator
        )
        if year is not None:
            query = query.where(ManualTarget.year == year)
        return [
            {
                "year": t.year,
                "unit_code": t.unit_code,
                "indicator": t.indicator,
                "target_value": t.target_value,
                "denominator": t.denominator,
                "source": t.note,
                "set_by": t.set_by,
                "set_at": t.set_at,
            }
            for t in s.scalars(query)
        ]


def manual_targets_table(db: OperationalDB) -> pa.Table | None:
    """The targets set by hand as the engine reads them (None when there are none)."""
    rows = manual_target_rows(db)
    if not rows:
        return None
    return pa.Table.from_pylist(
        [{k: r[k] for k in MANUAL_COLUMNS} for r in rows], schema=MANUAL_SCHEMA
    )


def set_manual_target(
    db: OperationalDB,
    *,
    year: int,
    unit_code: str,
    indicator: str,
    target_value: float,
    set_by: str,
    denominator: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Insert or replace the target of (year, unit, indicator); returns the stored row."""
    source = source or f"Giao bằng tay {dt.date.today().isoformat()}"
    with db.session() as s:
        row = s.scalars(
            select(ManualTarget).where(
                ManualTarget.year == year,
                ManualTarget.unit_code == unit_code,
                ManualTarget.indicator == indicator,
            )
        ).one_or_none()
        if row is None:
            row = ManualTarget(year=year, unit_code=unit_code, indicator=indicator)
            s.add(row)
        row.target_value = float(target_value)
        row.denominator = denominator
        row.note = source
        row.set_by = set_by
        row.set_at = utcnow()
    return {
        "year": year,
        "unit_code": unit_code,
        "indicator": indicator,
        "target_value": float(target_value),
        "denominator": denominator,
        "source": source,
    }


def remove_manual_target(db: OperationalDB, year: int, unit_code: str, indicator: str) -> bool:
    """Remove one target set by hand; whether there was one."""
    with db.session() as s:
        result = s.execute(
            delete(ManualTarget).where(
                ManualTarget.year == year,
                ManualTarget.unit_code == unit_code,
                ManualTarget.indicator == indicator,
            )
        )
        return bool(getattr(result, "rowcount", 0))


def import_legacy_file(db: OperationalDB, root: Path, set_by: str = "targets_manual.csv") -> int:
    """Move ``targets_manual.csv`` (earlier versions) into the database; returns rows moved.
    Rows already in the database for the same year, unit and indicator are kept."""
    path = root / LEGACY_FILE
    if not path.exists():
        return 0
    existing = {(r["year"], r["unit_code"], r["indicator"]) for r in manual_target_rows(db)}
    moved = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for raw in csv.DictReader(fh):
            key = (int(raw["year"]), raw["unit_code"], raw["indicator"])
            if key in existing:
                continue
            set_manual_target(
                db,
                year=key[0],
                unit_code=key[1],
                indicator=key[2],
                target_value=float(raw["target_value"]),
                denominator=int(raw["denominator"]) if raw.get("denominator") else None,
                source=raw.get("source") or None,
                set_by=set_by,
            )
            moved += 1
    path.rename(path.with_name(LEGACY_FILE + ".imported"))
    return moved
