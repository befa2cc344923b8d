"""Vietnamese display formats for the web pages (also registered as Jinja2 filters).

Numbers group thousands with a dot and use a comma for decimals (1.115.590; 95,3%);
dates are dd/mm/yyyy (31/12/2026); money is whole đồng (12.500.000 đ).  Text is NFC, so a
name typed in decomposed form shows and sorts like the same name typed precomposed.
"""

from __future__ import annotations

import datetime as dt
import re
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


def pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.953 → 95,3%; None → ''."""
    if value is None:
        return ""
    return f"{float(value) * 100:.{digits}f}%".replace(".", ",")


def money(value: Any) -> str:
    """Whole đồng: 12500000 → 12.500.000 đ."""
    return "" if value is None else f"{num(value)} đ"


def millions(value: Any) -> str:
    """Amounts in millions of đồng for tables: 39600000 → 39,6 tr."""
    return "" if value is None else f"{num(float(value) / 1e6, 1)} tr"


def date(value: Any) -> str:
    """31/12/2026 (a date, a datetime or an ISO string); '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def month(value: Any) -> str:
    """10/2026 for a month."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.month:02d}/{value.year}"


def signed(value: Any) -> str:
    """+1.234 / −1.234 (a true minus sign) / 0."""
    if value is None:
        return ""
    v = round(float(value))
    if v > 0:
        return f"+{num(v)}"
    if v < 0:
        return f"−{num(-v)}"
    return "0"


def mask_id(person_id: Any, full: bool = False) -> str:
    """A 12-digit personal ID shown as ********1234 (last four digits) unless ``full``."""
    if person_id is None:
        return ""
    text = str(person_id)
    if full or len(text) <= 4:
        return text
    return "*" * (len(text) - 4) + text[-4:]


_ID = re.compile(r"(?<!\d)(\d{8})(\d{4})(?!\d)")


def mask_ids_in(text: str) -> str:
    """Every 12-digit number in ``text`` (a personal ID quoted in an explanation) masked."""
    return _ID.sub(lambda m: "*" * 8 + m.group(2), text)


FILTERS = {
    "num": num,
    "pct": pct,
    "money": money,
    "millions": millions,
    "vndate": date,
    "vnmonth": month,
    "signed": signed,
    "nfc": nfc,
}
