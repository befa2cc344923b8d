"""Date arithmetic on numpy ``datetime64`` arrays, shared by every step of the generator.

Months are ``datetime64[M]``, days ``datetime64[D]``; NaT stands for "none" (an open end, no
death).  This module imports nothing from the generator, so any step (and ``strings``) can
use it without an import cycle.
"""

from __future__ import annotations

import functools

import numpy as np


def _first_days(months: np.ndarray) -> np.ndarray:
    """Days since 1970 of the first day of each month (months since January 1970), through
    a lookup table over their span (``astype`` between months and days is slow)."""
    months = np.asarray(months, dtype=np.int64)
    if not len(months):
        return np.zeros(0, dtype=np.int64)
    lo, hi = int(months.min()), int(months.max())
    table = np.arange(lo, hi + 2).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return np.take(table, months - lo)


def month_start(months: np.ndarray) -> np.ndarray:
    """First day of each month (datetime64[M] → datetime64[D]; NaT stays NaT)."""
    m = np.asarray(months).astype("datetime64[M]")
    nat = np.isnat(m)
    ints = np.where(nat, 0, m.astype(np.int64))
    out = _first_days(ints).astype("datetime64[D]")
    return np.where(nat, np.datetime64("NaT", "D"), out) if nat.any() else out


def month_end(months: np.ndarray) -> np.ndarray:
    """Last day of each month (datetime64[M] → datetime64[D]; NaT stays NaT)."""
    m = np.asarray(months).astype("datetime64[M]")
    nat = np.isnat(m)
    ints = np.where(nat, 0, m.astype(np.int64))
    out = (_first_days(ints + 1) - 1).astype("datetime64[D]")
    return np.where(nat, np.datetime64("NaT", "D"), out) if nat.any() else out


def to_month(days: np.ndarray) -> np.ndarray:
    """The month of each day (datetime64[D] → datetime64[M])."""
    return days.astype("datetime64[M]")


NO_MONTH = np.int64(10**9)  # month index of NaT: later than any month


def month_index(
    days: np.ndarray, last_day: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Months since January 1970 of each day (NaT gives ``NO_MONTH``), through a lookup
    table over the span of the days (``astype("datetime64[M]")`` on millions of days is
    slow); with ``last_day`` also whether each day is the last of its month."""
    as_int = np.asarray(days, dtype="datetime64[D]").astype(np.int64)
    nat = as_int == np.iinfo(np.int64).min
    valid = as_int[~nat]
    if not len(valid):
        out = np.full(len(as_int), NO_MONTH, dtype=np.int64)
        return (out, np.zeros(len(as_int), dtype=bool)) if last_day else out
    lo, hi = int(valid.min()), int(valid.max())
    span = np.arange(lo, hi + 2).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    index = np.clip(as_int - lo, 0, hi - lo)
    out = np.where(nat, NO_MONTH, np.take(span, index))
    if not last_day:
        return out
    is_last = (np.take(span, index + 1) != np.take(span, index)) & ~nat
    return out, is_last


# The calendar of 1800-01-01 .. 2199-12-31 as year, month and day columns (146,097 days),
# built on first use: dates of the generator's people, cards and claims fall inside it.
_CALENDAR_FROM = int(np.datetime64("1800-01-01", "D").astype(np.int64))
_CALENDAR_TO = int(np.datetime64("2199-12-31", "D").astype(np.int64))


def _calendar_columns(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of each day from ``lo`` to ``hi`` (days since 1970)."""
    span = np.arange(lo, hi + 1).astype("datetime64[D]")
    years = span.astype("datetime64[Y]").astype(np.int64) + 1970
    months = span.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (span - span.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, day


@functools.cache
def _calendar() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return _calendar_columns(_CALENDAR_FROM, _CALENDAR_TO)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of each date (NaT gives 1970-01-01), through a lookup table.

    Converting millions of dates with ``astype`` is slow, and so is building a table over
    the dates' span for each of the thousands of small arrays a province's files hold (one
    call per date column of each roster and list: an eighth of a generation's CPU).  One
    table over four centuries is built once and taken from; dates outside it get a table
    over their own span.
    """
    as_int = np.asarray(days, dtype="datetime64[D]").astype(np.int64)
    nat = as_int == np.iinfo(np.int64).min
    if nat.any():
        as_int = np.where(nat, 0, as_int)
    if not len(as_int):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    lo, hi = int(as_int.min()), int(as_int.max())
    if lo >= _CALENDAR_FROM and hi <= _CALENDAR_TO:
        table, lo = _calendar(), _CALENDAR_FROM
    else:
        table = _calendar_columns(lo, hi)
    index = as_int - lo
    years, months, day = table
    return np.take(years, index), np.take(months, index), np.take(day, index)


def years_between(birth: np.ndarray, on: np.datetime64) -> np.ndarray:
    """Completed years of age on ``on`` for each birth date (vectorised)."""
    by, bm, bd = ymd(birth)
    oy, om, od = (int(v[0]) for v in ymd(np.array([on], dtype="datetime64[D]")))
    before = (bm > om) | ((bm == om) & (bd > od))
    return oy - by - before.astype(np.int64)


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each date."""
    return ymd(days)[0]


def add_years(days: np.ndarray, years: int | np.ndarray) -> np.ndarray:
    """Same day and month ``years`` later (29 February → 1 March)."""
    m = days.astype("datetime64[M]")
    d = (days - m.astype("datetime64[D]")).astype(np.int64)
    moved = (m + np.asarray(years) * 12).astype("datetime64[M]")
    out = moved.astype("datetime64[D]") + d.astype("timedelta64[D]")
    overflow = out >= (moved + 1).astype("datetime64[D]")
    return np.where(overflow, (moved + 1).astype("datetime64[D]"), out)
