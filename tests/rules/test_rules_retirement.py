"""Retirement age by birth month (Decree 135/2020 Appendix I pattern) and working age."""

from __future__ import annotations

from datetime import date

import pytest

from baophu.rules.errors import RulesInputError
from baophu.rules.retirement import (
    is_working_age,
    retirement_age,
    retirement_month_table,
    retirement_schedule,
)

# Rows derived by hand: the age of the year in which it is reached; birth month + age.
MEN = [
    ("1960-12", 60, 0, "2020-12"),  # old law: 60; 1960-12 + 60 y = 2020-12
    ("1961-01", 60, 3, "2021-04"),  # 2021: 60 y 3 m; 1961-01 + 60 y 3 m = 2021-04
    ("1961-09", 60, 3, "2021-12"),  # last month of the 2021 group
    ("1961-10", 60, 6, "2022-04"),  # + 60 y 3 m = 2022-01 is past 2021 → 2022 age 60 y 6 m
    ("1962-06", 60, 6, "2022-12"),
    ("1962-07", 60, 9, "2023-04"),
    ("1963-03", 60, 9, "2023-12"),
    ("1963-04", 61, 0, "2024-04"),
    ("1964-01", 61, 3, "2025-04"),
    ("1964-10", 61, 6, "2026-04"),
    ("1965-07", 61, 9, "2027-04"),
    ("1966-03", 61, 9, "2027-12"),  # 1966-03 + 61 y 9 m = 2027-12
    ("1966-04", 62, 0, "2028-04"),  # from 04/1966 on: 62 y
    ("1990-05", 62, 0, "2052-05"),
]

WOMEN = [
    ("1965-12", 55, 0, "2020-12"),  # old law: 55
    ("1966-01", 55, 4, "2021-05"),  # 2021: 55 y 4 m
    ("1966-08", 55, 4, "2021-12"),
    ("1966-09", 55, 8, "2022-05"),  # 2022: 55 y 8 m
    ("1967-04", 55, 8, "2022-12"),
    ("1967-05", 56, 0, "2023-05"),  # 2023: 56 y
    ("1968-01", 56, 4, "2024-05"),  # 2024: 56 y 4 m
    ("1970-01", 57, 4, "2027-05"),  # 2026: 57 y → 2027-01 past 2026; 2027: 57 y 4 m → 2027-05
    ("1975-04", 59, 8, "2034-12"),  # 2034: 59 y 8 m
    ("1975-05", 60, 0, "2035-05"),  # from 05/1975 on: 60 y
]


@pytest.mark.parametrize(("birth", "years", "months", "reaches"), MEN)
def test_men(birth: str, years: int, months: int, reaches: str) -> None:
    result = retirement_age("male", birth)
    assert (result["years"], result["months"], result["reaches_on"]) == (years, months, reaches)


@pytest.mark.parametrize(("birth", "years", "months", "reaches"), WOMEN)
def test_women(birth: str, years: int, months: int, reaches: str) -> None:
    result = retirement_age("female", birth)
    assert (result["years"], result["months"], result["reaches_on"]) == (years, months, reaches)


def test_pension_from_next_month_and_inputs() -> None:
    result = retirement_age("nam", date(1961, 1, 20))
    assert result["reaches_on"] == "2021-04"
    assert result["pension_from"] == "2021-05"
    assert retirement_age("Nữ", "1966-01-05")["reaches_on"] == "2021-05"
    assert "135/2020" in result["sources"]["retirement_age.male"]


def test_schedule_by_year() -> None:
    men = {row["year"]: (row["years"], row["months"]) for row in retirement_schedule("male")}
    assert men[2020] == (60, 0)
    assert men[2021] == (60, 3)
    assert men[2024] == (61, 0)
    assert men[2027] == (61, 9)
    assert men[2028] == (62, 0)
    assert men[2036] == (62, 0)
    women = {row["year"]: (row["years"], row["months"]) for row in retirement_schedule("female")}
    assert women[2021] == (55, 4)
    assert women[2023] == (56, 0)
    assert women[2034] == (59, 8)
    assert women[2035] == (60, 0)


@pytest.mark.parametrize(
    ("sex", "birth"), [("x", "1966-03"), ("male", "1966-13"), ("male", "66-03")]
)
def test_bad_input(sex: str, birth: str) -> None:
    with pytest.raises(RulesInputError):
        retirement_age(sex, birth)


def test_working_age_15th_birthday() -> None:
    born = date(2010, 6, 15)
    assert not is_working_age(born, "male", date(2025, 6, 14))
    assert is_working_age(born, "male", date(2025, 6, 15))


def test_working_age_29_february() -> None:
    # 15 years after 2008-02-29 ends on 2023-02-28 (no 29 February in 2023)
    born = date(2008, 2, 29)
    assert not is_working_age(born, "female", date(2023, 2, 27))
    assert is_working_age(born, "female", date(2023, 2, 28))


def test_working_age_ends_with_the_retirement_month() -> None:
    # man born 1961-01: reaches 60 y 3 m in 2021-04 → working age to 2021-04-30
    assert is_working_age(date(1961, 1, 20), "male", date(2021, 4, 30))
    assert not is_working_age(date(1961, 1, 20), "male", date(2021, 5, 1))
    # woman born 1966-01: reaches 55 y 4 m in 2021-05
    assert is_working_age(date(1966, 1, 5), "nữ", date(2021, 5, 31))
    assert not is_working_age(date(1966, 1, 5), "nữ", date(2021, 6, 1))


def test_month_table() -> None:
    table = retirement_month_table()
    # 2 sexes × 76 birth years (1940–2015) × 12 months = 1,824 rows
    assert len(table) == 1824
    rows = {(row["sex"], row["birth_ym"]): row for row in table}
    assert rows[("male", "1966-03")]["reaches_ym"] == "2027-12"
    assert rows[("male", "1966-03")]["pension_from_ym"] == "2028-01"
    assert rows[("male", "1940-01")]["reaches_ym"] == "2000-01"
    assert rows[("female", "1975-05")]["retirement_age_months"] == 720  # 60 × 12
    assert rows[("female", "2015-12")]["working_age_from_ym"] == "2030-12"
    assert len(retirement_month_table("female", 2000, 2000)) == 12
