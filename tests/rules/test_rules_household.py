"""Household BHYT: the sliding amount by member number, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from baophu.rules.errors import RulesInputError
from baophu.rules.household import household_bhyt, household_bhyt_total

ON = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("member", "monthly", "yearly"),
    [
        (1, 105_300, 1_263_600),  # 4.5 % × 2,340,000 = 105,300; × 12 = 1,263,600
        (2, 73_710, 884_520),  # 70 % × 105,300 = 73,710; × 12 = 884,520
        (3, 63_180, 758_160),  # 60 % × 105,300 = 63,180; × 12 = 758,160
        (4, 52_650, 631_800),  # 50 % × 105,300 = 52,650; × 12 = 631,800
        (5, 42_120, 505_440),  # 40 % × 105,300 = 42,120; × 12 = 505,440
        (6, 42_120, 505_440),  # 6th and later: still 40 %
    ],
)
def test_members_2026(member: int, monthly: int, yearly: int) -> None:
    result = household_bhyt(member, ON)
    assert result["monthly"] == monthly
    assert result["yearly"] == yearly
    assert result["rule_version"] == "2026.11.1"


def test_base_salary_of_2023() -> None:
    # 2023-07-01: 4.5 % × 1,800,000 = 81,000; × 12 = 972,000; 2nd: 70 % = 56,700
    assert household_bhyt(1, date(2023, 7, 1))["monthly"] == 81_000
    assert household_bhyt(1, date(2023, 7, 1))["yearly"] == 972_000
    assert household_bhyt(2, date(2023, 7, 1))["monthly"] == 56_700


def test_household_total() -> None:
    # 105,300 + 73,710 + 63,180 = 242,190 per month; × 12 = 2,906,280
    result = household_bhyt_total(3, ON)
    assert result["monthly"] == 242_190
    assert result["yearly"] == 2_906_280


@pytest.mark.parametrize("member", [0, -1, True, 1.0])
def test_bad_member(member: object) -> None:
    with pytest.raises(RulesInputError):
        household_bhyt(member, ON)  # type: ignore[arg-type]
