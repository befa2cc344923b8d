"""``baophu targets``: set by hand, allocate, progress, campaign — JSON and errors."""

from __future__ import annotations

import json
from typing import Any

from test_coverage_cli import app
from test_coverage_truth import province  # noqa: F401
from typer.testing import CliRunner

from baophu.commands.targets import parse_value

runner = CliRunner()


def _ws(ws_province: dict[str, Any]) -> str:
    return str(ws_province["workspace"].root)


def test_parse_values() -> None:
    assert parse_value("96%", True) == 0.96
    assert parse_value("0,96", True) == 0.96
    assert parse_value("96", True) == 0.96
    assert parse_value("1.115.590", False) == 1_115_590


def test_set_allocate_progress_campaign(province: dict[str, Any]) -> None:  # noqa: F811
    ws = _ws(province)
    office = "75BH01"
    result = runner.invoke(
        app,
        [
            "targets",
            "set",
            "--year",
            "2026",
            "--unit",
            office,
            "--indicator",
            "voluntary_participants",
            "--value",
            "30",
            "-w",
            ws,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"]["target_value"] == 30
    from baophu.operational import open_operational
    from baophu.operational.manual_targets import manual_target_rows

    db = open_operational(province["workspace"])
    try:
        stored = [r for r in manual_target_rows(db) if r["unit_code"] == office]
    finally:
        db.dispose()
    assert [(r["indicator"], r["target_value"]) for r in stored] == [("voluntary_participants", 30)]
    assert stored[0]["set_by"].startswith("cli:")

    result = runner.invoke(
        app,
        [
            "targets",
            "allocate",
            "--indicator",
            "voluntary_participants",
            "--root",
            office,
            "--to-level",
            "commune",
            "--allow-below-achieved",
            "-w",
            ws,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    allocation = json.loads(result.stdout)
    assert allocation["root_target"] == 30
    assert sum(r["target_people"] for r in allocation["rows"]) == 30

    result = runner.invoke(
        app,
        [
            "targets",
            "progress",
            "--indicator",
            "voluntary_participants",
            "--level",
            "commune",
            "--lowest",
            "3",
            "--lowest-only",
            "--period",
            "month",
            "-w",
            ws,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload["rows"]) == 3 and all(r["is_lowest"] for r in payload["rows"])
    assert payload["phased"] and payload["phased"][0]["period"] == "month"

    result = runner.invoke(
        app, ["targets", "progress", "--level", "commune", "-w", ws], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    # Column headers may wrap in a narrow console; the title does not.
    assert "năm 2026 — cấp commune — đến ngày 31/10/2026" in result.output

    result = runner.invoke(
        app,
        [
            "targets",
            "campaign",
            "--days",
            "3",
            "--indicator",
            "bhyt_rate",
            "--target",
            "bhyt_rate=95%",
            "-w",
            ws,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    campaign = json.loads(result.stdout)
    assert campaign["summary"]["rows"] == 3
    assert campaign["rows"][0]["day"] == "2025-12-04"


def test_errors_are_clear(province: dict[str, Any]) -> None:  # noqa: F811
    ws = _ws(province)
    bad = runner.invoke(
        app,
        [
            "targets",
            "set",
            "--year",
            "2026",
            "--unit",
            "NOPE",
            "--indicator",
            "bhyt_rate",
            "--value",
            "96%",
            "-w",
            ws,
        ],
    )
    assert bad.exit_code == 2 and "unknown unit" in bad.output
    bad = runner.invoke(app, ["targets", "allocate", "--indicator", "nonsense", "-w", ws])
    assert bad.exit_code == 2 and "unknown indicator" in bad.output
    bad = runner.invoke(app, ["targets", "allocate", "--indicator", "bhxh_rate", "-w", ws])
    assert bad.exit_code == 1 and "no bhxh_rate target" in bad.output
    assert "Traceback" not in bad.output
