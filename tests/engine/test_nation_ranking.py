"""The national view over province workspaces: three hand-made provinces (their marts
written by hand), national rates as sums of counts over sums of denominators, ranks on every
indicator and on the arrears ratio, and the provinces behind their targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baophu.engine.nation import MART_PROVINCES, NationError, read_behind
from baophu.workspace import Workspace, init_workspace
from nation_hand import make_nation, rank


@pytest.fixture
def nation(tmp_path: Path) -> Workspace:
    return make_nation(tmp_path / "nation")


def test_ranks_and_national_totals(nation: Workspace) -> None:
    result = rank(nation)
    assert result["provinces"] == 3 and result["reference_date"] == "2026-10-31"
    with nation.store() as store:
        rows = {r["unit_code"]: r for r in store.read_mart(MART_PROVINCES).to_pyarrow().to_pylist()}
    vn = rows["VN"]
    assert vn["level"] == "nation" and vn["population"] == 3200
    assert isinstance(vn["population"], int)  # a count, not a 128-bit decimal
    # national BHYT: residents insured in any province, each once — the provinces' own
    # (no non-residents here) plus their residents insured only elsewhere:
    # (960 + 15 + 180 + 4 + 1900 + 30) / (1000 + 200 + 2000) = 3089 / 3200
    assert vn["bhyt_insured"] == 3089
    assert vn["bhyt_rate"] == pytest.approx(3089 / 3200)
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
    rank(nation)
    with nation.store() as store:
        behind = read_behind(store).to_pyarrow().to_pylist()
    assert [(r["unit_code"], r["behind_plan"]) for r in behind] == [("12", 7), ("79", 3)]


def test_a_province_without_its_marts_is_named(nation: Workspace) -> None:
    init_workspace(nation.root / "provinces" / "96")
    with pytest.raises(NationError, match="96"):
        rank(nation)


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
