"""``baophu risk run|cases`` on the hand-made office of ``risk_hand``: counts and amounts by
kind, filters by kind and office, personal IDs masked, ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from risk_hand import EXPECTED, write_inputs
from typer.testing import CliRunner

from baophu.cli import app
from baophu.ingest.importer import import_paths
from baophu.workspace import Workspace, init_workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def ws_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("risk-cli")
    init_workspace(tmp / "ws")
    ws = Workspace.open(tmp / "ws")
    with ws.store() as store:
        result = import_paths(store, [write_inputs(tmp / "inputs")], ws.rejects_dir)
        assert result.committed, result.error
    return tmp / "ws"


def test_cases_before_run_says_what_to_do(ws_dir: Path, tmp_path: Path) -> None:
    init_workspace(tmp_path / "empty")
    result = runner.invoke(app, ["risk", "cases", "-w", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "baophu risk run" in result.output


def test_run_then_cases(ws_dir: Path) -> None:
    result = runner.invoke(
        app, ["risk", "run", "-w", str(ws_dir), "--date", "2026-10-31", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["by_kind"]["deceased_enrolled"] == {"cases": 1, "amount": 526_500}
    assert summary["cases"] == sum(len(v) for v in EXPECTED.values())
    result = runner.invoke(app, ["risk", "run", "-w", str(ws_dir), "--date", "2026-10-31"])
    assert "Người đã chết còn tham gia" in result.output and "526.500" in result.output

    result = runner.invoke(
        app, ["risk", "cases", "-w", str(ws_dir), "--kind", "duplicate_record", "--json"]
    )
    out = json.loads(result.output)
    assert (out["total"], out["amount"]) == (1, 1_053_000)
    case = out["cases"][0]
    assert case["person_id"] == "********0001" and "075085000001" not in result.output
    result = runner.invoke(
        app, ["risk", "cases", "-w", str(ws_dir), "--office", "75BH02", "--json"]
    )
    assert json.loads(result.output)["total"] == 0
    result = runner.invoke(app, ["risk", "cases", "-w", str(ws_dir), "--kind", "nope"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["risk", "cases", "-w", str(ws_dir)])
    assert result.exit_code == 0 and "075085000001" not in result.output
