"""The national view over province workspaces: three hand-made provinces (their marts
written by hand), national rates as sums of counts over sums of denominators, ranks on every
indicator and on the arrears ratio, and the provinces behind their targets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from baophu.engine.nation import MART_PROVINCES, NationError, read_behind, run_nation
from baophu.workspace import Workspace, init_workspace

D = dt.date(2026, 10, 31)
# code, name, population, bhyt insured, labour force, bhxh, bhtn, compulsory, required,
# voluntary, pool, insured elsewhere, due ytd, late
PROVINCES = [
    ("01", "Hà Nội", 1000, 960, 600, 300, 240, 280, 300, 20, 200, 15, 1_000_000, 20_000),
    ("12", "Lai Châu", 200, 180, 120, 30, 20, 25, 40, 5, 60, 4, 100_000, 5_000),
    ("79", "Hồ Chí Minh", 2000, 1900, 1300, 700, 600, 650, 700, 50, 400, 30, 3_000_000, 30_000),
]


def _coverage(p: tuple[Any, ...]) -> pa.Table:
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
    }
    commune = {**row, "unit_code": code + "001", "level": "commune"}
    return pa.Table.from_pylist([row, commune])


def _arrears(p: tuple[Any, ...]) -> pa.Table:
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


def _achievement(p: tuple[Any, ...], behind: int) -> pa.Table:
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


@pytest.fixture
def nation(tmp_path: Path) -> Workspace:
    init_workspace(tmp_path / "nation")
    for i, p in enumerate(PROVINCES):
        root = tmp_path / "nation" / "provinces" / p[0]
        init_workspace(root)
        with Workspace.open(root).store() as store:
            stamp = store.stamp(D)
            store.write_mart("coverage_by_unit", ibis.memtable(_coverage(p)), stamp)
            store.write_mart("arrears_by_unit", ibis.memtable(_arrears(p)), stamp)
            behind = [0, 7, 3][i]  # Lai Châu 7 people behind plan, Hồ Chí Minh 3
            store.write_mart("achievement_by_unit", ibis.memtable(_achievement(p, behind)), stamp)
    return Workspace.open(tmp_path / "nation")


def _run(ws: Workspace) -> dict[str, Any]:
    roots = sorted((ws.root / "provinces").iterdir())
    stores = {r.name: Workspace.open(r).store() for r in roots}
    try:
        with ws.store() as store:
            return run_nation(store, stores)
    finally:
        for s in stores.values():
            s.close()


def test_ranks_and_national_totals(nation: Workspace) -> None:
    result = _run(nation)
    assert result["provinces"] == 3 and result["reference_date"] == "2026-10-31"
    with nation.store() as store:
        rows = {r["unit_code"]: r for r in store.read_mart(MART_PROVINCES).to_pyarrow().to_pylist()}
    vn = rows["VN"]
    assert vn["level"] == "nation" and vn["population"] == 3200
    assert isinstance(vn["population"], int)  # a count, not a 128-bit decimal
    # national BHYT: (960 + 180 + 1900) / (1000 + 200 + 2000) = 3040 / 3200 = 95 %
    assert vn["bhyt_rate"] == pytest.approx(0.95)
    # BHXH: 1030 / 2020; arrears: 55,000 / 4,100,000
    assert vn["bhxh_rate"] == pytest.approx(1030 / 2020)
    assert vn["arrears_ratio"] == pytest.approx(55_000 / 4_100_000)
    assert vn["bhyt_rate_rank"] == 0
    # BHYT: HCM 95 %, Hà Nội 96 %, Lai Châu 90 % → Hà Nội 1, HCM 2, Lai Châu 3
    assert [rows[c]["bhyt_rate_rank"] for c in ("01", "79", "12")] == [1, 2, 3]
    # BHXH: Hà Nội 50 %, Lai Châu 25 %, HCM 53.8 % → HCM 1, Hà Nội 2, Lai Châu 3
    assert [rows[c]["bhxh_rate_rank"] for c in ("79", "01", "12")] == [1, 2, 3]
    # arrears ratio, lowest first: HCM 1 %, Hà Nội 2 %, Lai Châu 5 %
    assert [rows[c]["arrears_ratio_rank"] for c in ("79", "01", "12")] == [1, 2, 3]
    assert rows["12"]["residents_insured_elsewhere"] == 4


def test_provinces_behind_their_targets(nation: Workspace) -> None:
    _run(nation)
    with nation.store() as store:
        behind = read_behind(store).to_pyarrow().to_pylist()
    assert [(r["unit_code"], r["behind_plan"]) for r in behind] == [("12", 7), ("79", 3)]


def test_a_province_without_its_marts_is_named(nation: Workspace) -> None:
    init_workspace(nation.root / "provinces" / "96")
    with pytest.raises(NationError, match="96"):
        _run(nation)


def test_nation_rank_and_view_commands(nation: Workspace) -> None:
    from typer.testing import CliRunner

    from baophu.cli import app

    runner = CliRunner()
    ranked = runner.invoke(app, ["nation", "rank", "-w", str(nation.root), "--json"])
    assert ranked.exit_code == 0, ranked.output
    shown = runner.invoke(app, ["nation", "view", "-w", str(nation.root), "--json"])
    assert shown.exit_code == 0, shown.output
    payload = json.loads(shown.output)
    names = [r["unit_name"] for r in payload["provinces"]]
    assert names[0] == "Toàn quốc" and set(names[1:]) == {"Hà Nội", "Lai Châu", "Hồ Chí Minh"}
    assert [r["unit_name"] for r in payload["behind_targets"]] == ["Lai Châu", "Hồ Chí Minh"]
    table = runner.invoke(app, ["nation", "view", "-w", str(nation.root)])
    assert table.exit_code == 0 and "chậm tiến độ" in table.output
