"""Calendar helpers every capability shares (plain Python dates): month starts and ends,
month arithmetic, the month-ends of a series, and the default reference date of a run.

A reference date is a day; a "month" is represented by its first day.
"""

from __future__ import annotations

import calendar
import datetime as dt

from baophu.backends import Store

MAX_SERIES_DATES = 30  # two masks of 30 dates fit one 64-bit integer (coverage packs pairs)


def as_day(value: dt.date | dt.datetime | str) -> dt.date:
    """A ``date`` from a date, datetime or ISO text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def add_months(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from ``first``'s month to ``last``'s month, inclusive."""
    out: list[dt.date] = []
    current = month_start(first)
    stop = month_start(last)
    while current <= stop:
        out.append(current)
        current = add_months(current, 1)
    return out


def series_dates(reference_date: dt.date, months: int = 24) -> list[dt.date]:
    """The reference date and the month-ends before it: ``months`` dates in all, oldest first.

    For a month-end reference date this is the last ``months`` month-ends.
    """
    if not 1 <= months <= MAX_SERIES_DATES:
        raise ValueError(f"months must be between 1 and {MAX_SERIES_DATES}")
    out = [reference_date]
    cursor = dt.date(reference_date.year, reference_date.month, 1) - dt.timedelta(days=1)
    while len(out) < months:
        out.append(cursor)
        cursor = dt.date(cursor.year, cursor.month, 1) - dt.timedelta(days=1)
    return sorted(out)


def default_reference_date(store: Store) -> dt.date:
    """The last day of the latest contribution month in the ledger; else of the latest
    enrolment start; else today."""
    for table, column in (("contribution_ledger", "period"), ("enrolments", "start_date")):
        t = store.table(table)
        value = t[column].max().to_pyarrow().as_py()
        if value is not None:
            return month_end(value)
    return dt.date.today()
