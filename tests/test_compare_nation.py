"""``benchmarks/compare_marts.py`` on two national workspaces: province by province, then the
national marts; a differing mart is named with its province, a province in one workspace
only is named (figures made by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pytest

from benchmark_scripts import load


@pytest.fixture(scope="module")
def compare_marts() -> Any:
    return load("compare_marts")


def _nation(root: Path, marts: dict[str, dict[str, list[float]]], nation: list[int]) -> Path:
    """A national workspace: ``marts`` is code → the values of its one mart ``rates``."""
    from baophu.workspace import Workspace, init_workspace

    init_workspace(root)
    for code, values in marts.items():
        init_workspace(root / "provinces" / code)
        with Workspace.open(root / "provinces" / code).store() as store:
            stamp = store.stamp("2026-10-31")
            store.write_mart("rates", ibis.memtable(values), stamp)
            store.write_mart("units", ibis.memtable({"code": [code, code + "01"]}), stamp)
    with Workspace.open(root).store() as store:
        store.write_mart("nation_totals", ibis.memtable({"n": nation}), store.stamp("2026-10-31"))
    return root


def test_two_nations_are_compared_province_by_province(compare_marts: Any, tmp_path: Path) -> None:
    a = _nation(
        tmp_path / "a",
        {"01": {"r": [0.5, 0.25]}, "02": {"r": [0.1]}, "03": {"r": [0.9]}},
        [3, 4],
    )
    # the same rows in another order, a float off by less than the 6 decimals compared,
    # one value different in province 02, province 03 absent, the nation's total different
    b = _nation(tmp_path / "b", {"01": {"r": [0.25, 0.5000000001]}, "02": {"r": [0.2]}}, [4, 4])
    result = compare_marts.compare_nation(a, b, "")
    assert set(result["provinces"]) == {"01", "02"}
    assert result["provinces"]["01"]["different"] == []
    assert result["provinces"]["02"]["different"] == ["rates"]
    assert result["different"] == ["02/rates", "nation/nation_totals"]
    assert result["only_in_a"] == ["province 03"] and result["only_in_b"] == []
    # 2 marts in each of the 2 provinces and the nation's 1; rows: 01 has 2 + 2, 02 has 1 + 2
    assert result["marts"] == 5
    assert result["rows"] == (2 + 2) + (1 + 2) + 2


def test_the_same_nation_is_the_same(compare_marts: Any, tmp_path: Path) -> None:
    marts = {"01": {"r": [0.5]}, "02": {"r": [0.1, 0.2]}}
    a = _nation(tmp_path / "a", marts, [7])
    b = _nation(tmp_path / "b", marts, [7])
    result = compare_marts.compare_nation(a, b, "")
    assert (result["different"], result["only_in_a"], result["only_in_b"]) == ([], [], [])
    assert result["marts"] == 5 and result["rows"] == 3 + 4 + 1
