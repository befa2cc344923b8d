"""``baophu claims run|estimate|review|record`` on the hand-made claims: the review list with
masked IDs, and a reviewer's refused amount flowing back into the spending figures."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
import claims_hand as ch
from test_claims_rules import scenario

from baophu.cli import app

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The hand-made claims imported (``claims import``) and computed at 31/03/2025
    (``claims run --json``): the workspace and what the run printed; a test works on a copy."""
    from baophu.workspace import init_workspace

    tmp = tmp_path_factory.mktemp("claims-cli")
    ch.write(tmp / "inputs", *scenario())
    init_workspace(tmp / "ws")
    runner = CliRunner()
    w = ["-w", str(tmp / "ws")]
    imported = runner.invoke(app, ["claims", "import", str(tmp / "inputs"), *w, "--json"])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["committed"]
    first = runner.invoke(app, ["claims", "run", *w, "--date", "2025-03-31", "--json"])
    assert first.exit_code == 0, first.output
    return tmp / "ws", json.loads(first.stdout)


def test_review_outcome_reduces_spending(
    computed: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    shutil.copytree(computed[0], tmp_path / "ws")
    runner = CliRunner()
    w = ["-w", str(tmp_path / "ws")]
    before = computed[1]["estimate"]["spent_ytd"]
    review = runner.invoke(app, ["claims", "review", *w, "--json", "--limit", "50"])
    rows = json.loads(review.stdout)
    dead = next(r for r in rows if r["claim_code"] == "DEAD")
    assert dead["rules"] == "dead_card" and dead["amount_at_stake"] == 160000
    assert dead["person_id"] != "075060000009" and dead["person_id"].endswith("0009")
    # the reviewer refuses the dead person's claim: 160,000 less spent
    rec = ["claims", "record", "75001", "DEAD", "--outcome", "refused", "--amount", "160000"]
    assert runner.invoke(app, [*rec, *w]).exit_code == 0
    bad = runner.invoke(app, ["claims", "record", "75001", "DEAD", "--outcome", "refused", *w])
    assert bad.exit_code == 2
    again = runner.invoke(app, ["claims", "run", *w, "--date", "2025-03-31", "--json"])
    after = json.loads(again.stdout)["estimate"]["spent_ytd"]
    assert before - after == 160000
    est = runner.invoke(app, ["claims", "estimate", *w, "--json"])
    assert json.loads(est.stdout)["summary"]["spent_ytd"] == after
    assert dt.date(2025, 3, 31).year == json.loads(est.stdout)["summary"]["year"]


def test_monthly_workbook_for_the_health_department(
    computed: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The workbook's summary sheet carries the estimate summary's figures; the flags sheet
    counts the hand-made flags by rule (no names)."""
    import openpyxl

    from baophu.reports.claims_workbook import write_claims_workbook
    from baophu.workspace import Workspace

    shutil.copytree(computed[0], tmp_path / "ws")
    with Workspace.open(tmp_path / "ws").store() as store:
        path = write_claims_workbook(store, tmp_path / "chi.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Dự toán", "Theo tháng", "Cơ sở KCB", "Chỉ số", "Tăng chi phí",
                             "Cảnh báo"]  # fmt: skip
    summary = {r[0].value: r[1].value for r in wb["Dự toán"].iter_rows(min_row=4)}
    # 20 claims of 160,000 each paid by the fund, all settled in March 2025
    assert summary["Đã chi lũy kế (đồng)"] == 20 * 160000
    assert summary["Tháng số liệu"] == 3
    flags = [[c.value for c in r] for r in wb["Cảnh báo"].iter_rows(min_row=2)]
    assert ["75001", "thẻ của người đã chết", 1, 160000] in flags
    assert all("Phạm" not in str(v) for r in flags for v in r)
