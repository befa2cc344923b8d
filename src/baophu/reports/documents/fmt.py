"""Vietnamese number, percentage and date formats for the documents (1.115.590; 95,3%;
31/12/2026), and the administrative date line ("ngày 05 tháng 11 năm 2026").

The reports layer cannot import the web's formats (the web sits above it), so the few
formats a document prints are here; they follow the same conventions.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any


def nfc(text: Any) -> str:
    return "" if text is None else unicodedata.normalize("NFC", str(text))


def num(value: Any, digits: int = 0) -> str:
    """1115590 → 1.115.590; 1234.5 with digits=1 → 1.234,5; None → ''."""
    if value is None:
        return ""
    value = float(value)
    if digits == 0:
        return f"{round(value):,}".replace(",", ".")
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def pct(value: Any, digits: int = 2) -> str:
    """A fraction as a percentage: 0.95317 → 95,32%; None → ''."""
    if value is None:
        return ""
    return f"{float(value) * 100:.{digits}f}%".replace(".", ",")


def points(value: float, digits: int = 2) -> str:
    """A difference of two fractions in percentage points, unsigned: 0.0031 → 0,31."""
    return f"{abs(value) * 100:.{digits}f}".replace(".", ",")


def money(value: Any) -> str:
    """Whole đồng: 12500000 → 12.500.000."""
    return "" if value is None else num(value)


def millions(value: Any) -> str:
    """Millions of đồng with one decimal: 39600000 → 39,6."""
    return "" if value is None else num(float(value) / 1e6, 1)


def as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def date(value: Any) -> str:
    """31/12/2026; '' for None."""
    day = as_date(value)
    return "" if day is None else day.strftime("%d/%m/%Y")


def month(value: Any) -> str:
    """10/2026."""
    day = as_date(value)
    return "" if day is None else f"{day.month:02d}/{day.year}"


def date_line(place: str, day: dt.date) -> str:
    """The place and date line of Decree 30/2020: "Đồng Nai, ngày 05 tháng 11 năm 2026"."""
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(year, quarter) of a date."""
    return day.year, (day.month - 1) // 3 + 1
