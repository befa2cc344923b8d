"""The ``calc`` sub-application: JSON outputs, the Rich tables and bilingual errors."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from baophu.commands.calc import calc_app
from pinned_rules import RULE_VERSION

app = typer.Typer()
app.add_typer(calc_app, name="calc")


@app.callback()
def _root() -> None:
    """Test root."""


runner = CliRunner()


def run_json(*args: str) -> dict:
    result = runner.invoke(app, ["calc", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_compulsory_json() -> None:
    data = run_json("compulsory", "--wage", "10000000", "--date", "2026-01-01", "--region", "1")
    assert data["wage"] == 10_000_000
    assert data["date"] == "2026-01-01"
    assert data["region"] == 1
    # 17.5 % + 3 % + 1 % = 21.5 % → 2,150,000; 8 % + 1.5 % + 1 % = 10.5 % → 1,050,000
    employer, employee = data["employer"], data["employee"]
    assert (employer["bhxh"], employer["bhyt"], employer["bhtn"]) == (1_750_000, 300_000, 100_000)
    assert (employer["total"], employee["total"]) == (2_150_000, 1_050_000)
    assert data["total"] == 3_200_000
    assert data["rule_version"] == RULE_VERSION  # the pinned file (tests/conftest.py)
    assert "41/2024" in data["sources"]["reference_level"]
    assert "293/2025" in data["sources"]["regional_minimum_wage.region_1"]


def test_compulsory_json_is_not_escaped() -> None:
    result = runner.invoke(
        app,
        [
            "calc",
            "compulsory",
            "--wage",
            "10000000",
            "--date",
            "2026-01-01",
            "--region",
            "1",
            "--json",
        ],
    )
    assert "NĐ-CP" in result.stdout  # ensure_ascii=False keeps Vietnamese letters


def test_household_json() -> None:
    data = run_json("household-bhyt", "--member", "3", "--date", "2026-01-01")
    # 60 % × 4.5 % × 2,340,000 = 63,180; × 12 = 758,160
    assert (data["monthly"], data["yearly"]) == (63_180, 758_160)


def test_voluntary_json() -> None:
    data = run_json(
        "voluntary", "--income", "1500000", "--group", "near_poor", "--date", "2026-01-01"
    )
    # 22 % × 1,500,000 = 330,000; 40 % × 330,000 = 132,000; 330,000 − 132,000 = 198,000
    assert (data["gross"], data["subsidy"], data["payable"]) == (330_000, 132_000, 198_000)


def test_late_interest_json() -> None:
    data = run_json(
        "late-interest", "--amount", "100000000", "--days", "30", "--date", "2026-01-01"
    )
    assert data["interest"] == 900_000  # 100,000,000 × 0.03 % × 30


@pytest.mark.parametrize("sex", ["male", "nam"])
def test_retirement_json(sex: str) -> None:
    data = run_json("retirement-age", "--sex", sex, "--birth", "1966-03")
    assert (data["years"], data["months"], data["reaches_on"]) == (61, 9, "2027-12")


def test_female_retirement_json() -> None:
    data = run_json("retirement-age", "--sex", "nữ", "--birth", "1966-01")
    assert (data["years"], data["months"], data["reaches_on"]) == (55, 4, "2021-05")


def test_compulsory_table() -> None:
    result = runner.invoke(
        app, ["calc", "compulsory", "--wage", "10.000.000", "--date", "2026-01-01", "--region", "1"]
    )
    assert result.exit_code == 0, result.output
    for label in ("Người sử dụng lao động", "Người lao động", "BHXH", "BHYT", "BHTN", "Tổng cộng"):
        assert label in result.stdout
    assert "3.200.000 đ" in result.stdout
    assert "2.150.000 đ" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["household-bhyt", "--member", "1", "--date", "2026-01-01"],
        ["voluntary", "--income", "1500000", "--group", "poor", "--date", "2026-01-01"],
        ["late-interest", "--amount", "100000000", "--days", "30", "--date", "2026-01-01"],
        ["retirement-age", "--sex", "female", "--birth", "1975-05"],
    ],
)
def test_tables_render(args: list[str]) -> None:
    result = runner.invoke(app, ["calc", *args])
    assert result.exit_code == 0, result.output
    assert " đ" in result.stdout or "tuổi" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["voluntary", "--income", "1500000", "--group", "rich", "--date", "2026-01-01"],
        ["voluntary", "--income", "1000000", "--group", "other", "--date", "2026-01-01"],
        ["voluntary", "--income", "50000000", "--group", "other", "--date", "2026-01-01"],
        ["compulsory", "--wage", "10000000", "--date", "2026-02-30", "--region", "1"],
        ["compulsory", "--wage", "-5", "--date", "2026-01-01", "--region", "1"],
        ["compulsory", "--wage", "ten", "--date", "2026-01-01", "--region", "1"],
        ["compulsory", "--wage", "10000000", "--date", "2026-01-01", "--region", "7"],
        ["compulsory", "--wage", "10000000", "--date", "1999-01-01", "--region", "1"],
        ["household-bhyt", "--member", "0", "--date", "2026-01-01"],
        ["late-interest", "--amount", "-100", "--days", "30", "--date", "2026-01-01"],
        ["retirement-age", "--sex", "x", "--birth", "1966-03"],
        ["retirement-age", "--sex", "male", "--birth", "March 1966"],
    ],
)
def test_bad_input_exits_2_with_both_languages(args: list[str]) -> None:
    for extra in ([], ["--json"]):
        result = runner.invoke(app, ["calc", *args, *extra])
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        line = result.stderr.strip()
        assert "\n" not in line
        # the one error line every command prints (commands.common.fail): both languages
        assert line.startswith("Lỗi / Error: ")
        vi, en = line.removeprefix("Lỗi / Error: ").rsplit(" / ", 1)
        assert vi and en and vi != en
        assert "Traceback" not in result.output
