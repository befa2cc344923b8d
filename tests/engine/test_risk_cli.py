"""``baophu risk run|cases`` on the hand-made office of ``risk_hand``: counts and amounts by
kind, filters by kind and office, personal IDs masked, ``--json``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module")
def computed(ws_dir: Path) -> tuple[Path, dict[str, Any]]:
    """``risk run --json`` once on the imported office: the workspace and what it printed;
    a test that writes (a verdict, another database) works on a copy."""
    result = runner.invoke(
        app, ["risk", "run", "-w", str(ws_dir), "--date", "2026-10-31", "--json"]
    )
    assert result.exit_code == 0, result.output
    return ws_dir, json.loads(result.output)


def _copy(computed: tuple[Path, dict[str, Any]], to: Path) -> Path:
    shutil.copytree(computed[0], to)
    return to


def test_cases_before_run_says_what_to_do(ws_dir: Path, tmp_path: Path) -> None:
    init_workspace(tmp_path / "empty")
    result = runner.invoke(app, ["risk", "cases", "-w", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "baophu risk run" in result.output


def test_run_then_cases(computed: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    ws_dir, summary = computed
    assert summary["by_kind"]["deceased_enrolled"] == {"cases": 1, "amount": 526_500}
    assert summary["cases"] == sum(len(v) for v in EXPECTED.values())
    again = _copy(computed, tmp_path / "ws")
    result = runner.invoke(app, ["risk", "run", "-w", str(again), "--date", "2026-10-31"])
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


def test_monthly_report_of_an_office(computed: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from baophu.operational import open_operational
    from baophu.operational.risk_cases import record_verdict

    ws_dir = _copy(computed, tmp_path / "ws")
    db = open_operational(Workspace.open(ws_dir))
    try:
        case = {
            "case_id": "deceased_enrolled:E07",
            "kind": "deceased_enrolled",
            "office_code": "75BH01",
        }
        record_verdict(
            db,
            case,
            "confirmed",
            "admin",
            amount_recovered=300_000,
            recovered_on=dt.date(2026, 10, 20),
        )
    finally:
        db.dispose()
    result = runner.invoke(
        app,
        [
            "risk",
            "report",
            "-w",
            str(ws_dir),
            "--office",
            "75BH01",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["month"], out["cases"]) == ("2026-10", sum(len(v) for v in EXPECTED.values()))
    book = load_workbook(out["path"], read_only=True)
    summary = {row[0]: row[1:] for row in book["Tổng hợp"].iter_rows(min_row=5, values_only=True)}
    # kind: cases, amount, confirmed, false alarms, open, recovered
    assert summary["Người đã chết còn tham gia"] == (1, 526_500, 1, 0, 0, 300_000)
    assert summary["Chuyển thiếu tiền đã thu"] == (2, 1_640_000, 0, 0, 2, 0)
    assert summary["Tổng cộng"][0] == sum(len(v) for v in EXPECTED.values())
    text = "\n".join(
        str(c) for row in book["Danh sách vụ việc"].iter_rows(values_only=True) for c in row if c
    )
    assert "075060000004" not in text and "********0004" in text
    bad = runner.invoke(
        app, ["risk", "report", "-w", str(ws_dir), "--office", "XX", "--out", str(tmp_path)]
    )
    assert bad.exit_code == 2


def test_report_with_the_operational_database_unreachable_exits_cleanly(
    computed: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The verdicts live in the operational database: when it cannot be reached the report
    says so in both languages and exits 1, with no traceback and no workbook written."""
    from baophu.workspace import CONFIG_NAME, WorkspaceConfig

    ws = _copy(computed, tmp_path / "ws")
    config = WorkspaceConfig.read(ws / CONFIG_NAME)
    config.database_url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
    config.write(ws / CONFIG_NAME)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["risk", "report", "-w", str(ws), "--office", "75BH01", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    said = " ".join(result.output.split())
    assert "Không mở được cơ sở dữ liệu nghiệp vụ" in said
    assert "cannot open the operational database" in said
    assert "secret" not in said  # the password is never printed
    assert not out.exists() or not any(out.iterdir())
