"""Voluntary BHXH: gross, subsidy on the poverty line and payable, before and after 2025-07-01."""

from __future__ import annotations

from datetime import date

import pytest

from baophu.rules.errors import RulesInputError
from baophu.rules.voluntary import normalize_group, voluntary_bhxh

AFTER = date(2026, 1, 1)
BEFORE = date(2025, 3, 1)


@pytest.mark.parametrize(
    ("group", "subsidy", "payable"),
    [
        # gross = 22 % × 1,500,000 = 330,000 in every case
        ("other", 66_000, 264_000),  # 20 % × 22 % × 1,500,000 = 66,000
        ("near_poor", 132_000, 198_000),  # 40 % × 330,000 = 132,000
        ("poor", 165_000, 165_000),  # 50 % × 330,000 = 165,000
        ("ethnic_minority", 99_000, 231_000),  # 30 % × 330,000 = 99,000
    ],
)
def test_groups_from_2025_07(group: str, subsidy: int, payable: int) -> None:
    result = voluntary_bhxh(1_500_000, group, AFTER)
    assert result["gross"] == 330_000
    assert result["subsidy"] == subsidy
    assert result["payable"] == payable


@pytest.mark.parametrize(
    ("group", "subsidy", "payable"),
    [
        ("poor", 99_000, 231_000),  # 30 % × 330,000 = 99,000
        ("near_poor", 82_500, 247_500),  # 25 % × 330,000 = 82,500
        ("other", 33_000, 297_000),  # 10 % × 330,000 = 33,000
        ("ethnic_minority", 33_000, 297_000),  # no separate group then: 'other' share
    ],
)
def test_groups_before_2025_07(group: str, subsidy: int, payable: int) -> None:
    result = voluntary_bhxh(1_500_000, group, BEFORE)
    assert result["gross"] == 330_000
    assert result["subsidy"] == subsidy
    assert result["payable"] == payable


def test_ethnic_minority_before_decree_159_carries_a_note() -> None:
    assert voluntary_bhxh(1_500_000, "ethnic_minority", BEFORE)["notes"]
    assert not voluntary_bhxh(1_500_000, "ethnic_minority", AFTER)["notes"]


def test_subsidy_is_on_the_poverty_line_not_the_income() -> None:
    # income 5,000,000: gross 22 % = 1,100,000; subsidy still 20 % × 22 % × 1,500,000 = 66,000
    result = voluntary_bhxh(5_000_000, "other", AFTER)
    assert result["gross"] == 1_100_000
    assert result["subsidy"] == 66_000
    assert result["payable"] == 1_034_000


def test_highest_income() -> None:
    # 20 × 2,340,000 = 46,800,000; 22 % = 10,296,000; minus 66,000 = 10,230,000
    result = voluntary_bhxh(46_800_000, "other", AFTER)
    assert result["max_income"] == 46_800_000
    assert result["gross"] == 10_296_000
    assert result["payable"] == 10_230_000


def test_poverty_line_of_2021() -> None:
    # 2021-06-01: 700,000; 22 % = 154,000; 'other' 10 % × 154,000 = 15,400; payable 138,600
    result = voluntary_bhxh(700_000, "other", date(2021, 6, 1))
    assert (result["gross"], result["subsidy"], result["payable"]) == (154_000, 15_400, 138_600)


def test_no_subsidy_after_120_months() -> None:
    result = voluntary_bhxh(1_500_000, "poor", AFTER, months_subsidised=120)
    assert result["subsidy"] == 0
    assert result["payable"] == 330_000
    assert voluntary_bhxh(1_500_000, "poor", AFTER, months_subsidised=119)["subsidy"] == 165_000


@pytest.mark.parametrize(
    ("income", "fragment"),
    [(1_499_999, "below the minimum"), (46_800_001, "above the maximum"), (-1, "negative")],
)
def test_income_out_of_range(income: int, fragment: str) -> None:
    with pytest.raises(RulesInputError, match=fragment) as info:
        voluntary_bhxh(income, "other", AFTER)
    assert info.value.vi and info.value.en


def test_unknown_group() -> None:
    with pytest.raises(RulesInputError, match="unknown group"):
        voluntary_bhxh(1_500_000, "rich", AFTER)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("near-poor", "near_poor"),
        ("cận nghèo", "near_poor"),
        ("Hộ nghèo", "poor"),
        ("dân tộc thiểu số", "ethnic_minority"),
        ("khác", "other"),
    ],
)
def test_group_aliases(text: str, expected: str) -> None:
    assert normalize_group(text) == expected
