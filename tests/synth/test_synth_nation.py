"""``baophu synth --province all``: the 34 provinces, each sized to its real population, every
commune of the country once, the national BHYT rate of 2025 reached, and the same files and
ground truth per province as a province generated alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baophu.cli import app

# It generates the 34 provinces (about 25 s): left out of make test-fast.
pytestmark = pytest.mark.slow

SCALE = 0.0003
# The 34 provinces' populations as published with the 2025 merger (Hà Nội 8.72 M, Hồ Chí Minh
# City 14.0 M, …, Lai Châu 0.49 M) add up to 113.2 M: they count registered residents,
# where the statistics office's 2024 average is 101.1 M.
NATIONAL_POPULATION = 113_200_000


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("nation")
    result = CliRunner().invoke(
        app,
        [
            *("synth", "--province", "all", "--scale", str(SCALE)),
            *("--workers", "2", "--no-claims", "--no-forms", "--out", str(out), "--json"),
        ],
    )
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "nation.json").read_text(encoding="utf-8"))


def _all_wards() -> int:
    from vietnam_provinces import Ward

    return sum(1 for _ in Ward.iter_all())


def test_every_province_and_commune_once(nation: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    out, summary = nation
    assert summary["provinces"] == 34
    assert sorted(p.name for p in (out / "provinces").iterdir()) == sorted(summary["by_province"])
    assert summary["totals"]["communes"] == _all_wards() == 3321
    for code, province in summary["by_province"].items():
        inputs = out / "provinces" / code / "inputs"
        assert (inputs / "residents.parquet").exists() and (inputs / "units.csv").exists()
        # --no-claims: no BHYT claim is generated
        assert not (inputs / "claims").exists() and not (inputs / "claims_xml").exists()
        # --no-forms: no sample form, no agent's receipt or transfer (the ranking reads none)
        assert not (inputs / "forms").exists() and not (inputs / "agent_receipts.parquet").exists()
        assert not (inputs / "agent_remittances.parquet").exists()
        truth = json.loads((out / "provinces" / code / "truth" / "summary.json").read_text())
        assert truth["province_code"] == code and truth["population"] == province["population"]
        assert truth["forms"] is None and truth["agents_money"] is None


def test_provinces_sized_to_their_population(nation: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    _, summary = nation
    total = summary["totals"]["population"]
    # the nation at this scale: 113.2 M × 0.0003 ≈ 34,000 people (births, deaths and moves
    # of the simulated years move it by a few per cent)
    assert abs(total - NATIONAL_POPULATION * SCALE) / (NATIONAL_POPULATION * SCALE) < 0.06
    by = summary["by_province"]
    # Ho Chi Minh City (14.0 M) is about 28 times Lai Châu (0.49 M)
    assert 20 < by["79"]["population"] / by["12"]["population"] < 36


def test_national_bhyt_rate_of_2025(nation: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    _, summary = nation
    year_end = summary["rates"]["2025-12-31"]
    # DOMAIN.md: BHYT 95.16 % at the end of 2025; every province follows that path
    assert year_end["bhyt_rate"]["rate"] == pytest.approx(0.9516, abs=0.002)
    # BHXH 45.1 % and BHTN 35.07 % of the labour force (DOMAIN.md); a nation this small
    # (about 20,000 people of working age) is within a point and a half of them
    assert year_end["bhxh_rate"]["rate"] == pytest.approx(0.451, abs=0.015)
    assert year_end["bhtn_rate"]["rate"] == pytest.approx(0.3507, abs=0.015)


def test_codes_naming_no_province_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """Codes are the provinces' integers: strings (or an unknown code) match none, and the
    generator says so instead of failing deep in the link pass on an empty nation."""
    from baophu.synth.nation import generate_nation

    for codes in (["12"], [99]):
        with pytest.raises(ValueError, match="no province has the codes"):
            generate_nation(0.001, 1, tmp_path / "n", workers=1, codes=codes)  # type: ignore[arg-type]
    assert not (tmp_path / "n").exists()
