"""The sizing model of docs/scale.md (``benchmarks/scale_model.py``): its lines, pooled over
runs, and the runs it leaves out of a step, checked on figures made by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmark_scripts import load


@pytest.fixture(scope="module")
def scale_model() -> Any:
    return load("scale_model")


def _run(scale: float, sizes: dict[str, int], claims: bool = True) -> dict[str, Any]:
    """Provinces whose import takes 2 s + 3 s per 1,000 residents and whose claims step takes
    1 s + 1 s per 1,000 (peaks 100 MiB + 1 MiB per 1,000)."""
    return {
        "backend": "duckdb",
        "scale": scale,
        "claims": claims,
        "_path": f"run-{scale}.json",
        "provinces": {
            code: {
                "residents": n,
                "steps": {
                    "import": {"seconds": 2 + 3 * n / 1000, "peak_mib": 100 + n / 1000},
                    "claims": {"seconds": 1 + n / 1000, "peak_mib": 100 + n / 1000},
                },
            }
            for code, n in sizes.items()
        },
    }


def test_a_straight_line_is_found_exactly(scale_model: Any) -> None:
    line = scale_model.fit(np.array([1.0, 2.0, 4.0]), np.array([5.0, 7.0, 11.0]))
    assert line.a == pytest.approx(3.0) and line.b == pytest.approx(2.0)
    assert line.worst == pytest.approx(0.0, abs=1e-12)
    assert (line.points, line.low, line.high) == (3, 1.0, 4.0)
    assert line(10.0) == pytest.approx(23.0)


def test_worst_residual_is_relative_to_the_measurement(scale_model: Any) -> None:
    # points (0, 1), (1, 1), (2, 4): the line is y = 0.5 + 1.5x; at x=1 it says 2 for 1 (100 %)
    line = scale_model.fit(np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 4.0]))
    assert line.a == pytest.approx(0.5) and line.b == pytest.approx(1.5)
    assert line.worst == pytest.approx(1.0)


def test_runs_are_pooled_and_a_run_without_claims_is_left_out_of_that_step(
    scale_model: Any,
) -> None:
    small = _run(0.01, {"a": 1000, "b": 3000})
    # the large province's claims step ran on nothing: 0.5 s, far below the line
    large = _run(0.4, {"c": 100_000}, claims=False)
    large["provinces"]["c"]["steps"]["claims"]["seconds"] = 0.5
    lines = scale_model.model([small, large])
    import_s, import_peak = lines["import"]
    assert import_s.points == 3 and import_s.high == 100_000
    assert import_s.a == pytest.approx(2.0) and import_s.b == pytest.approx(0.003)
    assert import_peak.a == pytest.approx(100.0) and import_peak.b == pytest.approx(0.001)
    claims_s, _ = lines["claims"]
    assert claims_s.points == 2 and claims_s.high == 3000
    assert claims_s.a == pytest.approx(1.0) and claims_s.b == pytest.approx(0.001)


def test_markdown_compares_a_check_run_with_the_fit(scale_model: Any, tmp_path: Path) -> None:
    fitted = tmp_path / "fitted.json"
    fitted.write_text(json.dumps(_run(0.01, {"a": 1000, "b": 3000})))
    check = tmp_path / "check.json"
    run = _run(0.4, {"c": 10_000}, claims=False)
    run["provinces"]["c"]["steps"]["import"]["seconds"] = 40.0  # the line says 32
    check.write_text(json.dumps(run))
    text = scale_model.markdown([fitted], [check])
    section = text.split("Out of the fitted range")[1]
    assert "| import | 40.0 | 32.0 | 40.0 | 32.0 | 110 | 110 |" in section
    assert "| claims |" not in section  # generated without claims: not compared
    # the nation: 34 intercepts plus the slope times 113.2 M residents, for both steps
    whole = 34 * 2 + 0.003 * 113_200_000 + 34 * 1 + 0.001 * 113_200_000
    assert f"one after another on one such machine: {whole / 3600:.1f} h" in text


def test_the_first_province_of_one_application_is_left_out_and_its_start_counted_once(
    scale_model: Any, tmp_path: Path
) -> None:
    """All provinces in one Spark application: the first (a fresh driver) took 60 s more
    import and 40 s more claims than the line of the warm ones.  The line is the warm ones'
    exactly, and the nightly run counts the 100 s once, not 34 times."""
    run = _run(0.01, {"a": 1000, "b": 3000, "c": 5000})
    for code, p in run["provinces"].items():
        p["warm"] = code != "a"
        p["enrolments"] = 5 * p["residents"]
    a = run["provinces"]["a"]["steps"]
    a["import"]["seconds"] += 60.0
    a["claims"]["seconds"] += 40.0
    lines = scale_model.model([run])
    import_s, _ = lines["import"]
    assert import_s.points == 2 and import_s.low == 3000
    assert import_s.a == pytest.approx(2.0) and import_s.b == pytest.approx(0.003)
    assert scale_model._start([run], lines) == pytest.approx(100.0)
    path = tmp_path / "one.json"
    path.write_text(json.dumps(run))
    assert "| a (first, fresh driver) | 1,000 |" in scale_model.measured(path)
    text = scale_model.markdown([path], [])
    whole = 100 + 34 * 2 + 0.003 * 113_200_000 + 34 * 1 + 0.001 * 113_200_000
    assert f"one after another on one such machine: {whole / 3600:.1f} h" in text
    assert "the 100 s by which the first province" in text
    # a run of a process per province (no warm flag) leaves nothing out
    for p in run["provinces"].values():
        del p["warm"]
    assert scale_model.model([run])["import"][0].points == 3
    assert scale_model._start([run], scale_model.model([run])) == 0.0
    path.write_text(json.dumps(run))
    assert "(first, fresh driver)" not in scale_model.measured(path)
