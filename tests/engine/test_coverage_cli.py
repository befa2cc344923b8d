"""``baophu coverage``: JSON rows with the documented names, Vietnamese table, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from test_coverage_truth import province  # noqa: F401
from typer.testing import CliRunner

from baophu.commands.common import fmt_int, fmt_pct
from baophu.commands.coverage import coverage_app
from baophu.commands.targets import targets_app

app = typer.Typer()
app.add_typer(coverage_app, name="coverage")
app.add_typer(targets_app, name="targets")
runner = CliRunner()

JSON_KEYS = {
    "unit_code",
    "unit_name",
    "population",
    "bhyt_insured",
    "bhyt_rate",
    "labour_force",
    "bhxh_participants",
    "bhxh_rate",
    "bhtn_participants",
    "bhtn_rate",
    "compulsory_required",
    "compulsory_participants",
    "voluntary_pool",
    "voluntary_participants",
}


def _ws(ws_province: dict[str, Any]) -> str:
    return str(ws_province["workspace"].root)


def test_json_rows_for_communes(province: dict[str, Any]) -> None:  # noqa: F811
    result = runner.invoke(
        app,
        ["coverage", "--date", "2026-10-31", "--level", "commune", "--json", "-w", _ws(province)],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 95
    assert set(rows[0]) >= JSON_KEYS
    assert all(0 <= r["bhyt_rate"] <= 2 for r in rows if r["bhyt_rate"] is not None)
    assert sum(r["population"] for r in rows) == province["summary"]["province"]["population"]


def test_table_in_vietnamese(province: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    book = tmp_path / "hop.xlsx"
    result = runner.invoke(
        app,
        ["coverage", "--level", "province", "-w", _ws(province), "--workbook", str(book)],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    p = province["summary"]["province"]
    assert "Tỷ lệ BHYT" in result.output and "Dân số" in result.output
    assert fmt_int(p["population"]) in result.output
    assert fmt_pct(p["bhyt_rate"]) in result.output
    assert book.exists()


def test_formats() -> None:
    assert fmt_int(1115590) == "1.115.590"
    assert fmt_pct(0.943) == "94,3%"
    assert fmt_int(None) == ""


def test_errors_are_clear(province: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    bad = runner.invoke(app, ["coverage", "--level", "village", "-w", _ws(province)])
    assert bad.exit_code == 2
    assert "Cấp không hợp lệ" in bad.output and "unknown level" in bad.output
    assert "Traceback" not in bad.output
    missing = runner.invoke(app, ["coverage", "-w", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert "not a workspace" in missing.output
    date = runner.invoke(app, ["coverage", "--date", "31/10/2026", "-w", _ws(province)])
    assert date.exit_code == 2 and "invalid date" in date.output


def test_command_line_numbers_round_halves_away_from_zero() -> None:
    # fmt_int truncated here (1.115.590,9 → 1.115.590) while the web rounded: one rule now
    assert fmt_int(1_115_590.9) == "1.115.591"
    assert fmt_int(2.5) == "3"
    assert fmt_pct(0.9435) == "94,4%"
