"""Statutory retirement age (normal working conditions) and working age, by birth month and sex.

Owns the retirement-age schedule of Labour Code 45/2019 Art. 169 and Decree 135/2020/NĐ-CP
(Art. 4 and Appendix I), stored as data in ``parameters.toml`` (``retirement_age.male`` and
``retirement_age.female``: the age before the reform, the first reform year, the age in that
year, the yearly step and the cap, all in months of age).

How we read it
--------------
The age is set by the **calendar year in which it is reached**: men 60 y 3 m in 2021 and
+3 months a year to 62 y from 2028; women 55 y 4 m in 2021 and +4 months a year to 60 y from
2035; before 2021, 60 y (men) and 55 y (women) under Labour Code 10/2012 Art. 187.  A person
born in month B retires at the age A(Y) of the **first** year Y in which B + A(Y) falls on or
before December of Y; B + A(Y) then falls inside Y and is the month they reach the age
(``reaches_on``).  Under Decree 135/2020 the retirement moment is the end of the last day of
that month and the pension is paid from the next month (``pension_from``).  This reproduces
Appendix I, e.g. men born 01/1961–09/1961 → 60 y 3 m (reached 04/2021–12/2021), 10/1961 →
60 y 6 m (04/2022), 04/1966 onwards → 62 y; women born 01/1966 → 55 y 4 m (05/2021), 09/1966
→ 55 y 8 m (05/2022), 05/1975 onwards → 60 y.

Working age
-----------
``is_working_age`` counts a person from the day of their 15th birthday (a 29 February birthday
falls on 28 February in common years: the Civil Code rule for periods counted in years ends
on the last day of the month) up to and including the **last day of the month in which they
reach the retirement age** (the decree's retirement moment).  The month-level table
``retirement_month_table`` gives the same boundaries by birth month for engines that only
know a year-month of birth.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from baophu.rules.errors import RulesFileError, RulesInputError
from baophu.rules.parameters import Rules, as_date, as_year_month, resolve
from baophu.vn.text import fold

SEXES = ("male", "female")
SEX_LABELS_VI = {"male": "Nam", "female": "Nữ"}
TABLE_FIRST_YEAR = 1940
TABLE_LAST_YEAR = 2015

_SEX_ALIASES = {
    "male": "male",
    "m": "male",
    "man": "male",
    "nam": "male",
    "female": "female",
    "f": "female",
    "woman": "female",
    "nu": "female",
}
_SCHEDULE_FIELDS = (
    "before_start_months",
    "start_year",
    "start_months",
    "step_months",
    "cap_months",
)


def normalize_sex(sex: str) -> str:
    """``male`` or ``female`` from ``male/female/m/f/nam/nữ`` (any case, with or without marks)."""
    canonical = _SEX_ALIASES.get(fold(sex)) if isinstance(sex, str) else None
    if canonical is None:
        raise RulesInputError(
            f"Giới tính không hợp lệ: {sex!r}; dùng nam/nữ (male/female)",
            f"invalid sex {sex!r}; use male/female (nam/nữ)",
        )
    return canonical


def _schedule(sex: str, rules: Rules, as_of: date | None) -> tuple[dict[str, int], str]:
    key = f"retirement_age.{sex}"
    entry = rules.entry(key, as_of) if as_of is not None else rules.latest(key)
    value = entry.value
    if not isinstance(value, Mapping) or any(
        not isinstance(value.get(f), int) or isinstance(value.get(f), bool)
        for f in _SCHEDULE_FIELDS
    ):
        raise RulesFileError(
            f"'{key}' phải là bảng có các trường số nguyên {_SCHEDULE_FIELDS}",
            f"'{key}' must be a table with integer fields {_SCHEDULE_FIELDS}",
        )
    return {f: int(value[f]) for f in _SCHEDULE_FIELDS}, entry.source


def age_for_year(schedule: Mapping[str, int], year: int) -> int:
    """The retirement age, in months, for people who reach it in calendar ``year``."""
    if year < schedule["start_year"]:
        return schedule["before_start_months"]
    stepped = schedule["start_months"] + schedule["step_months"] * (year - schedule["start_year"])
    return min(stepped, schedule["cap_months"])


def _reach(birth_index: int, schedule: Mapping[str, int]) -> tuple[int, int]:
    """``(age_months, reach_index)`` for a birth month index (year × 12 + month − 1)."""
    year = (birth_index + schedule["before_start_months"]) // 12 - 1
    while True:
        age = age_for_year(schedule, year)
        reach = birth_index + age
        if reach // 12 <= year:
            return age, reach
        year += 1


def _ym(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def retirement_age(
    sex: str,
    birth_month: date | datetime | str,
    *,
    as_of: date | None = None,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Retirement age and the month it is reached, for a person born in ``birth_month``.

    ``birth_month`` is a ``date`` or a text ``YYYY-MM`` (``YYYY-MM-DD`` also accepted; the day
    does not matter).  ``as_of`` picks the schedule in force on that date (default: the
    latest one in the parameter file).

    Returns ``{"sex", "birth_month", "years", "months", "age_months", "reaches_on",
    "pension_from", "rule_version", "sources"}`` with months as ``YYYY-MM``.
    """
    r = resolve(rules)
    canonical = normalize_sex(sex)
    year, month = as_year_month(birth_month)
    schedule, source = _schedule(canonical, r, as_of)
    age, reach = _reach(year * 12 + month - 1, schedule)
    return {
        "sex": canonical,
        "birth_month": f"{year:04d}-{month:02d}",
        "years": age // 12,
        "months": age % 12,
        "age_months": age,
        "reaches_on": _ym(reach),
        "pension_from": _ym(reach + 1),
        "rule_version": r.version,
        "sources": {f"retirement_age.{canonical}": source},
    }


