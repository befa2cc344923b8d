"""``baophu reports``: the files written, their stamp in ``--json``, the audit log, and the
errors a person can make (a unit that has no report of that kind, a date the marts were not
computed for)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from documents_fixtures import open_workspace, province_copy
from typer.testing import CliRunner

from baophu.cli import app


@pytest.fixture(scope="module")
def documents_province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return province_copy(tmp_path_factory)


@pytest.fixture(scope="module")
def documents_workspace(documents_province: Path) -> Any:
    return open_workspace(documents_province)


runner = CliRunner()


def test_reports_command_writes_stamped_files_and_audits(
    documents_workspace: Any, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from baophu.operational import AuditEvent
    from baophu.operational.db import open_operational

    ws = documents_workspace
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["reports", "inspection", "-w", str(ws.root), "--out", str(out), "--no-pdf", "--json"]
    )
    assert result.exit_code == 0, result.output
    (made,) = json.loads(result.stdout)["files"]
    entry = None
    with ws.store(read_only=True) as store:
        entry = store.mart_entry("coverage_by_unit")
    assert entry is not None
    assert made["kind"] == "inspection" and made["pdf"] is None
    assert (made["state_id"], made["reference_date"], made["rule_version"]) == (
        entry.state_id,
        entry.reference_date,
        entry.rule_version,
    )
    assert Path(made["docx"]).is_file() and Path(made["docx"]).parent == out
    db = open_operational(ws)
    try:
        with db.session() as s:
            events = s.scalars(
                select(AuditEvent).where(AuditEvent.object == "report_inspection")
            ).all()
    finally:
        db.dispose()
    assert events and events[-1].action == "export"
    assert Path(made["docx"]).name in (events[-1].detail or "")


def test_reports_command_errors(documents_workspace: Any, tmp_path: Path) -> None:
    root = str(documents_workspace.root)
    wrong_date = runner.invoke(
        app, ["reports", "monthly", "-w", root, "--out", str(tmp_path), "--date", "2020-01-31"]
    )
    assert wrong_date.exit_code == 1
    assert "baophu run" in wrong_date.output and "2020-01-31" in wrong_date.output
    bad_date = runner.invoke(
        app, ["reports", "monthly", "-w", root, "--out", str(tmp_path), "--date", "31/01/2020"]
    )
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    unknown = runner.invoke(
        app, ["reports", "monthly", "-w", root, "--out", str(tmp_path), "--unit", "NOPE"]
    )
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
