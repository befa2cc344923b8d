"""Vietnamese display of numbers, money, percentages and dates — the one place that writes
them, for the web pages, the command line, the reports and the texts of the engine's lists.

Numbers group thousands with a dot and use a comma for decimals (``1.115.590``;
``1.234,5``); percentages have no space before the sign (``95,3%``); money is whole đồng
(``12.500.000 đ``); dates are ``dd/mm/yyyy`` and months ``mm/yyyy``.  A missing value
(``None``) shows as ``''``.

Rounding for display is **half away from zero** (``2.5 → 3``, ``-2.5 → -3``, ``0.125 → 0,13``
at two decimals), computed on the value's shortest decimal text, so ``1.005`` at two decimals
shows ``1,01`` as a person would round it (binary floating point would give ``1,00``).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MINUS = "−"  # U+2212, the true minus sign of ``signed``


def exact(value: int | float | str | Decimal) -> Decimal:
    """An exact Decimal of a number (a float through its shortest text: 0.175 → 0.175)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_half_away(value: int | float | str | Decimal, digits: int = 0) -> Decimal:
    """``value`` rounded to ``digits`` decimals, halves away from zero."""
    return exact(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def round_int(value: int | float | str | Decimal) -> int:
    """``value`` rounded to a whole number, halves away from zero (2.5 → 3, −2.5 → −3)."""
    return int(round_half_away(value))


def number(value: Any, digits: int = 0) -> str:
    """``1115590 → 1.115.590``; ``1234.56, 1 → 1.234,6``; ``-1234 → -1.234``; ``None → ''``."""
    if value is None:
        return ""
    rounded = round_half_away(value, digits)
    text = f"{abs(rounded):,.{digits}f}"
    text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"-{text}" if rounded < 0 else text


def money(value: Any) -> str:
    """Whole đồng: ``12500000 → 12.500.000 đ``; ``None → ''``."""
    return "" if value is None else f"{number(value)} đ"


def millions(value: Any) -> str:
    """Amounts in millions of đồng for tables: ``39600000 → 39,6 tr``."""
    return "" if value is None else f"{number(exact(value) / 1_000_000, 1)} tr"


def percent(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage with ``digits`` decimals: ``0.953 → 95,3%``."""
    return "" if value is None else f"{number(exact(value) * 100, digits)}%"


def rate(value: Any) -> str:
    """A legal rate as written in the law, every significant decimal and no more:
    ``0.0003 → 0,03%``, ``0.175 → 17,5%``, ``0.0255 → 2,55%``, ``0.05 → 5%``."""
    if value is None:
        return ""
    text = format(exact(value) * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}%"


def signed(value: Any) -> str:
    """A change: ``+1.234`` / ``−1.234`` (a true minus sign) / ``0``."""
    if value is None:
        return ""
    whole = round_int(value)
    if whole > 0:
        return f"+{number(whole)}"
    if whole < 0:
        return f"{MINUS}{number(-whole)}"
    return "0"


def as_day(value: Any) -> dt.date | dt.datetime | None:
    """A date (or datetime) from a date, a datetime or an ISO text; ``None`` otherwise."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def date(value: Any) -> str:
    """``31/12/2026`` (a date, or an ISO text); a datetime with its time, ``31/12/2026
    08:05``; ``''`` for ``None``; a text that is not a date is returned as it is."""
    if value is None or value == "":
        return ""
    day = as_day(value)
    if day is None:
        return str(value)
    if isinstance(day, dt.datetime):
        return day.strftime("%d/%m/%Y %H:%M")
    return day.strftime("%d/%m/%Y")


def month(value: Any) -> str:
    """``10/2026`` for a month (a date or an ISO text ``2026-10`` / ``2026-10-31``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and len(value) == 7:
        value = f"{value}-01"
    day = as_day(value)
    return "" if day is None else f"{day.month:02d}/{day.year}"


def days(count: int) -> str:
    """A number of days as the law writes it: ``60 → 60 ngày``."""
    return f"{number(count)} ngày"
