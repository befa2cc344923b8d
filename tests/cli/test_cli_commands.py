"""The baophu command: init, import, snapshots, tables, contracts; --json; clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from baophu.cli import app

runner = CliRunner()


def test_init_import_snapshots_tables_json(tmp_path: Path, tiny_inputs: Path) -> None:
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["init", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["backend"] == "duckdb"
    assert (ws / "baophu.toml").read_text(encoding="utf-8").count('backend = "duckdb"') == 1
    result = runner.invoke(app, ["import", str(tiny_inputs), "-w", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["committed"] is True
    assert sum(f["rows_imported"] for f in payload["files"]) == 6 + 2 + 5
    result = runner.invoke(app, ["tables", "-w", str(ws), "--json"])
    counts = json.loads(result.stdout)
    assert (counts["units"], counts["households"], counts["residents"]) == (6, 2, 5)
    result = runner.invoke(app, ["snapshots", "-w", str(ws), "--json"])
    snaps = json.loads(result.stdout)
    assert sorted(s["table_name"] for s in snaps) == ["households", "residents", "units"]


def test_pyspark_workspace_config(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["init", str(ws), "--backend", "pyspark", "--master", "local[1]"])
    assert result.exit_code == 0, result.output
    text = (ws / "baophu.toml").read_text(encoding="utf-8")
    assert 'backend = "pyspark"' in text and 'spark_master = "local[1]"' in text


def test_bad_backend_and_missing_workspace_are_clear(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "x"), "--backend", "oracle"])
    assert result.exit_code == 2
    assert "duckdb" in result.output and "pyspark" in result.output
    result = runner.invoke(app, ["tables", "-w", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "không phải không gian làm việc" in result.output and "not a workspace" in result.output


def test_failed_import_exits_1_without_traceback(tmp_path: Path, tiny_inputs: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    bad = tmp_path / "residents.csv"
    bad.write_text("Số định danh cá nhân,Họ và tên\n075085000001,Nguyễn Văn An\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "baophu.cli", "import", str(bad), "-w", str(ws)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "residents.csv" in proc.stderr and "Ngày sinh" in proc.stderr


def test_contracts_markdown_matches_docs() -> None:
    result = runner.invoke(app, ["contracts", "--markdown"])
    docs = Path(__file__).resolve().parents[2] / "docs" / "data-contracts.md"
    assert result.stdout == docs.read_text(encoding="utf-8"), (
        "docs/data-contracts.md is stale: run `baophu contracts --markdown > docs/data-contracts.md`"
    )


def test_contracts_json_lists_every_table() -> None:
    result = runner.invoke(app, ["contracts", "--json"])
    tables = json.loads(result.stdout)
    assert set(tables) == {
        "residents",
        "households",
        "household_classifications",
        "enrolments",
        "employers",
        "contribution_ledger",
        "payments",
        "tax_returns",
        "business_registry",
        "school_rosters",
        "units",
        "agents",
        "collectors",
        "officers",
        "targets",
        "budget_obligations",
        "benefit_lists",
        "disadvantaged_communes",
        "labour_force",
        "agent_receipts",
        "agent_remittances",
    }
    assert tables["residents"]["key"] == ["person_id"]
