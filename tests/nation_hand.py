"""A nation of three provinces made by hand: each province workspace holds only the three
marts the national ranking reads, with figures small enough to rank by hand.  Shared by the
engine's ranking tests and the national web page's tests.

| province | BHYT | BHXH | arrears / due | behind plan |
|---|---|---|---|---|
| 01 Hà Nội | 960/1,000 = 96 % | 300/600 = 50 % | 20,000/1,000,000 = 2 % | 0 |
| 12 Lai Châu | 180/200 = 90 % | 30/120 = 25 % | 5,000/100,000 = 5 % | 7 |
| 79 Hồ Chí Minh | 1,900/2,000 = 95 % | 700/1,300 ≈ 53.8 % | 30,000/3,000,000 = 1 % | 3 |
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from baophu.engine.nation import run_nation
from baophu.workspace import Workspace, init_workspace

D = dt.date(2026, 10, 31)
# code, name, population, bhyt insured, labour force, bhxh, bhtn, compulsory, required,
# voluntary, pool, insured elsewhere, due ytd, late
PROVINCES = [
    ("01", "Hà Nội", 1000, 960, 600, 300, 240, 280, 300, 20, 200, 15, 1_000_000, 20_000),
    ("12", "Lai Châu", 200, 180, 120, 30, 20, 25, 40, 5, 60, 4, 100_000, 5_000),
    ("79", "Hồ Chí Minh", 2000, 1900, 1300, 700, 600, 650, 700, 50, 400, 30, 3_000_000, 30_000),
]


def coverage_rows(p: tuple[Any, ...]) -> pa.Table:
    code, name, pop, bhyt, lf, bhxh, bhtn, comp, req, vol, pool, elsewhere, *_ = p
    row = {
        "unit_code": code,
        "unit_name": name,
        "level": "province",
        "reference_date": D,
        "population": pop,
        "labour_force": lf,
        "bhyt_insured": bhyt,
        "bhxh_participants": bhxh,
        "bhtn_participants": bhtn,
        "compulsory_participants": comp,
        "compulsory_required": req,
        "voluntary_participants": vol,
        "voluntary_pool": pool,
        "residents_insured_elsewhere": elsewhere,
        "bhyt_insured_nonresident": 0,
        "bhxh_participants_nonresident": 0,
        "residents_bhxh_elsewhere": 0,
        "bhtn_participants_nonresident": 0,
        "residents_bhtn_elsewhere": 0,
    }
    row.update(parent_code=None, **_rates(row))
    # one office (all of the province) and one commune under it (half of every count)
    office = {**row, "unit_code": code + "BH01", "unit_name": f"BHXH cơ sở {name}"}
    office.update(level="office", parent_code=code)
    half = {c: v // 2 for c, v in row.items() if isinstance(v, int)}
    commune = {**row, **half, "unit_code": code + "001", "unit_name": f"Xã 1 {name}"}
    commune.update(level="commune", parent_code=code + "BH01", **_rates(commune))
    return pa.Table.from_pylist([row, office, commune])


def _rates(row: dict[str, Any]) -> dict[str, float]:
    """The rates a province's coverage step writes beside the counts (nation_units carries
    them as they are)."""
    lf = row["labour_force"]
    return {
        "bhyt_rate": row["bhyt_insured"] / row["population"],
        "bhxh_rate": row["bhxh_participants"] / lf,
        "bhtn_rate": row["bhtn_participants"] / lf,
        "compulsory_rate": row["compulsory_participants"] / row["compulsory_required"],
        "voluntary_rate": row["voluntary_participants"] / row["voluntary_pool"],
    }


def arrears_rows(p: tuple[Any, ...]) -> pa.Table:
    code, name, *_, due, late = p
    return pa.Table.from_pylist(
        [
            {
                "dimension": d,
                "unit_code": code if d == "province" else code + "BH01",
                "unit_name": name,
                "employers": 10,
                "employers_late_3plus": 1,
                "due_ytd": due,
                "late_amount": late,
                "late_3plus_amount": late // 2,
            }
            for d in ("province", "office")
        ]
    )


def achievement_rows(p: tuple[Any, ...], behind: int) -> pa.Table:
    code, name, *_ = p
    return pa.Table.from_pylist(
        [
            {
                "year": 2026,
                "unit_code": code,
                "unit_name": name,
                "indicator": "bhyt_rate",
                "hierarchy": "units",
                "level": "province",
                "target_people": 100,
                "target_rate": 0.96,
                "achieved": 90,
                "expected_by_now": 90 + behind,
                "behind_plan": behind,
                "gap": 10,
                "needed_per_week": 2,
                "target_date": dt.date(2026, 12, 31),
            }
        ]
    )


def make_nation(root: Path, backend: str = "duckdb") -> Workspace:
    """The national workspace at ``root`` with its three province workspaces (not ranked),
    all on ``backend``."""
    init_workspace(root, backend=backend)  # type: ignore[arg-type]
    for i, p in enumerate(PROVINCES):
        province = root / "provinces" / p[0]
        init_workspace(province, backend=backend)  # type: ignore[arg-type]
        with Workspace.open(province).store() as store:
            stamp = store.stamp(D)
            store.write_mart("coverage_by_unit", ibis.memtable(coverage_rows(p)), stamp)
            store.write_mart("arrears_by_unit", ibis.memtable(arrears_rows(p)), stamp)
            behind = [0, 7, 3][i]  # Lai Châu 7 people behind plan, Hồ Chí Minh 3
            rows = achievement_rows(p, behind)
            store.write_mart("achievement_by_unit", ibis.memtable(rows), stamp)
    return Workspace.open(root)


def rank(ws: Workspace) -> dict[str, Any]:
    roots = sorted((ws.root / "provinces").iterdir())
    stores = {r.name: Workspace.open(r).store() for r in roots}
    try:
        with ws.store() as store:
            return run_nation(store, stores)
    finally:
        for s in stores.values():
            s.close()
