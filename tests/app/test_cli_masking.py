"""``baophu lists`` masks personal data like the web (issue 11, item 6): the explanations
(``reason_vi``) quote personal IDs ("số định danh 0752… không khớp dữ liệu dân cư"); the
command prints them with the last four digits only, in its table and in ``--json``."""

from __future__ import annotations

import json
import re
from typing import Any

from typer.testing import CliRunner

IDS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def test_lists_masks_ids_in_the_reasons(app: Any, workspace: Any) -> None:
    from baophu.cli import app as cli

    snap = app.state.ctx.marts.get()
    quoted = snap.rows(
        "SELECT person_id, reasons FROM mart_potential_persons WHERE "
        "regexp_matches(reasons_vi, '[0-9]{12}') AND person_id IS NOT NULL"
    )
    assert quoted, "no explanation in the test province quotes an ID"
    reason = quoted[0]["reasons"].split(",")[0]
    runner = CliRunner()
    result = runner.invoke(
        cli, ["lists", "--reason", reason, "--top", "500", "--json", "-w", str(workspace.root)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    explanations = [r.get("explanation") or "" for r in report["top"]]
    assert any("********" in e for e in explanations)
    assert not [m for e in explanations for m in IDS.findall(e)]
    assert not IDS.findall(result.output)
    table = runner.invoke(cli, ["lists", "--top", "200", "-w", str(workspace.root)])
    assert table.exit_code == 0, table.output
    assert not IDS.findall(table.output)
