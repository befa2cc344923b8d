"""``baophu claims run|estimate|review|record`` on the hand-made claims: the review list with
masked IDs, and a reviewer's refused amount flowing back into the spending figures."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
import claims_hand as ch
from test_claims_rules import scenario

from baophu.cli import app
from baophu.ingest.importer import import_paths

pytestmark = pytest.mark.timeout(600)


def test_review_outcome_reduces_spending(tmp_path: Path) -> None:
    from baophu.workspace import Workspace, init_workspace

    ch.write(tmp_path / "inputs", *scenario())
    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    with ws.store() as store:
        assert import_paths(store, [tmp_path / "inputs"], ws.rejects_dir).committed
    runner = CliRunner()
    w = ["-w", str(ws.root)]
    first = runner.invoke(app, ["claims", "run", *w, "--date", "2025-03-31", "--json"])
    assert first.exit_code == 0, first.output
    before = json.loads(first.stdout)["estimate"]["spent_ytd"]
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