def retirement_schedule(
    sex: str, first_year: int = 2020, last_year: int = 2036, *, rules: Rules | None = None
) -> list[dict[str, int]]:
    """The age by calendar year in which it is reached: ``[{year, years, months}, …]``."""
    schedule, _ = _schedule(normalize_sex(sex), resolve(rules), None)
    rows = []
    for year in range(first_year, last_year + 1):
        age = age_for_year(schedule, year)
        rows.append({"year": year, "years": age // 12, "months": age % 12})
    return rows


def _add_years(day: date, years: int) -> date:
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def is_working_age(
    birth_date: date | datetime | str,
    sex: str,
    on: date | datetime | str,
    *,
    rules: Rules | None = None,
) -> bool:
    """True from the 15th birthday through the last day of the month the retirement age is
    reached (see the module docstring for how we read it)."""
    r = resolve(rules)
    born = as_date(birth_date)
    day = as_date(on)
    min_years = int(r.value("working_age.min_years", day))
    if day < _add_years(born, min_years):
        return False
    reaches = retirement_age(sex, born, rules=r)["reaches_on"]
    return f"{day.year:04d}-{day.month:02d}" <= reaches


def retirement_month_table(
    sex: str | None = None,
    first_year: int = TABLE_FIRST_YEAR,
    last_year: int = TABLE_LAST_YEAR,
    *,
    rules: Rules | None = None,
) -> list[dict[str, Any]]:
    """A lookup table by birth month for engines to join on (both sexes when ``sex`` is None).

    One row per sex and birth month from January ``first_year`` to December ``last_year``:
    ``{"sex", "birth_ym", "age_years", "age_months", "retirement_age_months", "reaches_ym",
    "pension_from_ym", "working_age_from_ym"}``.  At month precision a person is of working
    age in month M when ``working_age_from_ym <= M <= reaches_ym`` (``YYYY-MM`` texts compare
    in date order); ``working_age_from_ym`` is the month of the 15th birthday.
    """
    r = resolve(rules)
    if last_year < first_year:
        raise RulesInputError(
            f"Năm cuối {last_year} nhỏ hơn năm đầu {first_year}",
            f"last year {last_year} is before first year {first_year}",
        )
    sexes = SEXES if sex is None else (normalize_sex(sex),)
    min_years = int(r.latest("working_age.min_years").value)
    rows: list[dict[str, Any]] = []
    for canonical in sexes:
        schedule, _ = _schedule(canonical, r, None)
        for birth_index in range(first_year * 12, (last_year + 1) * 12):
            age, reach = _reach(birth_index, schedule)
            rows.append(
                {
                    "sex": canonical,
                    "birth_ym": _ym(birth_index),
                    "age_years": age // 12,
                    "age_months": age % 12,
                    "retirement_age_months": age,
                    "reaches_ym": _ym(reach),
                    "pension_from_ym": _ym(reach + 1),
                    "working_age_from_ym": _ym(birth_index + 12 * min_years),
                }
            )
    return rows
