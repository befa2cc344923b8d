"""Compulsory contributions: expectations worked out by hand from the published rates."""

from __future__ import annotations

from datetime import date

import pytest

from baophu.rules.contributions import compulsory_split
from baophu.rules.errors import RulesInputError


def test_ten_million_region_1_is_32_percent() -> None:
    result = compulsory_split(10_000_000, date(2026, 1, 1), 1)
    # employer: 14 % + 3 % + 0.5 % = 17.5 % × 10,000,000 = 1,750,000 (BHXH)
    #           3 % BHYT = 300,000; 1 % BHTN = 100,000; total 21.5 % = 2,150,000
    assert result["employer"] == {
        "bhxh": 1_750_000,
        "bhyt": 300_000,
        "bhtn": 100_000,
        "total": 2_150_000,
    }
    # employee: 8 % = 800,000; 1.5 % = 150,000; 1 % = 100,000; total 10.5 % = 1,050,000
    assert result["employee"] == {
        "bhxh": 800_000,
        "bhyt": 150_000,
        "bhtn": 100_000,
        "total": 1_050_000,
    }
    # 2,150,000 + 1,050,000 = 3,200,000 = 32 %
    assert result["total"] == 3_200_000
    # 14 % = 1,400,000; 3 % = 300,000; 0.5 % = 50,000
    assert result["employer_funds"] == {
        "pension_survivor": 1_400_000,
        "sickness_maternity": 300_000,
        "occupational": 50_000,
    }
    assert result["bhxh_bhyt_wage"] == 10_000_000
    assert result["bhtn_wage"] == 10_000_000
    assert result["warnings"] == []
    assert result["rule_version"] == "2026.11.1"
    assert "rate.employer.pension_survivor" in result["sources"]


def test_wage_cap_2026() -> None:
    result = compulsory_split(60_000_000, date(2026, 1, 1), 1)
    # BHXH/BHYT cap: 20 × 2,340,000 = 46,800,000
    # BHTN cap: 20 × 5,310,000 = 106,200,000 → 60,000,000 not capped
    assert result["caps"] == {"bhxh_bhyt": 46_800_000, "bhtn": 106_200_000}
    assert result["bhxh_bhyt_wage"] == 46_800_000
    assert result["bhtn_wage"] == 60_000_000
    # employer: 17.5 % × 46,800,000 = 8,190,000; 3 % × 46,800,000 = 1,404,000;
    #           1 % × 60,000,000 = 600,000; total 10,194,000
    assert result["employer"] == {
        "bhxh": 8_190_000,
        "bhyt": 1_404_000,
        "bhtn": 600_000,
        "total": 10_194_000,
    }
    # employee: 8 % × 46,800,000 = 3,744,000; 1.5 % × 46,800,000 = 702,000;
    #           1 % × 60,000,000 = 600,000; total 5,046,000
    assert result["employee"] == {
        "bhxh": 3_744_000,
        "bhyt": 702_000,
        "bhtn": 600_000,
        "total": 5_046_000,
    }
    assert result["total"] == 15_240_000  # 10,194,000 + 5,046,000
    assert any("BHXH/BHYT cap" in w for w in result["warnings"])


def test_bhtn_cap_uses_old_regional_minimum_wage_before_2026() -> None:
    # 2025-12-01, region 1: Decree 74/2024 → 4,960,000 × 20 = 99,200,000
    before = compulsory_split(100_000_000, date(2025, 12, 1), 1)
    assert before["caps"]["bhtn"] == 99_200_000
    assert before["bhtn_wage"] == 99_200_000
    assert before["employer"]["bhtn"] == 992_000  # 1 % × 99,200,000
    assert before["employee"]["bhtn"] == 992_000
    # 2026-01-01: Decree 293/2025 → 5,310,000 × 20 = 106,200,000 → 100,000,000 not capped
    after = compulsory_split(100_000_000, date(2026, 1, 1), 1)
    assert after["bhtn_wage"] == 100_000_000
    assert after["employer"]["bhtn"] == 1_000_000


def test_bhtn_cap_region_4() -> None:
    # region 4 on 2026-01-01: 20 × 3,700,000 = 74,000,000
    result = compulsory_split(80_000_000, date(2026, 1, 1), 4)
    assert result["bhtn_wage"] == 74_000_000
    assert result["employee"]["bhtn"] == 740_000


def test_bhxh_cap_before_2024_07_uses_old_base_salary() -> None:
    # 2024-03-01: 20 × 1,800,000 = 36,000,000; employee 8 % = 2,880,000
    result = compulsory_split(40_000_000, date(2024, 3, 1), 1)
    assert result["bhxh_bhyt_wage"] == 36_000_000
    assert result["employee"]["bhxh"] == 2_880_000


def test_below_minimum_wage_is_computed_with_warning() -> None:
    # 4,000,000 < 5,310,000 (region 1, 2026): no silent floor
    result = compulsory_split(4_000_000, date(2026, 1, 1), 1)
    assert result["bhxh_bhyt_wage"] == 4_000_000
    # 32 % × 4,000,000 = 1,280,000
    assert result["total"] == 1_280_000
    assert len(result["warnings"]) == 1
    assert "lương tối thiểu vùng" in result["warnings"][0]
    assert "minimum wage" in result["warnings"][0]


def test_rounding_is_half_up_per_fund() -> None:
    # wage 100: 14 % = 14; 3 % = 3; 0.5 % = 0.5 → 1 (half-up, per fund) → BHXH 18
    result = compulsory_split(100, date(2026, 1, 1), 1)
    assert result["employer_funds"] == {
        "pension_survivor": 14,
        "sickness_maternity": 3,
        "occupational": 1,
    }
    assert result["employer"]["bhxh"] == 18
    # BHYT 1.5 % × 100 = 1.5 → 2
    assert result["employee"]["bhyt"] == 2


def test_reduced_occupational_rate() -> None:
    # 0.3 % × 10,000,000 = 30,000 → employer BHXH 1,400,000 + 300,000 + 30,000 = 1,730,000
    result = compulsory_split(10_000_000, date(2026, 1, 1), 1, reduced_occupational=True)
    assert result["employer_funds"]["occupational"] == 30_000
    assert result["employer"]["bhxh"] == 1_730_000


def test_covid_relief_period() -> None:
    # 2022-01-01: occupational 0 % (Resolution 68/NQ-CP) and employer BHTN 0 %
    # (Resolution 116/NQ-CP): employer 14 % + 3 % + 3 % = 20 % × 10,000,000 = 2,000,000
    result = compulsory_split(10_000_000, date(2022, 1, 1), 1)
    assert result["employer"]["total"] == 2_000_000
    assert result["employer"]["bhtn"] == 0
    assert result["employee"]["total"] == 1_050_000


@pytest.mark.parametrize(
    ("wage", "region"),
    [(-1, 1), (10_000_000, 0), (10_000_000, 5), (1.5, 1), ("10000000", 1)],
)
def test_bad_input(wage: object, region: object) -> None:
    with pytest.raises(RulesInputError):
        compulsory_split(wage, date(2026, 1, 1), region)  # type: ignore[arg-type]
