"""``baophu nation build`` end to end on two small synthetic provinces: one workspace per
province, imported and computed (``--ranking-only``: the steps the ranking needs), then
ranked — the national figures are the sums of the provinces' own coverage marts, and each
province's population is its ground truth's.  Every step of the pipeline on a province is
``baophu run``'s and the demo's (``test_pipeline``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from baophu.cli import app
from baophu.synth.generator import generate
from baophu.workspace import Workspace


def test_build_two_provinces(tmp_path: Path) -> None:
    source = tmp_path / "nation"
    for code, name in (("11", "Điện Biên"), ("12", "Lai Châu")):
        # no sample forms (nor agents' money), and the school rosters and household lists
        # (about 200 workbooks a province) left out: none of the steps the ranking needs
        # reads them
        generate(name, 0.001, 5, source / "provinces" / code, claims=False, forms=False)
        for folder in ("school_rosters", "household_lists"):
            shutil.rmtree(source / "provinces" / code / "inputs" / folder)
    out = tmp_path / "ws"
    result = CliRunner().invoke(
        app, ["nation", "build", str(source), "--out", str(out), "--ranking-only", "--json"]
    )
    assert result.exit_code == 0, result.output
    shown = CliRunner().invoke(app, ["nation", "view", "-w", str(out), "--json"])
    assert shown.exit_code == 0, shown.output
    rows = {r["unit_code"]: r for r in json.loads(shown.output)["provinces"]}
    assert set(rows) == {"VN", "11", "12"}
    for code in ("11", "12"):
        truth = json.loads(
            (source / "provinces" / code / "truth" / "summary.json").read_text(encoding="utf-8")
        )
        assert rows[code]["population"] == truth["population"]
    assert rows["VN"]["population"] == rows["11"]["population"] + rows["12"]["population"]
    # the nation's insured are residents insured in any province, each once: a province's
    # own less its non-residents, plus its residents insured only in another province
    assert rows["VN"]["bhyt_insured"] == sum(
        rows[c]["bhyt_insured"]
        - rows[c]["bhyt_insured_nonresident"]
        + rows[c]["residents_insured_elsewhere"]
        for c in ("11", "12")
    )
    assert {rows["11"]["bhyt_rate_rank"], rows["12"]["bhyt_rate_rank"]} == {1, 2}
    timings = json.loads((out / "nation_timings.json").read_text(encoding="utf-8"))
    assert set(timings["provinces"]) == {"11", "12"}
    # the import, then the steps that write coverage_by_unit, achievement_by_unit and
    # arrears_by_unit and those they use, in the pipeline's order; nothing else
    for code in ("11", "12"):
        assert list(timings["provinces"][code]["seconds"]) == [
            *("import", "identity", "coverage", "targets", "compliance")
        ]
    with Workspace.open(out / "provinces" / "11").store(read_only=True) as store:
        assert store.has_mart("arrears_by_unit") and not store.has_mart("person_links")
    # drilled down: Lai Châu's offices hold its whole population, and its communes are the
    # communes of its units file, each under one of those offices
    drill = CliRunner().invoke(app, ["nation", "view", "-w", str(out), "--unit", "12", "--json"])
    assert drill.exit_code == 0, drill.output
    offices = json.loads(drill.output)["children"]
    assert sum(o["population"] for o in offices) == rows["12"]["population"]
    units = pd.read_csv(source / "provinces" / "12" / "inputs" / "units.csv", dtype=str)
    communes = set(units[units.iloc[:, 2] == "commune"].iloc[:, 0])
    seen: set[str] = set()
    for office in offices:
        below = CliRunner().invoke(
            app, ["nation", "view", "-w", str(out), "--unit", office["unit_code"], "--json"]
        )
        seen |= {c["unit_code"] for c in json.loads(below.output)["children"]}
    assert seen == communes
