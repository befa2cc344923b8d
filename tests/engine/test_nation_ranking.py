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


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def test_drill_down_from_the_nation_to_a_commune(tmp_path: Path, backend: str) -> None:
    """On both backends: the units are gathered from every province in memory, and Spark
    once read a whole-number column with a null (the commune's arrears) as all nulls."""
    from baophu.engine.nation import MART_UNITS, read_unit

    nation = make_nation(tmp_path / "nation", backend)
    result = rank(nation)
    # three units a province by hand: the province, its office, one commune
    assert result["marts"][MART_UNITS] == 9
    with nation.store() as store:
        vn, provinces = read_unit(store, "VN")
        assert vn is not None and vn["population"] == 3200
        assert [p["unit_code"] for p in provinces] == ["01", "12", "79"]
        lai_chau, offices = read_unit(store, "12")
        office, communes = read_unit(store, "12BH01")
        commune, below = read_unit(store, "12001")
        assert read_unit(store, "99") == (None, [])
    assert lai_chau is not None and lai_chau["parent_code"] == "VN"
    assert [o["unit_code"] for o in offices] == ["12BH01"]
    # the office: all of Lai Châu, with the arrears of its office row (5,000 of 100,000)
    assert office is not None and office["parent_code"] == "12" and office["population"] == 200
    assert office["late_amount"] == 5_000 and office["arrears_ratio"] == pytest.approx(0.05)
    assert [c["unit_code"] for c in communes] == ["12001"]
    # the commune: half of every count (100 people, 90 insured), the province's rate carried;
    # the compliance marts have no commune row here, so no arrears
    assert commune is not None and commune["province_code"] == "12"
    assert (commune["population"], commune["bhyt_insured"]) == (100, 90)
    assert commune["bhyt_rate"] == pytest.approx(0.9)
    assert commune["due_ytd"] is None and commune["arrears_ratio"] is None
    assert below == []


def test_a_unit_code_in_two_provinces_is_refused(nation: Workspace) -> None:
    import ibis
    import pyarrow as pa

    from nation_hand import D

    # Lai Châu's commune given Hà Nội's commune code
    with Workspace.open(nation.root / "provinces" / "12").store() as store:
        cov = store.read_mart("coverage_by_unit").to_pyarrow().to_pandas()
        cov.loc[cov.unit_code == "12001", "unit_code"] = "01001"
        cov = cov[[c for c in cov.columns if not c.startswith("_")]]
        store.write_mart(
            "coverage_by_unit", ibis.memtable(pa.Table.from_pandas(cov)), store.stamp(D)
        )
    with pytest.raises(NationError, match="trùng") as refused:
        rank(nation)
    # the message names the code and both provinces
    assert "01001" in str(refused.value) and "tỉnh 01 và tỉnh 12" in str(refused.value)


def test_nation_view_of_one_unit(nation: Workspace) -> None:
    from typer.testing import CliRunner

    from baophu.cli import app

    rank(nation)
    runner = CliRunner()
    shown = runner.invoke(app, ["nation", "view", "-w", str(nation.root), "--unit", "79", "--json"])
    assert shown.exit_code == 0, shown.output
    payload = json.loads(shown.output)
    assert payload["unit"]["unit_name"] == "Hồ Chí Minh"
    assert [c["unit_code"] for c in payload["children"]] == ["79BH01"]
    table = runner.invoke(
        app, ["nation", "view", "-w", str(nation.root), "--unit", "79BH01"], env={"COLUMNS": "200"}
    )
    assert table.exit_code == 0 and "Xã 1 Hồ Chí Minh" in table.output
    unknown = runner.invoke(app, ["nation", "view", "-w", str(nation.root), "--unit", "99"])
    assert unknown.exit_code == 1 and "99" in unknown.output


@pytest.mark.parametrize("ranking_only", [False, True])
def test_build_runs_every_step_or_those_the_ranking_needs(
    tmp_path: Path, tiny_inputs: Path, monkeypatch: pytest.MonkeyPatch, ranking_only: bool
) -> None:
    from baophu.commands.nation import build_province
    from baophu.engine import pipeline

    calls: list[tuple[str, list[str] | None]] = []

    def record(store, inputs, until=None, only=None, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((until, None if only is None else list(only)))
        return []

    monkeypatch.setattr(pipeline, "run_pipeline", record)
    result = build_province(tmp_path / "ws", tiny_inputs, "duckdb", "local[1]", None, ranking_only)
    # by default, each step of the pipeline in its order (identity … claims, as declared);
    # with the option, the four that write the ranking's marts and what those use
    every = ["identity", "coverage", "targets", "linkage", "potential", "declarations"]
    every += ["compliance", "risk", "claims"]
    needed = ["identity", "coverage", "targets", "compliance"]
    if ranking_only:
        assert calls == [(step, needed) for step in needed]
    else:
        assert calls == [(step, None) for step in every]
    assert list(result["seconds"]) == ["import", *(needed if ranking_only else every)]
