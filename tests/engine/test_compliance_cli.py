"""``baophu compliance …`` mounted on a small Typer app, as cli.py will mount it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from baophu.commands.compliance import compliance_app

app = typer.Typer()
app.add_typer(compliance_app, name="compliance")
runner = CliRunner()


def _cases() -> Any:
    path = Path(__file__).resolve().parent / "test_compliance_cases.py"
    spec = importlib.util.spec_from_file_location("compliance_cases", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _imported(tmp: Path) -> Any:
    cases = _cases()
    ws = cases.new_workspace(tmp / "ws")
    cases.import_case(ws, cases.write_case_inputs(tmp / "inputs", cases.UNITS_CSV))
    return ws


def invoke(*args: str) -> Any:
    return runner.invoke(app, ["compliance", *args])


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The hand-computed province, imported and computed at 31/12/2025 by
    ``compliance run --json``: the workspace and what the command printed."""
    ws = _imported(tmp_path_factory.mktemp("cli"))
    result = invoke("run", "-w", str(ws.root), "--date", "2025-12-31", "--json")
    assert result.exit_code == 0, result.output
    return Path(ws.root), json.loads(result.output)


@pytest.fixture(scope="module")
def ws_dir(computed: tuple[Path, dict[str, Any]]) -> Path:
    return computed[0]


def test_commands_need_a_computed_workspace(tmp_path: Path) -> None:
    ws = _imported(tmp_path)
    result = invoke("employer", "DVA", "-w", str(ws.root))
    assert result.exit_code == 1
    assert "baophu compliance run" in result.output and "Traceback" not in result.output


def test_run_prints_ratio_late_3plus_and_top(computed: tuple[Path, dict[str, Any]]) -> None:
    ws_dir, data = computed
    result = invoke("run", "-w", str(ws_dir), "--date", "2025-12-31")
    assert result.exit_code == 0, result.output
    assert "Tỷ lệ số tiền chậm đóng" in result.output
    assert "2,55%" in result.output
    assert "Đơn vị chậm đóng từ 3 tháng trở lên" in result.output
    assert data["late_amount"] == 50_015_000 and data["employers_late_3plus"] == 1
    assert data["reference_date"] == "2025-12-31" and data["arrears_ratio_ceiling"] == 0.0255


def test_employer_history(ws_dir: Path) -> None:
    data = json.loads(invoke("employer", "DVA", "-w", str(ws_dir), "--json").output)
    assert data["balance"]["balance"] == 10_304_800
    assert [m["interest_in_month"] for m in data["months"]] == [0, 0, 0, 67_800, 144_000, 93_000]
    text = invoke("employer", "DVA", "-w", str(ws_dir)).output
    assert "Số dư (nợ +, thừa −)" in text and "10.304.800" in text
    missing = invoke("employer", "NOPE", "-w", str(ws_dir))
    assert missing.exit_code == 1 and "Không có đơn vị NOPE" in missing.output


def test_notice_and_notices(ws_dir: Path, tmp_path: Path) -> None:
    one = invoke(
        "notice", "DVA", "-w", str(ws_dir), "--month", "2025-10", "--out", str(tmp_path), "--json"
    )
    assert one.exit_code == 0, one.output
    data = json.loads(one.output)
    assert data["notice"]["closing_balance"] == 26_067_800
    assert sorted(Path(f).name for f in data["files"]) == ["DVA_2025-10.pdf", "DVA_2025-10.xlsx"]
    batch = invoke(
        "notices",
        "-w",
        str(ws_dir),
        "--month",
        "2025-10",
        "--out",
        str(tmp_path / "all"),
        "--officer",
        "CB01",
        "--workers",
        "1",
        "--json",
    )
    assert batch.exit_code == 0, batch.output
    assert json.loads(batch.output)["pdf"] == 5
    bad = invoke("notice", "DVA", "-w", str(ws_dir), "--month", "10/2025", "--out", str(tmp_path))
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_lists_export(ws_dir: Path, tmp_path: Path) -> None:
    result = invoke("lists", "-w", str(ws_dir), "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tender_exclusion_list"]["rows"] == 2  # DVC and DVE
    assert data["award_exclusion_list"]["rows"] == 3
    sheet = load_workbook(data["disclosure_list"]["file"]).active
    assert sheet["A1"].value.startswith("DANH SÁCH ĐƠN VỊ CHẬM ĐÓNG")
    header = [c.value for c in sheet[4]]
    assert header[:4] == ["STT", "Mã đơn vị", "Mã số thuế", "Tên đơn vị"]
    assert sheet["B5"].value == "DVC" and sheet["H5"].value == 40_000_000


def test_bad_workspace_is_a_clean_error(tmp_path: Path) -> None:
    result = invoke("run", "-w", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "không phải không gian làm việc" in result.output
    assert "Traceback" not in result.output
