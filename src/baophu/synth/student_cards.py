"""Pupils' and students' BHYT cards, school year by school year.

A school-year card runs from 1 October to 30 September: the autumn brings most of the
year's new cards and most of its lapses (school leavers, pupils whose families do not
renew).  For the current school year the pupils are the schools' (``schools.py``: their
rosters, and residents studying in another province, whose cards that province holds); for
earlier years they are the residents living here on 1 October whose age puts them in grade
1 to 12 that year — each attends with the schools' attendance of the grade, through one
lasting draw per person, so a pupil stays a pupil — and the current pupils in their earlier
grades.  Each pupil is covered in a year with a lasting type: most always (``P_STEADY``),
the others about every other year.  Cards never overlap a month another BHYT card touches
(a child's card running to the sixth birthday, a job): the card starts after it, or ends
before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.dates import year_of
from baophu.synth.monthbits import MonthGrid, free_run
from baophu.synth.people import People
from baophu.synth.schools import ATTENDANCE, Schools

P_STEADY = {"school": 0.88, "university": 0.7}
P_COVERED = {"steady": 0.995, "unsteady": 0.55}


@dataclass
class StudentCards:
    """Card rows: person, first and last day, and the province holding it (0: here)."""

    person: np.ndarray
    start: np.ndarray  # datetime64[D]
    end: np.ndarray
    province: np.ndarray


_LOWEST = min(ATTENDANCE) - 1  # a zero below the lowest grade and above the highest
_BY_GRADE = np.zeros(max(ATTENDANCE) - _LOWEST + 2)
for _grade, _share in ATTENDANCE.items():
    _BY_GRADE[_grade - _LOWEST] = _share


def _attendance(grade: np.ndarray) -> np.ndarray:
    """The schools' attendance of each grade (0 outside the grades schools teach)."""
    return np.take(_BY_GRADE, np.clip(grade - _LOWEST, 0, len(_BY_GRADE) - 1))


def student_cards(
    rng: np.random.Generator,
    people: People,
    schools: Schools,
    may_hold: np.ndarray,
    grid: MonthGrid,
    occupied: np.ndarray,
    first_year: int,
    last_year: int,
) -> StudentCards:
    """Cards of the school years starting in ``first_year … last_year`` (see the module
    docstring); ``may_hold`` marks who may hold a student card at all, ``occupied`` the
    months other BHYT cards touch (updated as cards are added)."""
    n = people.n
    u_attend = rng.random(n)
    birth_year = year_of(people.birth)
    is_current = np.zeros(n, dtype=bool)
    cur = schools.pupil[(schools.grade >= 1) & people.resident[schools.pupil]]
    is_current[cur] = True
    current_year = int(schools.card_year)
    away = np.zeros(n, dtype=bool)
    away[schools.away_student] = True
    away_province = np.zeros(n, dtype=np.int64)
    away_province[schools.away_student] = schools.away_province
    grade_now = np.full(n, -99, dtype=np.int64)
    grade_now[cur] = schools.grade[(schools.grade >= 1) & people.resident[schools.pupil]]
    university = rng.random(n)
    steady_school = rng.random(n) < P_STEADY["school"]
    steady_univ = university < P_STEADY["university"]
    rows_p, rows_s, rows_e, rows_v = [], [], [], []
    for year in range(first_year, last_year + 1):
        day = np.datetime64(f"{year}-10-01", "D")
        grade = year - birth_year - 5
        if year == current_year:
            pupil = is_current | away
        else:
            in_grades = (grade >= 1) & (grade <= 16)
            attends = u_attend < _attendance(grade)
            past_pupil = is_current & (grade >= 1)
            pupil = people.present(day) & in_grades & (attends | past_pupil)
        pupil &= may_hold
        steady = np.where(grade >= 13, steady_univ, steady_school)
        p_cov = np.where(steady, P_COVERED["steady"], P_COVERED["unsteady"])
        person = np.flatnonzero(pupil & (rng.random(n) < p_cov))
        if not len(person):
            continue
        lo = np.full(len(person), int(grid.index(np.array([day]))[0]))
        first, last = free_run(occupied[person], lo, lo + 11)
        keep = first <= last
        person, first, last = person[keep], first[keep], last[keep]
        start = (grid.base + first.astype("timedelta64[M]")).astype("datetime64[D]")
        end = (grid.base + (last + 1).astype("timedelta64[M]")).astype("datetime64[D]")
        end = end - np.timedelta64(1, "D")
        province = np.where(year == current_year, away_province[person], 0)
        rows_p.append(person)
        rows_s.append(start)
        rows_e.append(end)
        rows_v.append(province)
        np.bitwise_or.at(occupied, person, grid.touched(start, end))
    if not rows_p:
        empty = np.zeros(0, dtype=np.int64)
        nat = np.zeros(0, dtype="datetime64[D]")
        return StudentCards(empty, nat, nat, empty)
    return StudentCards(
        np.concatenate(rows_p),
        np.concatenate(rows_s),
        np.concatenate(rows_e),
        np.concatenate(rows_v),
    )
